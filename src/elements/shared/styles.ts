import { css } from 'lit';

/**
 * What every element shares: the global `--callcaps-*` tokens resolved into
 * private `--_*` properties (light by default; dark with `theme="dark"` or the
 * user's `prefers-color-scheme` unless `theme="light"`, through `light-dark()`
 * and the host's `color-scheme`), and the look of controls. Each element's own custom properties fall back to these.
 */
export const base = css`
  /* Light, or dark with theme="dark" or (unless theme="light") the user's preference: light-dark() follows the host's color-scheme. */
  :host {
    color-scheme: light dark;
    --_font: var(--callcaps-font, system-ui, sans-serif);
    --_radius: var(--callcaps-radius, 8px);
    --_gap: var(--callcaps-gap, 8px);
    --_focus: var(--callcaps-focus-ring, light-dark(#0b57d0, #a8c7fa));
    --_surface: var(--callcaps-surface, light-dark(#ffffff, #1f1f1f));
    --_on-surface: var(--callcaps-on-surface, light-dark(#1f1f1f, #e3e3e3));
    --_control: var(--callcaps-control, light-dark(#e9eef6, #303134));
    --_on-control: var(--callcaps-on-control, light-dark(#1f1f1f, #e3e3e3));
    --_accent: var(--callcaps-accent, light-dark(#0b57d0, #a8c7fa));
    --_on-accent: var(--callcaps-on-accent, light-dark(#ffffff, #062e6f));
    --_danger: var(--callcaps-danger, light-dark(#b3261e, #f2b8b5));
    --_on-danger: var(--callcaps-on-danger, light-dark(#ffffff, #601410));
    --_border: var(--callcaps-border, light-dark(#747775, #8e918f));
    /* What is behind an icon (its slash's gap takes it): the surface, unless a control or row sets its own. */
    --_bg: var(--_surface);
    font: 14px/1.4 var(--_font);
    color: var(--_on-surface);
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  [hidden] {
    display: none !important;
  }
  button,
  select,
  input {
    box-sizing: border-box;
    min-height: 36px;
    padding: 6px 10px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_control);
    color: var(--_on-control);
    font: inherit;
  }
  button {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    cursor: pointer;
  }
  :is(button, select, input):focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  button.primary {
    border-color: var(--_accent);
    background: var(--_accent);
    color: var(--_on-accent);
  }
  button.danger {
    border-color: var(--_danger);
    background: var(--_danger);
    color: var(--_on-danger);
  }
  /* A state layer over any background, light or dark: hover, then press. */
  button:not([aria-disabled]):hover {
    box-shadow: inset 0 0 0 99px color-mix(in srgb, currentColor 10%, transparent);
  }
  button:not([aria-disabled]):active {
    box-shadow: inset 0 0 0 99px color-mix(in srgb, currentColor 20%, transparent);
  }
  button[aria-disabled='true'],
  :is(button, select, input):disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  svg {
    flex: none;
    width: 18px;
    height: 18px;
    fill: currentColor;
  }
  /* A crossed-out icon's slash, set apart by a gap in the control's background (--_bg). */
  .gap {
    stroke: var(--_bg);
    stroke-width: 5px;
  }
  .slash {
    stroke: currentColor;
    stroke-width: 2px;
    stroke-linecap: round;
  }
  .error {
    display: flex;
    align-items: center;
    gap: var(--_gap);
    color: var(--_danger);
  }
  .error:empty,
  .banner:empty {
    display: none;
  }
  /* While reconnecting: the last content, dimmed and inert, under a banner. */
  .banner {
    padding: 4px;
    background: var(--_on-surface);
    color: var(--_surface);
    text-align: center;
  }
  [inert] {
    opacity: 0.5;
  }
  /* A participant's initial (panel rows, knockers). */
  .avatar {
    flex: none;
    width: 32px;
    line-height: 32px;
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_on-accent);
    text-align: center;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
