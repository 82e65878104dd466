import { css } from 'lit';

/**
 * What every element shares: the global `--callcaps-*` tokens resolved into
 * private `--_*` properties (light by default; dark with `theme="dark"` or the
 * user's `prefers-color-scheme` unless `theme="light"`), and the look of
 * controls. Each element's own custom properties fall back to these.
 */
export const base = css`
  :host {
    --_font: var(--callcaps-font, system-ui, sans-serif);
    --_radius: var(--callcaps-radius, 8px);
    --_gap: var(--callcaps-gap, 8px);
    --_focus: var(--callcaps-focus-ring, #0b57d0);
    --_surface: var(--callcaps-surface, #ffffff);
    --_on-surface: var(--callcaps-on-surface, #1f1f1f);
    --_control: var(--callcaps-control, #e9eef6);
    --_on-control: var(--callcaps-on-control, #1f1f1f);
    --_accent: var(--callcaps-accent, #0b57d0);
    --_on-accent: var(--callcaps-on-accent, #ffffff);
    --_danger: var(--callcaps-danger, #b3261e);
    --_on-danger: var(--callcaps-on-danger, #ffffff);
    --_border: var(--callcaps-border, #747775);
    font: 14px/1.4 var(--_font);
    color: var(--_on-surface);
  }
  /* The dark palette, twice (gzip stores the copy as a back-reference): a shared unsafe string would keep the literal minifier away from this file. */
  :host([theme='dark']) {
    --_focus: var(--callcaps-focus-ring, #a8c7fa);
    --_surface: var(--callcaps-surface, #1f1f1f);
    --_on-surface: var(--callcaps-on-surface, #e3e3e3);
    --_control: var(--callcaps-control, #303134);
    --_on-control: var(--callcaps-on-control, #e3e3e3);
    --_accent: var(--callcaps-accent, #a8c7fa);
    --_on-accent: var(--callcaps-on-accent, #062e6f);
    --_danger: var(--callcaps-danger, #f2b8b5);
    --_on-danger: var(--callcaps-on-danger, #601410);
    --_border: var(--callcaps-border, #8e918f);
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      --_focus: var(--callcaps-focus-ring, #a8c7fa);
      --_surface: var(--callcaps-surface, #1f1f1f);
      --_on-surface: var(--callcaps-on-surface, #e3e3e3);
      --_control: var(--callcaps-control, #303134);
      --_on-control: var(--callcaps-on-control, #e3e3e3);
      --_accent: var(--callcaps-accent, #a8c7fa);
      --_on-accent: var(--callcaps-on-accent, #062e6f);
      --_danger: var(--callcaps-danger, #f2b8b5);
      --_on-danger: var(--callcaps-on-danger, #601410);
      --_border: var(--callcaps-border, #8e918f);
    }
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
  button[aria-pressed='true'],
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
  .error {
    display: flex;
    align-items: center;
    gap: var(--_gap);
    color: var(--_danger);
  }
  .error:empty {
    display: none;
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
