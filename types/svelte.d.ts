// Generated from custom-elements.json by `npm run analyze`: do not edit.
// Svelte 5: `<call-controls>`… in markup type-check with svelte-check
// (`oncallcaps-action={…}` listens for `callcaps-action`).
import type { HTMLAttributes } from 'svelte/elements';
import type { CallControls, CallcapsActionDetail, CallcapsErrorDetail, CapabilityGate, PermissionsPanel, WaitingRoom } from 'callcaps/core';
import type { CallStage } from 'callcaps/media';
import type { CallControlsProps, CallStageProps, CapabilityGateProps, PermissionsPanelProps, WaitingRoomProps } from './props.js';

declare module 'svelte/elements' {
  export interface SvelteHTMLElements {
    /** Mic, camera, screen share, hand, deafen, lock, layout, dialpad, devices, record, end and leave controls gated by capabilities, labelled or compact. */
    'call-controls': Omit<HTMLAttributes<CallControls>, keyof CallControlsProps> & CallControlsProps & {
      /** Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect. */
      'oncallcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect. */
      'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message. */
      'oncallcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message. */
      'on:callcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
    };
    /**
     * The call's tiles: video or avatar, name, muted, hand raised, reconnecting and speaking, screen shares larger, in the room's layout.
     *
     * Reads `call.participants$`, `self$`, `room$` and, when the page added media
     * (`callcaps/media`), `call.media` (received tracks, local tracks, state).
     * Members without presence get no tile (the local participant sees its own,
     * marked hidden), nor, while the room hides them (`vmuted_hidden`), members
     * whose camera is off. Remote audio plays through hidden `<audio>` elements on the
     * speaker chosen with `call.media.selectDevice('audiooutput', id)`. The
     * layout is the room's (`grid`, or a speaker layout for any other, such as
     * `speaker` and `sidebar`) unless the `layout` attribute overrides it.
     */
    'call-stage': Omit<HTMLAttributes<CallStage>, keyof CallStageProps> & CallStageProps & {
      /** Before every action, cancelable: `detail.action` is the `Call` method, `detail.args` its arguments. Cancel it to handle the action yourself. */
      'oncallcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** Before every action, cancelable: `detail.action` is the `Call` method, `detail.args` its arguments. Cancel it to handle the action yourself. */
      'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. */
      'oncallcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. */
      'on:callcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
    };
    /** Shows its content when capabilities are granted; otherwise a fallback, or the content inert. */
    'capability-gate': Omit<HTMLAttributes<CapabilityGate>, keyof CapabilityGateProps> & CapabilityGateProps & {
      /** Before every action, cancelable: `detail.action` is the `Call` method, `detail.args` its arguments. Cancel it to handle the action yourself. */
      'oncallcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** Before every action, cancelable: `detail.action` is the `Call` method, `detail.args` its arguments. Cancel it to handle the action yourself. */
      'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. */
      'oncallcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. */
      'on:callcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
    };
    /** Participants at a glance for hosts: state, attention first, an action inline and the rest in a menu; search, bulk actions, windowed for long lists. */
    'permissions-panel': Omit<HTMLAttributes<PermissionsPanel>, keyof PermissionsPanelProps> & PermissionsPanelProps & {
      /** Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect. */
      'oncallcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect. */
      'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message. */
      'oncallcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message. */
      'on:callcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
    };
    /** Knockers to admit or deny (hosts), or the lobby's knock form and status (guests). */
    'waiting-room': Omit<HTMLAttributes<WaitingRoom>, keyof WaitingRoomProps> & WaitingRoomProps & {
      /** Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect. */
      'oncallcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect. */
      'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message. */
      'oncallcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
      /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message. */
      'on:callcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
    };
  }
}
