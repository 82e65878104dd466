// Generated from custom-elements.json by `npm run analyze`: do not edit.
// The properties (and attributes under their own names) of each element, for
// the framework files beside this one.
import type { CallControls, CapabilityGate, PermissionsPanel, WaitingRoom } from 'callcaps/core';
import type { CallStage } from 'callcaps/media';

/** Properties and attributes of `<call-controls>` (`CallControls`). */
export interface CallControlsProps {
  /** Capabilities to gate on without a call (a `SelfCapabilities` or an Observable of the state); they win over the call's. */
  capabilities?: CallControls['capabilities'];
  /** Space-separated part names that narrow what is offered (it never offers what is not granted); unset offers all. */
  controls?: string;
  /** `full` (icons and labels), `compact` (icons whose tooltips are their names, the less common controls in a "More" menu), or `auto`: compact while narrower than `CallControls.compactWidth`. */
  variant?: 'auto' | 'full' | 'compact';
  /** The `Call` to bind to; the element reads its state and sends actions through it. */
  call?: CallControls['call'];
  /** How absent capabilities show: `hide` removes the control, `disable` shows it disabled with the reason. */
  gating?: 'hide' | 'disable';
  /** `light` or `dark`; unset follows the user's `prefers-color-scheme`. */
  theme?: 'light' | 'dark';
  /** Replacements for any user-visible string, over the registered locale of the element's `lang` (English by default); `{name}`-style placeholders are filled in. */
  strings?: CallControls['strings'];
}

/** Properties and attributes of `<call-stage>` (`CallStage`). */
export interface CallStageProps {
  /** `grid` or `speaker`: overrides the room's layout when set. */
  layout?: string;
  /**
   * The most tiles shown (25 by default). With more members, the last tile
   * says how many more there are, and the tiles go to the main one and the
   * local participant, then to those sending video, those speaking, and
   * raised hands, then in call order: a room of thousands stays light.
   */
  maxTiles?: number;
  /** The `max-tiles` attribute: see `maxTiles`. */
  'max-tiles'?: number;
  /** The `Call` to bind to; the element reads its state and sends actions through it. */
  call?: CallStage['call'];
  /** How absent capabilities show: `hide` removes the control, `disable` shows it disabled with the reason. */
  gating?: 'hide' | 'disable';
  /** `light` or `dark`; unset follows the user's `prefers-color-scheme`. */
  theme?: 'light' | 'dark';
  /** Replacements for any user-visible string, over the registered locale of the element's `lang` (English by default); `{name}`-style placeholders are filled in. */
  strings?: CallStage['strings'];
}

/** Properties and attributes of `<capability-gate>` (`CapabilityGate`). */
export interface CapabilityGateProps {
  /** Capabilities to gate on without a call (a `SelfCapabilities` or an Observable of the state); they win over the call's. */
  capabilities?: CapabilityGate['capabilities'];
  /** Space-separated flags of the grammar, e.g. `member.remove lock.on`. */
  capability?: string;
  /** `all` (default): every flag must be granted; `any`: one is enough. */
  require?: 'all' | 'any';
  /** `can-request`: the content also shows when the matching `request.*` flag is held (audio, video, screen share). */
  mode?: 'grant' | 'can-request';
  /** The `Call` to bind to; the element reads its state and sends actions through it. */
  call?: CapabilityGate['call'];
  /** How absent capabilities show: `hide` removes the control, `disable` shows it disabled with the reason. */
  gating?: 'hide' | 'disable';
  /** `light` or `dark`; unset follows the user's `prefers-color-scheme`. */
  theme?: 'light' | 'dark';
  /** Replacements for any user-visible string, over the registered locale of the element's `lang` (English by default); `{name}`-style placeholders are filled in. */
  strings?: CapabilityGate['strings'];
}

/** Properties and attributes of `<permissions-panel>` (`PermissionsPanel`). */
export interface PermissionsPanelProps {
  /** The `Call` to bind to; the element reads its state and sends actions through it. */
  call?: PermissionsPanel['call'];
  /** How absent capabilities show: `hide` removes the control, `disable` shows it disabled with the reason. */
  gating?: 'hide' | 'disable';
  /** `light` or `dark`; unset follows the user's `prefers-color-scheme`. */
  theme?: 'light' | 'dark';
  /** Replacements for any user-visible string, over the registered locale of the element's `lang` (English by default); `{name}`-style placeholders are filled in. */
  strings?: PermissionsPanel['strings'];
}

/** Properties and attributes of `<waiting-room>` (`WaitingRoom`). */
export interface WaitingRoomProps {
  /** The name the knocker already gave (a join form's): the lobby's name field starts with it. */
  name?: string;
  /** The room's name for the lobby, when the call does not know it yet (a knocker has no room state). */
  roomName?: string;
  /** The `room-name` attribute: see `roomName`. */
  'room-name'?: string;
  /** The `Call` to bind to; the element reads its state and sends actions through it. */
  call?: WaitingRoom['call'];
  /** How absent capabilities show: `hide` removes the control, `disable` shows it disabled with the reason. */
  gating?: 'hide' | 'disable';
  /** `light` or `dark`; unset follows the user's `prefers-color-scheme`. */
  theme?: 'light' | 'dark';
  /** Replacements for any user-visible string, over the registered locale of the element's `lang` (English by default); `{name}`-style placeholders are filled in. */
  strings?: WaitingRoom['strings'];
}
