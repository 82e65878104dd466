/**
 * `callcaps/core`: everything, with no side effects. Nothing is registered;
 * call `define()` to register the elements.
 */
export * from './core/capabilities.js';
export * from './core/self-capabilities.js';
export * from './core/call.js';
export { ObservableController } from './controllers/observable-controller.js';
export { connect, CallClient, type ConnectOptions, type WebSocketLike } from './client/connect.js';
