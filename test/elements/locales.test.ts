/**
 * Locales: what a page with `lang` shows in every element, plural forms by the
 * locale's rules, the nearest `lang` winning (across shadow roots), re-rendering
 * when a `lang` changes or a locale is registered, `.strings` over the locale,
 * and English for whatever a locale leaves out.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { LitElement } from 'lit';
import {
  CALL_CONTROLS_STRINGS,
  define,
  PERMISSIONS_PANEL_STRINGS,
  registerLocale,
  WAITING_ROOM_STRINGS,
  type CallControls,
  type CapabilityGate,
  type PermissionsPanel,
  type WaitingParticipant,
  type WaitingRoom,
} from '../../src/core.js';
import { CALL_STAGE_STRINGS, defineStage, type CallStage } from '../../src/callcaps-media.js';
import { de } from '../../src/locales/de.js';
import { es } from '../../src/locales/es.js';
import { fr } from '../../src/locales/fr.js';
import { ja } from '../../src/locales/ja.js';
import { FakeCall, member, MODERATOR } from './fake-call.js';
import { accessibleName, part, parts, settle } from './helpers.js';

define();
defineStage();

// Knocks timed from the suite's start, before any element reads the clock: a knock 5 minutes old reads 5 minutes.
const T0 = Date.now();
const knocker = (id: string, minutesAgo = 0): WaitingParticipant => ({
  id,
  name: `Knocker ${id}`,
  awaiting: 'full',
  requested_at: T0 - minutesAgo * 60_000,
});
const knockers = (n: number) => Array.from({ length: n }, (_, i) => knocker(`k${i}`, i === 0 ? 5 : 0));
const others = (n: number) => Array.from({ length: n }, (_, i) => member({ id: `p${i}`, name: `P${i}` }));

/** A host's waiting room with `n` knockers (the first waiting for 5 minutes). */
function waitingCall(n: number): FakeCall {
  const call = new FakeCall(['waiting.admit']);
  call.waiting.next(knockers(n));
  return call;
}

/** A host's panel call listing `n` participants besides the host. */
function panelCall(n: number): FakeCall {
  const call = new FakeCall(MODERATOR);
  call.participants.next([call.self.value!, ...others(n)]);
  return call;
}

const text = (el: Element, name: string) => part(el, name)!.textContent!.trim();
const label = (el: Element, name: string) => accessibleName(part(el, name)!);

/** Every string an element shows in its shadow root (text and the names and titles of controls). */
function shown(el: Element): string {
  const root = el.shadowRoot!;
  const attributes = [...root.querySelectorAll('*')].flatMap((node) =>
    ['aria-label', 'title', 'placeholder'].map((name) => node.getAttribute(name) ?? ''),
  );
  return [root.textContent ?? '', ...attributes].join(' ');
}

async function under<T extends LitElement>(lang: string, template: unknown): Promise<T> {
  const wrapper = await fixture<HTMLElement>(html`<div lang=${lang}>${template}</div>`);
  const el = wrapper.firstElementChild as T;
  await settle(el);
  return el;
}

