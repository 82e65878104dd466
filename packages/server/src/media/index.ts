/**
 * Real media for the reference server: a Janus SFU that only the server talks
 * to, and the JSON-RPC methods that relay SDP and ICE to it. See media.ts for
 * the model, methods.ts for the protocol, janus-process.ts for the embedded Janus.
 */
export { Media, MEDIA_CODES, type MediaOption, type MediaOptions, type MediaServerInfo, type StreamInfo } from './media.js';
export { MEDIA_METHODS } from './methods.js';
export { findJanus, type EmbeddedJanusOptions } from './janus-process.js';
export type { JanusServerOptions } from './sfu.js';
export { delivers, forwards, mayPublish, receives, type MediaKind } from './permissions.js';
