/**
 * `callcaps`: everything from `callcaps/core`, and every element registered
 * under its default tag name (a side effect).
 */
export * from './core.js';
import { define } from './define.js';

define();
