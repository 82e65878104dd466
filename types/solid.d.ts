// Generated from custom-elements.json by `npm run analyze`: do not edit.
// Solid: `<call-controls>`… in TSX type-check; `on:callcaps-action` listens
// for `callcaps-action`.

import type { JSX as SolidJSX } from 'solid-js';
import type { CallControls, CallcapsActionDetail, CallcapsErrorDetail, CapabilityGate, PermissionsPanel, WaitingRoom } from 'callcaps/core';
import type { CallStage } from 'callcaps/media';
import type { CallControlsProps, CallStageProps, CapabilityGateProps, PermissionsPanelProps, WaitingRoomProps } from './props.js';

declare module 'solid-js' {
  namespace JSX {
    interface IntrinsicElements {
      /** Mic, camera, screen share, hand, deafen, lock, layout, dialpad, devices, record, end and leave controls gated by capabilities, labelled or compact. */
      'call-controls': Omit<SolidJSX.HTMLAttributes<CallControls>, keyof CallControlsProps> & CallControlsProps & {
        /** Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect. */
        'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
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
      'call-stage': Omit<SolidJSX.HTMLAttributes<CallStage>, keyof CallStageProps> & CallStageProps & {
        /** Before every action, cancelable: `detail.action` is the `Call` method, `detail.args` its arguments. Cancel it to handle the action yourself. */
        'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
        /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. */
        'on:callcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
      };
      /** Shows its content when capabilities are granted; otherwise a fallback, or the content inert. */
      'capability-gate': Omit<SolidJSX.HTMLAttributes<CapabilityGate>, keyof CapabilityGateProps> & CapabilityGateProps & {
        /** Before every action, cancelable: `detail.action` is the `Call` method, `detail.args` its arguments. Cancel it to handle the action yourself. */
        'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
        /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. */
        'on:callcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
      };
      /** Participants at a glance for hosts: state, attention first, an action inline and the rest in a menu; search, bulk actions, windowed for long lists. */
      'permissions-panel': Omit<SolidJSX.HTMLAttributes<PermissionsPanel>, keyof PermissionsPanelProps> & PermissionsPanelProps & {
        /** Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect. */
        'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
        /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message. */
        'on:callcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
      };
      /** Knockers to admit or deny (hosts), or the lobby's knock form and status (guests). */
      'waiting-room': Omit<SolidJSX.HTMLAttributes<WaitingRoom>, keyof WaitingRoomProps> & WaitingRoomProps & {
        /** Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect. */
        'on:callcaps-action'?: (event: CustomEvent<CallcapsActionDetail>) => void;
        /** An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message. */
        'on:callcaps-error'?: (event: CustomEvent<CallcapsErrorDetail>) => void;
      };
    }
  }
}
