/**
 * `callcaps/client`: the capability model and `connect()`, without lit or the
 * DOM, for Node bots, tests and apps with their own UI. The reference server
 * (`@callcaps/server`) takes its model from here too.
 */
export * from './core/capabilities.js';
export * from './core/self-capabilities.js';
export * from './core/call.js';
export { connect, CallClient, type ConnectOptions, type WebSocketLike } from './client/connect.js';
