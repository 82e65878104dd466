/**
 * Registration of the elements: the one module with `customElements.define`.
 * The element classes themselves have no side effects.
 */
import { CallControls } from './elements/call-controls/call-controls.js';
import { PermissionsPanel } from './elements/permissions-panel/permissions-panel.js';
import { WaitingRoom } from './elements/waiting-room/waiting-room.js';
import { CapabilityGate } from './elements/capability-gate/capability-gate.js';

/** The elements and their default tag names. */
export const ELEMENTS = {
  'call-controls': CallControls,
  'permissions-panel': PermissionsPanel,
  'waiting-room': WaitingRoom,
  'capability-gate': CapabilityGate,
} as const;

/** A default tag name of callcaps. */
export type DefaultTag = keyof typeof ELEMENTS;

/**
 * Registers every element. With no argument, under its default tag
 * (`call-controls`, `permissions-panel`, `waiting-room`, `capability-gate`);
 * with a prefix string, as `<prefix>-<default tag>`; with a map, under the tag
 * it gives for a default tag (others keep their default). A tag that is
 * already defined is skipped, so registering twice never throws.
 */
export function define(tagPrefixOrMap?: string | Partial<Record<DefaultTag, string>>): void {
  if (typeof customElements === 'undefined') return;
  for (const [tag, element] of Object.entries(ELEMENTS) as [DefaultTag, CustomElementConstructor][]) {
    const name =
      typeof tagPrefixOrMap === 'string' && tagPrefixOrMap
        ? `${tagPrefixOrMap}-${tag}`
        : (typeof tagPrefixOrMap === 'object' && tagPrefixOrMap?.[tag]) || tag;
    if (customElements.get(name)) continue;
    try {
      customElements.define(name, element);
    } catch {
      // A constructor registers once: another tag gets a subclass of its own.
      try {
        customElements.define(name, class extends element {});
      } catch (error) {
        console.warn(`callcaps: could not register <${name}>`, error);
      }
    }
  }
}
