/**
 * Locales: translations registered once for every element, and the language
 * an element speaks (its nearest `lang`). No imports at run time, so that a
 * locale module (`callcaps/locales/de`) carries nothing but its table.
 */
import type { CallControlsStrings } from '../call-controls/call-controls.js';
import type { CallStageStrings } from '../call-stage/call-stage.js';
import type { PermissionsPanelStrings } from '../permissions-panel/permissions-panel.js';
import type { WaitingRoomStrings } from '../waiting-room/waiting-room.js';
import type { CommonStrings } from './strings.js';

/**
 * A string that depends on a number, by the plural category of the locale
 * (`Intl.PluralRules`: English has `one` and `other`, Polish also `few` and
 * `many`, Japanese only `other`). `other` stands in for any category missing.
 * `{count}` is the number, formatted for the locale.
 */
export type Plural = { [category in Exclude<Intl.LDMLPluralRule, 'other'>]?: string } & { other: string };

/**
 * The strings of one language for every element, by default tag name, and
 * `common` for the strings they share (an element's own win). Any string left
 * out stays English.
 */
export interface Locale {
  common?: Partial<CommonStrings>;
  'call-controls'?: Partial<CallControlsStrings>;
  'permissions-panel'?: Partial<PermissionsPanelStrings>;
  'waiting-room'?: Partial<WaitingRoomStrings>;
  'call-stage'?: Partial<CallStageStrings>;
}

/**
 * A locale with every string of every element, as the shipped ones
 * (`callcaps/locales/de`…) are: a translation checked for completeness.
 */
export interface CompleteLocale extends Locale {
  common: CommonStrings;
  'call-controls': Omit<CallControlsStrings, keyof CommonStrings>;
  'permissions-panel': Omit<PermissionsPanelStrings, keyof CommonStrings>;
  'waiting-room': Omit<WaitingRoomStrings, keyof CommonStrings>;
  'call-stage': Omit<CallStageStrings, keyof CommonStrings>;
}

/** Who re-renders when the strings may have changed. */
interface Localised {
  requestUpdate(): void;
}

/**
 * The registry, one per page: under a `Symbol.for` key, so that every copy of
 * callcaps on the page (the classic scripts, the ES bundle, the npm modules)
 * and every locale script, loaded before or after them, share it.
 */
const registry: { locales: Record<string, Locale>; live: Set<Localised> } = ((globalThis as Record<symbol, never>)[
  Symbol.for('callcaps.locales')
] ??= { locales: {}, live: new Set() } as never);

let observer: MutationObserver | undefined;
const refresh = () => registry.live.forEach((el) => el.requestUpdate());

/**
 * Registers the strings of a language for every element (replacing any
 * registered before for that tag), and re-renders the elements. `lang` is a
 * BCP 47 tag: `de` serves `de`, `de-AT` and `de-CH` unless those have their
 * own. English is built in; registering `en` replaces any of its strings.
 */
export function registerLocale(lang: string, locale: Locale): void {
  registry.locales[lang.toLowerCase()] = locale;
  refresh();
}

/** The locale registered for `lang`, else for its language (`de-AT` → `de`). */
export const localeOf = (lang: string): Locale | undefined =>
  registry.locales[(lang = lang.toLowerCase())] ?? registry.locales[lang.split('-')[0]];

/**
 * The language of an element: the `lang` of its nearest element that has one,
 * itself included, looking past shadow roots to their hosts; else the
 * document's; else `en`. An empty `lang` ("unknown") means English.
 */
export function langOf(el: Element): string {
  let lang: string | null | undefined;
  for (let node: Element | undefined = el; node && lang == null; node = (node.getRootNode() as ShadowRoot).host) {
    lang = node.closest('[lang]')?.getAttribute('lang');
  }
  return (lang ?? document.documentElement.lang) || 'en';
}

/**
 * Re-renders `el` (while `live`) when a locale is registered or a `lang`
 * attribute changes anywhere in the document's tree (one MutationObserver on
 * `<html>`, subtree, `lang` only). A `lang` inside another shadow root is read
 * at every render but not observed.
 */
export function watchLang(el: Localised, live: boolean): void {
  if (live) registry.live.add(el);
  else registry.live.delete(el);
  if (!observer) (observer = new MutationObserver(refresh)).observe(document.documentElement, { attributeFilter: ['lang'], subtree: true });
}
