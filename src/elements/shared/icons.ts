import { html, type TemplateResult } from 'lit';

/** One 24×24 inline SVG icon, hidden from assistive technology (its control has a name). */
const icon = (d: string): TemplateResult =>
  html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${d}></path></svg>`;

/**
 * The same icon crossed out (muted, off, stop): a slash over it, set apart by
 * a gap in the control's own background (`.gap` strokes with `--_bg`), so one
 * path serves both faces of a toggle.
 */
const slashed = (d: string): TemplateResult =>
  html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${d}></path><path class="gap" d="M3 3l18 18"></path><path class="slash" d="M3 3l18 18"></path></svg>`;

const MIC = 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z';
const CAMERA = 'M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z';
const SCREEN = 'M20 18a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2H0v2h24v-2zM4 6h16v10H4zm9 7.5V11c-3 0-5 1-6.5 3 .5-3 2.5-5.5 6.5-6V5.5l4 4z';
const HAND = 'M21 7a2 2 0 0 0-4 0v5h-1V4a2 2 0 0 0-4 0v8h-1V5a2 2 0 0 0-4 0v9.5l-3.2-2.2a1.7 1.7 0 0 0-2.4 2.4L8 21h10a3 3 0 0 0 3-3z';
const HEADPHONES = 'M12 3a9 9 0 0 0-9 9v7a2 2 0 0 0 2 2h3v-8H5v-1a7 7 0 0 1 14 0v1h-3v8h3a2 2 0 0 0 2-2v-7a9 9 0 0 0-9-9z';

/** The inline icons (Material-style paths). Every element lets a slot replace them. */
export const icons = {
  mic: icon(MIC),
  micOff: slashed(MIC),
  camera: icon(CAMERA),
  cameraOff: slashed(CAMERA),
  screenshare: icon(SCREEN),
  screenshareOff: slashed(SCREEN),
  hand: icon(HAND),
  handOff: slashed(HAND),
  deafen: icon(HEADPHONES),
  deafenOff: slashed(HEADPHONES),
  lock: icon('M18 8h-1V6A5 5 0 0 0 7 6v2H6a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2zM9 6a3 3 0 0 1 6 0v2H9zm3 11a2 2 0 1 1 0-4 2 2 0 0 1 0 4z'),
  unlock: icon('M18 8H9V6a3 3 0 0 1 6 0h2A5 5 0 0 0 7 6v2H6a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2zm-6 9a2 2 0 1 1 0-4 2 2 0 0 1 0 4z'),
  layout: icon('M3 3h8v8H3zm10 0h8v8h-8zM3 13h8v8H3zm10 0h8v8h-8z'),
  dialpad: icon('M6 2a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM6 9a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm-6 7a2 2 0 1 0 0 4 2 2 0 0 0 0-4z'),
  devices: icon('M3 17v2h6v-2zM3 5v2h10V5zm10 16v-2h8v-2h-8v-2h-2v6zM7 9v2H3v2h4v2h2V9zm14 4v-2H11v2zm-6-4h2V7h4V5h-4V3h-2z'),
  record: icon('M12 6a6 6 0 1 0 0 12 6 6 0 0 0 0-12z'),
  recordStop: icon('M7 7h10v10H7z'),
  end: icon('M12 8C7.6 8 3.6 9.6 1 12.4L3.8 16l4.2-1.8v-3.1a13 13 0 0 1 8 0v3.1l4.2 1.8 2.8-3.6C20.4 9.6 16.4 8 12 8z'),
  leave: icon('M14 7l-1.4 1.4 2.6 2.6H5v2h10.2l-2.6 2.6L14 17l5-5zM19 19h-7v2h7a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2h-7v2h7z'),
  requestPresence: icon('M15 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-9-2V7H4v3H1v2h3v3h2v-3h3v-2zm9 4c-2.7 0-8 1.3-8 4v2h16v-2c0-2.7-5.3-4-8-4z'),
  more: icon('M12 8a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm0 2a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm0 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4z'),
};

/** The name of an icon (kebab-case, as in `data-icon` and the `<name>-icon` slots). */
export type IconName =
  | 'mic' | 'mic-off' | 'camera' | 'camera-off' | 'screenshare' | 'screenshare-off' | 'hand' | 'hand-off'
  | 'deafen' | 'deafen-off' | 'lock' | 'unlock' | 'layout' | 'dialpad' | 'devices' | 'record' | 'record-stop'
  | 'end' | 'leave' | 'request-presence' | 'more';
