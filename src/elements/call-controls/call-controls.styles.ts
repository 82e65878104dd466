import { css } from 'lit';

export const styles = css`
  :host {
    --_controls-gap: var(--call-controls-gap, var(--_gap));
    --_controls-background: var(--call-controls-background, var(--_surface));
    display: block;
  }
  .sizer {
    height: 0;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_controls-gap);
    padding: var(--_controls-gap);
    background: var(--_controls-background);
  }
  /* --_bg is each control's background, so that the gap beside an icon's slash matches it. */
  button {
    --_bg: var(--_control);
    position: relative;
    background: var(--_bg);
  }
  /* A muted mic and a camera that is off warn; other toggles that are on (sharing, raised, locked, recording) stand out. */
  :is([part~='mic'], [part~='camera'])[data-state='off'],
  button.danger {
    --_bg: var(--_danger);
    border-color: var(--_danger);
    color: var(--_on-danger);
  }
  :not([part~='mic'], [part~='camera'])[data-state='on'] {
    --_bg: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }
  button[data-mode='request'] {
    border-style: dashed;
  }
  :host(:dir(rtl)) [data-icon='leave'] svg {
    transform: scaleX(-1);
  }
  /* A control the participant cannot use reads as locked (badge and reason), not as a faded pressed button. */
  button[aria-disabled='true'] {
    opacity: 1;
  }
  button[aria-disabled='true'] > :not(.badge) {
    opacity: 0.6;
  }
  .badge {
    position: absolute;
    inset-block-start: -6px;
    inset-inline-end: -6px;
    display: flex;
    padding: 2px;
    border: 1px solid var(--_border);
    border-radius: 50%;
    background: var(--_surface);
    color: var(--_on-surface);
  }
  .badge svg {
    width: 10px;
    height: 10px;
  }
  /* Compact: icon-only controls; each label is the control's accessible name and, on hover or focus, its tooltip. */
  [data-layout='compact'] {
    justify-content: center;
  }
  [data-layout='compact'] > button {
    justify-content: center;
    min-width: 40px;
    min-height: 40px;
    padding: 6px;
  }
  [data-layout='compact'] > button > .label {
    position: absolute;
    bottom: calc(100% + 6px);
    left: 50%;
    z-index: 1;
    transform: translateX(-50%);
    padding: 2px 8px;
    border-radius: var(--_radius);
    background: var(--_on-surface);
    color: var(--_surface);
    font-size: 12px;
    white-space: nowrap;
    pointer-events: none;
    clip-path: inset(50%);
  }
  [data-layout='compact'] > button:is(:hover, :focus-visible) > .label {
    clip-path: none;
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
  .menu,
  .menu > [role='group'] {
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .menu {
    width: max-content;
    margin-inline-start: auto;
  }
  .menu button {
    --_bg: var(--_controls-background);
    width: 100%;
    border-color: transparent;
  }
  .menu [aria-checked='true'] {
    font-weight: 600;
    border-color: var(--_accent);
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
  /* A notice (or a request sent) reads as a note under the bar. */
  [part~='status']:not(:empty) {
    margin-top: 4px;
    padding: 4px 12px;
    border-radius: var(--_radius);
    background: var(--_control);
    color: var(--_on-control);
  }
`;
