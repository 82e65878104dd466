import { css } from 'lit';

export const styles = css`
  :host {
    --_controls-gap: var(--call-controls-gap, var(--_gap));
    --_controls-background: var(--call-controls-background, var(--_surface));
    display: block;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_controls-gap);
    padding: var(--_controls-gap);
    background: var(--_controls-background);
  }
  button[data-mode='request'] {
    border-style: dashed;
  }
  .popup {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_controls-gap);
    padding: var(--_controls-gap);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_controls-background);
  }
  .keys {
    display: grid;
    grid-template-columns: repeat(3, 3em);
    gap: 4px;
  }
  .keys button {
    justify-content: center;
  }
  label {
    display: inline-flex;
    flex-direction: column;
    gap: 2px;
  }
`;