describe('locales', () => {
  before(() => {
    registerLocale('de', de);
    registerLocale('fr', fr);
    registerLocale('es', es);
    registerLocale('ja', ja);
  });

  describe('a page in German (lang="de")', () => {
    it('<call-controls> labels, reasons and notices in German', async () => {
      const call = new FakeCall(['self.mute.audio.on', 'device']);
      const el = await under<CallControls>('de', html`<call-controls gating="disable" .call=${call}></call-controls>`);
      expect(label(el, 'mic')).to.equal('Stummschalten');
      expect(label(el, 'leave')).to.equal('Verlassen');
      expect(part(el, 'bar')!.getAttribute('aria-label')).to.equal('Anrufsteuerung');
      expect(part(el, 'lock')!.getAttribute('title')).to.equal('Nur Hosts können den Raum sperren');
      expect(shown(el)).not.to.match(/\b(Mute|Leave|Only hosts)\b/);
    });

    it('<permissions-panel> in German, its count in German plural forms (1 Person, 3 Personen)', async () => {
      const call = panelCall(1);
      const el = await under<PermissionsPanel>('de', html`<permissions-panel .call=${call}></permissions-panel>`);
      expect(text(el, 'count')).to.equal('1 Person');
      expect(part(el, 'search')!.getAttribute('placeholder')).to.equal('Teilnehmer suchen');
      expect(label(el, 'mute-audio')).to.equal('Stummschalten: P0');
      call.participants.next([call.self.value!, ...others(3)]);
      await settle(el);
      expect(text(el, 'count')).to.equal('3 Personen');
      call.participants.next([call.self.value!, ...others(1200)]);
      await settle(el);
      expect(text(el, 'count'), 'the number formatted for the locale').to.equal('1.200 Personen');
    });

    it('<waiting-room> in German: "1 Person wartet", "3 Personen warten", waited times in words', async () => {
      const call = waitingCall(1);
      const el = await under<WaitingRoom>('de', html`<waiting-room .call=${call}></waiting-room>`);
      expect(text(el, 'count')).to.equal('1 Person wartet');
      expect(text(el, 'waited')).to.equal('wartet seit 5 Minuten');
      expect(text(el, 'admit')).to.equal('Zulassen');
      expect(label(el, 'admit')).to.equal('Knocker k0 zulassen');
      call.waiting.next(knockers(3));
      await settle(el);
      expect(text(el, 'count')).to.equal('3 Personen warten');
      expect(parts(el, 'waited').map((w) => w.textContent!.trim())).to.deep.equal([
        'wartet seit 5 Minuten',
        'gerade angekommen',
        'gerade angekommen',
      ]);
      expect(text(el, 'announcement'), 'several new knockers, announced in the plural').to.equal('2 Personen möchten teilnehmen');
    });

    it('<waiting-room> lobby in German', async () => {
      const call = new FakeCall([], member({ id: 'me', name: 'Gast' }));
      call.caps.forget();
      call.access.next({ level: 'lobby', awaiting: 'full' });
      const el = await under<WaitingRoom>('de', html`<waiting-room .call=${call}></waiting-room>`);
      expect(text(el, 'status')).to.equal('Warten, bis der Host Sie hereinlässt…');
      expect(text(el, 'cancel')).to.equal('Abbrechen');
    });

    it('<capability-gate> (no text of its own) gates as in any language', async () => {
      const call = new FakeCall(['lock']);
      const el = await under<CapabilityGate>(
        'de',
        html`<capability-gate capability="lock.on" .call=${call}><button>Sperren</button></capability-gate>`,
      );
      expect(el.status).to.equal('granted');
      expect(el.shadowRoot!.textContent).to.equal('');
    });

    it('<call-stage> in German', async () => {
      const me = member({ id: 'me', name: 'Ich', audio_muted: true });
      const call = new FakeCall(MODERATOR, me);
      call.participants.next([me, member({ id: 'ada', name: 'Ada' })]);
      const el = await under<CallStage>('de', html`<call-stage .call=${call}></call-stage>`);
      expect(part(el, 'tiles')!.getAttribute('aria-label')).to.equal('Teilnehmer');
      expect(el.shadowRoot!.querySelector('[data-self] [part~="name"]')!.textContent).to.equal('Ich (Sie)');
      expect(shown(el)).to.contain('Stummgeschaltet').and.to.contain('Mikrofon an');
    });
  });

  describe('French, Spanish and Japanese', () => {
    it('French: 0 and 1 are singular, a translated control', async () => {
      const call = panelCall(0);
      const el = await under<PermissionsPanel>('fr', html`<permissions-panel .call=${call}></permissions-panel>`);
      expect(text(el, 'count')).to.equal('0 participant');
      call.participants.next([call.self.value!, ...others(2)]);
      await settle(el);
      expect(text(el, 'count')).to.equal('2 participants');
      expect(label(el, 'everyone')).to.equal('Actions pour tous');
    });

    it('Spanish: a plural and a string', async () => {
      const call = waitingCall(1);
      const el = await under<WaitingRoom>('es', html`<waiting-room .call=${call}></waiting-room>`);
      expect(text(el, 'count')).to.equal('1 persona esperando');
      expect(text(el, 'waited')).to.equal('esperando desde hace 5 minutos');
      call.waiting.next(knockers(4));
      await settle(el);
      expect(text(el, 'count')).to.equal('4 personas esperando');
      expect(text(el, 'admit-all')).to.equal('Admitir a todos');
    });

    it('Japanese: one form for every count, and a string', async () => {
      const call = waitingCall(1);
      const el = await under<WaitingRoom>('ja', html`<waiting-room .call=${call}></waiting-room>`);
      expect(text(el, 'count')).to.equal('1 人が待機中');
      call.waiting.next(knockers(3));
      await settle(el);
      expect(text(el, 'count')).to.equal('3 人が待機中');
      expect(text(el, 'deny-all')).to.equal('すべて拒否');
      const controls = await under<CallControls>('ja', html`<call-controls .call=${new FakeCall()}></call-controls>`);
      expect(label(controls, 'mic')).to.equal('ミュート');
    });

    it('a region (de-AT) takes its language (de) when it has no locale of its own', async () => {
      const el = await under<WaitingRoom>('de-AT', html`<waiting-room .call=${waitingCall(2)}></waiting-room>`);
      expect(text(el, 'count')).to.equal('2 Personen warten');
    });
  });

  describe('the nearest lang', () => {
    it('an element under lang="fr" inside a lang="de" page speaks French', async () => {
      const wrapper = await fixture<HTMLElement>(html`<div lang="de">
        <waiting-room id="de" .call=${waitingCall(2)}></waiting-room>
        <section lang="fr"><waiting-room id="fr" .call=${waitingCall(2)}></waiting-room></section>
      </div>`);
      const [inDe, inFr] = ['de', 'fr'].map((id) => wrapper.querySelector<WaitingRoom>(`#${id}`)!);
      await settle(inFr);
      expect(text(inDe, 'count')).to.equal('2 Personen warten');
      expect(text(inFr, 'count')).to.equal('2 personnes en attente');
    });

    it("an element's own lang wins, and a lang outside a shadow root reaches the elements inside it", async () => {
      const own = await under<WaitingRoom>('de', html`<waiting-room lang="es" .call=${waitingCall(2)}></waiting-room>`);
      expect(text(own, 'count')).to.equal('2 personas esperando');
      const host = await fixture<HTMLElement>(html`<div lang="fr"></div>`);
      const root = host.attachShadow({ mode: 'open' });
      const inner = document.createElement('waiting-room') as WaitingRoom;
      inner.call = waitingCall(3);
      root.append(inner);
      await settle(inner);
      expect(text(inner, 'count')).to.equal('3 personnes en attente');
    });

    it('re-renders when lang changes on an ancestor, on <html>, or on the element', async () => {
      const call = waitingCall(3);
      const wrapper = await fixture<HTMLElement>(html`<div lang="de"><waiting-room .call=${call}></waiting-room></div>`);
      const el = wrapper.querySelector<WaitingRoom>('waiting-room')!;
      await settle(el);
      expect(text(el, 'count')).to.equal('3 Personen warten');
      wrapper.lang = 'fr';
      await new Promise((resolve) => setTimeout(resolve));
      await settle(el);
      expect(text(el, 'count')).to.equal('3 personnes en attente');
      el.lang = 'ja';
      await new Promise((resolve) => setTimeout(resolve));
      await settle(el);
      expect(text(el, 'count')).to.equal('3 人が待機中');

      const html0 = document.documentElement.lang;
      try {
        const free = await fixture<WaitingRoom>(html`<waiting-room .call=${waitingCall(3)}></waiting-room>`);
        document.documentElement.lang = 'es';
        await new Promise((resolve) => setTimeout(resolve));
        await settle(free);
        expect(text(free, 'count')).to.equal('3 personas esperando');
        document.documentElement.removeAttribute('lang');
        await new Promise((resolve) => setTimeout(resolve));
        await settle(free);
        expect(text(free, 'count'), 'no lang anywhere: English').to.equal('3 waiting');
      } finally {
        document.documentElement.lang = html0;
      }
    });

    it('an invalid or empty lang is English, never an exception', async () => {
      const bad = await under<WaitingRoom>('not a tag!', html`<waiting-room .call=${waitingCall(2)}></waiting-room>`);
      expect(text(bad, 'count')).to.equal('2 waiting');
      const empty = await under<WaitingRoom>('', html`<waiting-room .call=${waitingCall(2)}></waiting-room>`);
      expect(text(empty, 'count')).to.equal('2 waiting');
    });
  });

  describe('registering and overriding', () => {
    it('a locale registered after the elements rendered re-renders them', async () => {
      const el = await under<WaitingRoom>('it', html`<waiting-room .call=${waitingCall(1)}></waiting-room>`);
      expect(text(el, 'count')).to.equal('1 waiting');
      registerLocale('it', {
        'waiting-room': { count: { one: '{count} persona in attesa', other: '{count} persone in attesa' } },
      });
      await settle(el);
      expect(text(el, 'count')).to.equal('1 persona in attesa');
    });

    it('.strings on an element wins over its locale (and a plain string still serves every count)', async () => {
      const el = await under<WaitingRoom>('de', html`<waiting-room .call=${waitingCall(2)}></waiting-room>`);
      el.strings = { admitAll: 'Alle rein', count: { one: 'eine Person', other: '{count} Leute' } };
      await settle(el);
      expect(text(el, 'admit-all')).to.equal('Alle rein');
      expect(text(el, 'count')).to.equal('2 Leute');
      expect(text(el, 'deny-all'), 'the rest from the locale').to.equal('Alle ablehnen');
      el.strings = { count: '{count} vor der Tür' as never };
      await settle(el);
      expect(text(el, 'count')).to.equal('2 vor der Tür');
    });

    it('a string a locale leaves out is English, never "undefined"', async () => {
      registerLocale('eo', {
        common: { dismiss: 'Fermi' },
        'waiting-room': { admitAll: 'Akcepti ĉiujn', count: { one: 'unu atendas' } as never },
        'permissions-panel': { title: 'Partoprenantoj' },
      });
      const el = await under<WaitingRoom>('eo', html`<waiting-room .call=${waitingCall(3)}></waiting-room>`);
      expect(text(el, 'admit-all')).to.equal('Akcepti ĉiujn');
      expect(text(el, 'deny-all')).to.equal(WAITING_ROOM_STRINGS.denyAll);
      expect(text(el, 'count'), 'no form for the category and no `other`: English').to.equal('3 waiting');
      const panel = await under<PermissionsPanel>('eo', html`<permissions-panel .call=${panelCall(2)}></permissions-panel>`);
      expect(text(panel, 'count')).to.equal('2 participants');
      expect(part(panel, 'search')!.getAttribute('placeholder')).to.equal(PERMISSIONS_PANEL_STRINGS.search);
      for (const el2 of [el, panel]) expect(shown(el2)).not.to.contain('undefined');
    });

    it('every shipped locale translates every string of every element, plural forms included', () => {
      const common = ['notReady', 'reconnecting', 'actionFailed', 'forbidden', 'dismiss', 'cancel'];
      const english = {
        'call-controls': CALL_CONTROLS_STRINGS,
        'permissions-panel': PERMISSIONS_PANEL_STRINGS,
        'waiting-room': WAITING_ROOM_STRINGS,
        'call-stage': CALL_STAGE_STRINGS,
      };
      for (const [lang, locale] of Object.entries({ de, fr, es, ja })) {
        expect(Object.keys(locale.common).sort(), `${lang} common`).to.deep.equal([...common].sort());
        for (const [section, strings] of Object.entries(english)) {
          const keys = Object.keys(strings).filter((key) => !common.includes(key));
          const table = locale[section as keyof typeof english] as Record<string, unknown>;
          expect(Object.keys(table).sort(), `${lang} ${section}`).to.deep.equal(keys.sort());
          for (const key of keys) {
            const value = table[key];
            if (typeof value === 'object') {
              expect(value, `${lang} ${section}.${key} has other`).to.have.property('other');
              if (lang === 'ja') expect(Object.keys(value as object), 'Japanese has only other').to.deep.equal(['other']);
              else expect(value, `${lang} ${section}.${key} has one`).to.have.property('one');
            } else expect(value, `${lang} ${section}.${key}`).to.be.a('string').and.not.equal('');
          }
        }
      }
    });
  });
});
