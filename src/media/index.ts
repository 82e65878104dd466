/**
 * Browser media for the reference server's client: publish the camera,
 * microphone and screen, receive what the others send. Lit-free.
 */
export { BrowserMedia, withMedia, type MediaOptions, type PublishKind, type ReceivedStream } from './browser-media.js';
export { audioLevel$, type AudioLevelOptions } from './audio-level.js';
