// Token discipline (as Material Web does it): every CSS custom property an
// element uses is defined in its styles or documented in custom-elements.json,
// every one it defines is used, and every one it documents is used.
import { expect } from '@open-wc/testing';
import type { CSSResult, LitElement } from 'lit';
import { ELEMENTS } from '../../src/core.js';

interface Manifest {
  modules: { declarations?: { tagName?: string; cssProperties?: { name: string }[]; cssParts?: { name: string }[] }[] }[];
}

const documented = async (): Promise<Map<string, { properties: string[]; parts: string[] }>> => {
  const manifest = (await (await fetch('/custom-elements.json')).json()) as Manifest;
  const byTag = new Map<string, { properties: string[]; parts: string[] }>();
  for (const module of manifest.modules) {
    for (const declaration of module.declarations ?? []) {
      if (declaration.tagName) {
        byTag.set(declaration.tagName, {
          properties: (declaration.cssProperties ?? []).map((p) => p.name),
          parts: (declaration.cssParts ?? []).map((p) => p.name),
        });
      }
    }
  }
  return byTag;
};

/** The element's own styles (its static `styles`, flattened). */
const cssText = (element: typeof LitElement): string =>
  [element.styles].flat(Infinity as 1).map((style) => (style as CSSResult).cssText).join('\n');

const matches = (text: string, pattern: RegExp) => new Set([...text.matchAll(pattern)].map((match) => match[1]));

describe('CSS custom properties and parts', () => {
  for (const [tag, element] of Object.entries(ELEMENTS)) {
    it(`<${tag}> uses what it defines or documents, and defines or documents what it uses`, async () => {
      const docs = (await documented()).get(tag);
      expect(docs, `${tag} is in custom-elements.json`).to.not.equal(undefined);
      const css = cssText(element as unknown as typeof LitElement);
      const used = matches(css, /var\(\s*(--[\w-]+)/g);
      const defined = matches(css, /(--[\w-]+)\s*:/g);
      const undefinedButUsed = [...used].filter((name) => !defined.has(name) && !docs!.properties.includes(name));
      const definedButUnused = [...defined].filter((name) => !used.has(name));
      const documentedButUnused = docs!.properties.filter((name) => !used.has(name));
      expect(undefinedButUsed, 'used but neither defined nor documented').to.deep.equal([]);
      expect(definedButUnused, 'defined but unused').to.deep.equal([]);
      expect(documentedButUnused, 'documented but unused').to.deep.equal([]);
    });
  }

  it('every part a rendered element shows is documented', async () => {
    const docs = await documented();
    const { FakeCall, MODERATOR, member } = await import('./fake-call.js');
    const { define } = await import('../../src/core.js');
    define();
    const call = new FakeCall([...MODERATOR, 'waiting.admit', 'record', 'request'], member({ id: 'me', owner: true }));
    call.participants.next([call.self.value!, member({ id: 'a', name: 'A' })]);
    call.requests.next([{ member_id: 'a', name: 'A', permissions: ['audio'], requested_at: 0 }]);
    call.waiting.next([{ id: 'k', name: 'K', awaiting: 'full', requested_at: 0 }]);
    for (const tag of Object.keys(ELEMENTS)) {
      const el = document.createElement(tag) as LitElement & { call: unknown; capability: string; gating: string };
      el.call = call;
      el.capability = 'end';
      el.gating = 'disable';
      document.body.append(el);
      await el.updateComplete;
      const shown = new Set([...el.shadowRoot!.querySelectorAll('[part]')].flatMap((node) => node.getAttribute('part')!.split(/\s+/)));
      const missing = [...shown].filter((name) => !docs.get(tag)!.parts.includes(name));
      expect(missing, tag).to.deep.equal([]);
      el.remove();
    }
  });
});
