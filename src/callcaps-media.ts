/**
 * `callcaps/media`: real media for a reference-server call (`withMedia(call)`
 * sets `call.media`) and the `<call-stage>` element, registered under its
 * default tag (a side effect). Kept out of `callcaps` and its classic script,
 * whose size budget it would break; its own classic script is
 * `dist/callcaps-media.iife.js`, which adds these exports to `window.Callcaps`.
 */
export * from './media/index.js';
export { CallStage, CALL_STAGE_STRINGS, type CallStageStrings } from './elements/call-stage/call-stage.js';
export { defineStage } from './define-stage.js';
export type { CallMedia, MediaSignalling, MediaState, MemberTracks, DeviceKind } from './core/call.js';
import { defineStage } from './define-stage.js';

defineStage();
