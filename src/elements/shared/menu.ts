/**
 * Keyboard moves shared by the elements' menus (WAI-ARIA APG menu button) and
 * lists (roving focus): one notion of "where does this key go".
 */

/**
 * The index that ArrowDown, ArrowUp, Home or End moves to among `n` items from
 * `at`: wrapping around (menus) or stopping at either end (lists); undefined
 * for any other key.
 */
export function step(key: string, at: number, n: number, wrap: boolean): number | undefined {
  const to = ({ ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: n - 1 } as Record<string, number>)[key];
  return to === undefined ? to : wrap ? (to + n) % n : Math.max(0, Math.min(n - 1, to));
}

/**
 * Keys inside an open menu: arrows move focus among its items and wrap,
 * Home/End jump. Returns `Escape` (default prevented) or `Tab` for the caller
 * to close the menu; undefined otherwise.
 */
export function menuKey(event: KeyboardEvent, menu: Element): 'Escape' | 'Tab' | undefined {
  const items = [...menu.querySelectorAll<HTMLElement>('[role^="menuitem"]')];
  const to = step(event.key, items.indexOf((menu.getRootNode() as ShadowRoot).activeElement as HTMLElement), items.length, true);
  if (to !== undefined) {
    event.preventDefault();
    items[to]?.focus();
  } else if (event.key === 'Escape' || event.key === 'Tab') {
    if (event.key === 'Escape') event.preventDefault();
    return event.key;
  }
  return undefined;
}
