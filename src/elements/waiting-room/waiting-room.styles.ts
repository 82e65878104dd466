import { css } from 'lit';

// Rows as in permissions-panel (initial, name over a second line, actions at the end): one visual language.
export const styles = css`
  :host {
    --_room-gap: var(--waiting-room-gap, var(--_gap));
    --_room-background: var(--waiting-room-background, var(--_surface));
    --_room-max-height: var(--waiting-room-max-height, 360px);
    display: block;
    background: var(--_room-background);
  }
  .head,
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_room-gap);
    padding: var(--_room-gap);
  }
  [part~='count'] {
    flex: 1;
    font-weight: 600;
  }
  ul {
    max-height: var(--_room-max-height);
    margin: 0;
    padding: 0;
    overflow: auto;
    list-style: none;
  }
  .row {
    content-visibility: auto;
    contain-intrinsic-size: auto 56px;
    border-top: 1px solid var(--_border);
  }
  .who {
    display: flex;
    flex: 1;
    flex-direction: column;
    min-width: 0;
  }
  .name {
    overflow-wrap: anywhere;
  }
  .waited,
  [part~='private'] {
    font-size: 12px;
  }
  .lobby {
    display: grid;
    justify-items: start;
    gap: var(--_room-gap);
    padding: var(--_room-gap);
  }
  input {
    justify-self: stretch;
  }
  .title {
    font-size: 18px;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  form {
    display: grid;
    justify-items: start;
    justify-self: stretch;
    gap: 4px;
  }
  p {
    margin: 0;
  }
  [part~='status']:empty {
    display: none;
  }
  [data-state='denied'] [part~='status'] {
    color: var(--_danger);
    font-weight: 600;
  }
`;
