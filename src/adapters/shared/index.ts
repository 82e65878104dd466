/** The shared base of the platform adapters (see `base.ts`). */
export { AdapterCall, OP_OF_FLAG, type Emitter, type PlatformOps } from './base.js';
export { PLATFORM_ERROR, platformCode, statusOf, toServerError } from './errors.js';
export { State } from '../../core/state.js';
