import { css } from 'lit';

// The icon slash, the state layer and the avatar are shared (styles.ts): one visual language.
export const styles = css`
  :host {
    --_panel-gap: var(--permissions-panel-gap, var(--_gap));
    --_panel-background: var(--permissions-panel-background, var(--_surface));
    --_panel-max-height: var(--permissions-panel-max-height, 480px);
    --_panel-row-height: var(--permissions-panel-row-height, 56px);
    display: block;
    background: var(--_panel-background);
  }
  .head,
  .row,
  .line {
    display: flex;
    align-items: center;
    gap: var(--_panel-gap);
  }
  .head {
    flex-wrap: wrap;
    padding: var(--_panel-gap);
  }
  .head input {
    flex: 1;
  }
  /* Windowed: rows of a uniform height; ::before stands for the rows above the window (--from), ::after for those below (--rest). */
  .list {
    --rest: 0;
    max-height: var(--_panel-max-height);
    margin: 0;
    padding: 0;
    overflow: auto;
    /* The window's rows change under the viewport: scroll anchoring would move it. */
    overflow-anchor: none;
  }
  .list::before,
  .list::after {
    content: '';
    display: block;
    height: calc(var(--from) * var(--_panel-row-height));
  }
  .list::after {
    --from: var(--rest);
  }
  .row {
    --_bg: var(--_panel-background);
    box-sizing: border-box;
    height: var(--_panel-row-height);
    padding: 0 var(--_panel-gap);
    background: var(--_bg);
  }
  .row:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: -2px;
  }
  /* A pending request stands out: an accent tint. */
  .row[part~='request'] {
    --_bg: color-mix(in srgb, var(--_accent) 12%, var(--_panel-background));
  }
  .who {
    flex: 1;
    min-width: 0;
  }
  .line {
    overflow: hidden;
    white-space: nowrap;
    font-size: 12px;
  }
  .name {
    overflow: hidden;
    text-overflow: ellipsis;
    font-size: 14px;
  }
  .tag {
    padding: 0 6px;
    border-radius: 9px;
    background: var(--_control);
  }
  [part~='state'] svg {
    width: 16px;
  }
  [data-icon='hand'] {
    color: var(--_accent);
  }
  button {
    position: relative;
  }
  .icon,
  [role^='menuitem'] {
    border-color: transparent;
    background: none;
    color: inherit;
  }
  /* The menu and the confirmation: in the top layer (popover), anchored to their button (centred where anchors are not supported). */
  [aria-expanded='true'] {
    anchor-name: --menu;
  }
  .pop {
    position-anchor: --menu;
    position-area: self-block-end span-self-inline-start;
    position-try-fallbacks: flip-block;
    margin: 0;
    padding: 4px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_panel-background);
    color: inherit;
  }
  [role^='menuitem'] {
    width: 100%;
    text-align: start;
  }
  [aria-checked]::before {
    content: '✓';
    width: 1em;
  }
  [aria-checked='false']::before {
    opacity: 0;
  }
  [role='separator'] {
    border-top: 1px solid var(--_border);
  }
`;
