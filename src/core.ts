/**
 * `callcaps/core`: everything, with no side effects. Nothing is registered;
 * call `define()` to register the elements.
 *
 * The order of these lines is the order of the modules in the classic script
 * (dist/callcaps.iife.js), and gzip, whose window is 32 KB, finds more repeats
 * in this one: the client beside the model it fills, the permissions panel
 * before the call controls (about 100 bytes gzip less than with the client
 * last and the controls first). Re-measure after a large change.
 */
export * from './core/capabilities.js';
export * from './core/self-capabilities.js';
export * from './core/call.js';
export { ObservableController } from './controllers/observable-controller.js';
export { connect, CallClient, type ConnectOptions, type WebSocketLike } from './client/connect.js';
export * from './elements/shared/events.js';
export { CallcapsElement, type CapabilitiesSource, type Gating, type PluralKey } from './elements/shared/callcaps-element.js';
export type { CommonStrings } from './elements/shared/strings.js';
export { registerLocale, type CompleteLocale, type Locale, type Plural } from './elements/shared/locale.js';
export * from './elements/permissions-panel/permissions-panel.js';
export * from './elements/call-controls/call-controls.js';
export * from './elements/waiting-room/waiting-room.js';
export * from './elements/capability-gate/capability-gate.js';
export { define, ELEMENTS, type DefaultTag } from './define.js';
