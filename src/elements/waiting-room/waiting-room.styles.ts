import { css } from 'lit';

export const styles = css`
  :host {
    --_room-gap: var(--waiting-room-gap, var(--_gap));
    --_room-background: var(--waiting-room-background, var(--_surface));
    --_room-max-height: var(--waiting-room-max-height, 360px);
    display: block;
    background: var(--_room-background);
  }
  .head,
  .row,
  form {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_room-gap);
    padding: var(--_room-gap);
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
    contain-intrinsic-size: auto 44px;
    border-top: 1px solid var(--_border);
  }
  .name {
    flex: 1 1 10em;
    overflow-wrap: anywhere;
  }
  label {
    display: inline-flex;
    align-items: center;
    gap: var(--_room-gap);
  }
  p {
    margin: 0;
    padding: var(--_room-gap);
  }
`;
