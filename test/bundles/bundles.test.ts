// The built artifacts, as a page uses them: `npm test` builds before this suite.
import { expect } from '@open-wc/testing';
import { loadClassicScript } from '../elements/helpers.js';

interface CallcapsGlobal {
  parseCapabilities(flags: unknown): { end: boolean; lock: { on: boolean; off: boolean } };
  can(state: unknown, flag: string): boolean;
  SelfCapabilities: new (flags?: unknown) => { known: boolean; end: boolean; update(flags: unknown): void };
}

describe('dist/callcaps.iife.js from a plain <script> tag', () => {
  before(() => loadClassicScript('/dist/callcaps.iife.js'));

  it('exposes window.Callcaps with the core API', () => {
    const Callcaps = (window as unknown as { Callcaps: CallcapsGlobal }).Callcaps;
    const state = Callcaps.parseCapabilities(['lock.on', 'end']);
    expect(state.end).to.equal(true);
    expect(Callcaps.can(state, 'lock.on')).to.equal(true);
    expect(Callcaps.can(state, 'lock')).to.equal(false);
    const caps = new Callcaps.SelfCapabilities();
    expect(caps.known).to.equal(false);
    caps.update(['end']);
    expect(caps.end).to.equal(true);
  });
});

describe('dist/callcaps.bundle.js as one ES module', () => {
  it('exports the core API with nothing left to resolve', async () => {
    const bundle = (await import(/* @vite-ignore */ `${location.origin}/dist/callcaps.bundle.js`)) as CallcapsGlobal;
    expect(bundle.can(bundle.parseCapabilities(['self']), 'self.mute.audio.off')).to.equal(true);
    expect(new bundle.SelfCapabilities(['end']).end).to.equal(true);
  });

  it('has no bare import specifiers left', async () => {
    const source = await (await fetch('/dist/callcaps.bundle.js')).text();
    expect(source).not.to.match(/\bfrom\s*["'](?![./])/);
    expect(source).not.to.match(/\bimport\s*["'](?![./])/);
  });
});

describe('dist/locales/de.iife.js beside dist/callcaps.iife.js', () => {
  interface Classic {
    SelfCapabilities: new (flags?: unknown) => unknown;
  }

  it('registers German for the classic script’s elements, re-rendering those already on the page', async () => {
    if (!('Callcaps' in window)) await loadClassicScript('/dist/callcaps.iife.js');
    const Callcaps = (window as unknown as { Callcaps: Classic }).Callcaps;
    const wrapper = document.createElement('div');
    wrapper.lang = 'de';
    const controls = document.createElement('call-controls') as HTMLElement & { capabilities: unknown; updateComplete: Promise<boolean> };
    controls.capabilities = new Callcaps.SelfCapabilities(['self.mute.audio.on']);
    wrapper.append(controls);
    document.body.append(wrapper);
    const mic = () => controls.shadowRoot!.querySelector('[part~="mic"]')!.textContent!.trim();
    try {
      await controls.updateComplete;
      expect(mic(), 'no locale loaded yet').to.equal('Mute');
      await loadClassicScript('/dist/locales/de.iife.js');
      await controls.updateComplete;
      expect(mic()).to.equal('Stummschalten');
      const locales = (window as unknown as { CallcapsLocales: Record<string, { 'waiting-room': { count: unknown } }> }).CallcapsLocales;
      expect(locales.de['waiting-room'].count).to.deep.equal({ one: '{count} Person wartet', other: '{count} Personen warten' });
    } finally {
      wrapper.remove();
    }
  });
});
