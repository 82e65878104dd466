/**
 * Registration of `<call-stage>`, apart from `define()` so that the main
 * entry does not carry media: `callcaps/media` calls it.
 */
import { CallStage } from './elements/call-stage/call-stage.js';

/**
 * Registers `<call-stage>`: under `call-stage`, as `<prefix>-call-stage` with
 * a prefix, or under the tag a map gives for `call-stage`. A tag already
 * defined is skipped, so registering twice never throws.
 */
export function defineStage(tagPrefixOrMap?: string | { 'call-stage'?: string }): void {
  if (typeof customElements === 'undefined') return;
  const name =
    typeof tagPrefixOrMap === 'string' && tagPrefixOrMap
      ? `${tagPrefixOrMap}-call-stage`
      : (typeof tagPrefixOrMap === 'object' && tagPrefixOrMap?.['call-stage']) || 'call-stage';
  if (customElements.get(name)) return;
  try {
    customElements.define(name, CallStage);
  } catch {
    // The constructor is taken by another tag: this one gets a subclass.
    try {
      customElements.define(name, class extends CallStage {});
    } catch (error) {
      console.warn(`callcaps: could not register <${name}>`, error);
    }
  }
}
