import { css } from 'lit';

export const styles = css`
  :host {
    display: contents;
  }
  [inert] {
    opacity: var(--capability-gate-disabled-opacity, 0.5);
  }
`;
