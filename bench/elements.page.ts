/**
 * The browser side of bench/elements.bench.ts: bundled with the production
 * build of lit and run in Chromium. Each function times in the page with
 * performance.now() and returns milliseconds per sample.
 */
import { define, SelfCapabilities, type CallControls, type PermissionsPanel, type WaitingRoom } from '../src/core.js';
import { FakeCall, member, MODERATOR, RESTRICTED } from '../test/elements/fake-call.js';

define();

const HOST = [...MODERATOR, 'waiting.admit'];
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/** Waits for the update and forces style and layout, so that the figure includes them. */
async function settled(el: HTMLElement & { updateComplete: Promise<unknown> }): Promise<void> {
  await el.updateComplete;
  void el.getBoundingClientRect().height;
  void el.shadowRoot!.firstElementChild?.getBoundingClientRect();
}

function panelCall(n: number) {
  const call = new FakeCall(HOST, member({ id: 'me', name: 'Me' }));
  call.participants.next([call.self.value!, ...Array.from({ length: n }, (_, i) => member({ id: `p${i}`, name: `Participant ${i}` }))]);
  return call;
}

/** Waits, frame by frame, until the progressive list holds `n` rows. */
async function allRows(el: HTMLElement, part: string, n: number): Promise<void> {
  while (el.shadowRoot!.querySelectorAll(`[part~="${part}"]`).length < n) await frame();
  void el.getBoundingClientRect().height;
}

/** The panel's row of member `p<i>` (rendered or not). */
const panelRow = (el: PermissionsPanel, i: number) => el.shadowRoot!.querySelector<HTMLElement>(`[data-member-id="p${i}"]`);

/**
 * 5,000 participants arriving: the first paint (append to the window laid out),
 * then each way of reaching the far end from there, timed from the arrival:
 * End on the first row (the last row focused and laid out), a search for the
 * last member (its row laid out), and scrolling to the middle (its rows laid
 * out, after the scroll event).
 */
async function panelFirstRender(n: number, samples: number): Promise<{ first: number[]; end: number[]; search: number[]; scroll: number[] }> {
  const first: number[] = [];
  const end: number[] = [];
  const search: number[] = [];
  const scroll: number[] = [];
  for (let s = 0; s < samples; s++) {
    for (const way of ['end', 'search', 'scroll'] as const) {
      const call = panelCall(n);
      const el = document.createElement('permissions-panel') as PermissionsPanel;
      el.call = call;
      await frame();
      const start = performance.now();
      document.body.append(el);
      await settled(el);
      if (way === 'end') first.push(performance.now() - start);
      const root = el.shadowRoot!;
      if (way === 'end') {
        panelRow(el, 0)!.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true, composed: true }));
        await settled(el);
        if (root.activeElement !== panelRow(el, n - 1)) throw new Error('End did not focus the last row');
        panelRow(el, n - 1)!.getBoundingClientRect();
        end.push(performance.now() - start);
      } else if (way === 'search') {
        const input = root.querySelector<HTMLInputElement>('[part~="search"]')!;
        input.value = `Participant ${n - 1}`;
        input.dispatchEvent(new Event('input'));
        await settled(el);
        panelRow(el, n - 1)!.getBoundingClientRect();
        search.push(performance.now() - start);
      } else {
        const list = root.querySelector<HTMLElement>('[part~="participants"]')!;
        list.scrollTop = list.scrollHeight / 2;
        const middle = Math.floor(list.scrollTop / 56);
        while (!panelRow(el, middle)) await new Promise((resolve) => list.addEventListener('scroll', resolve, { once: true })).then(() => el.updateComplete);
        panelRow(el, middle)!.getBoundingClientRect();
        scroll.push(performance.now() - start);
      }
      el.remove();
    }
  }
  return { first, end, search, scroll };
}

/** One participant's change to the DOM laid out: a row in view (`visible`), or anywhere in the list. */
async function panelRowChange(n: number, samples: number, visible: boolean): Promise<number[]> {
  const call = panelCall(n);
  const el = document.createElement('permissions-panel') as PermissionsPanel;
  el.call = call;
  document.body.append(el);
  await settled(el);
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const list = [...call.participants.value];
    const i = 1 + (visible ? s % 8 : (s * 37) % n);
    list[i] = { ...list[i], audio_muted: !list[i].audio_muted, permissions: { ...list[i].permissions, hasPresence: !list[i].permissions.hasPresence } };
    await frame();
    const start = performance.now();
    call.participants.next(list);
    await settled(el);
    times.push(performance.now() - start);
  }
  el.remove();
  return times;
}

function waitingCall(n: number) {
  const call = new FakeCall(HOST);
  const now = Date.now();
  call.waiting.next(Array.from({ length: n }, (_, i) => ({ id: `w${i}`, name: `Knocker ${i}`, awaiting: 'full' as const, requested_at: now - i * 1000 })));
  return call;
}

async function waitingRoom(n: number, samples: number): Promise<{ render: number[]; all: number[]; admitAll: number[] }> {
  const render: number[] = [];
  const all: number[] = [];
  const admitAll: number[] = [];
  for (let s = 0; s < samples; s++) {
    const call = waitingCall(n);
    const el = document.createElement('waiting-room') as WaitingRoom;
    el.call = call;
    await frame();
    let start = performance.now();
    document.body.append(el);
    await settled(el);
    render.push(performance.now() - start);
    await allRows(el, 'waiting-participant', n);
    all.push(performance.now() - start);
    await frame();
    // The click, the call, and the server's answer (the list empties), to the DOM.
    start = performance.now();
    el.shadowRoot!.querySelector<HTMLElement>('[part~="admit-all"]')!.click();
    call.waiting.next([]);
    await settled(el);
    admitAll.push(performance.now() - start);
    el.remove();
  }
  return { render, all, admitAll };
}

/** update() to the updated DOM (updateComplete), and to the DOM laid out, alternating two real flag sets. */
async function controlsUpdate(samples: number): Promise<{ dom: number[]; layout: number[] }> {
  const capabilities = new SelfCapabilities(RESTRICTED);
  const el = document.createElement('call-controls') as CallControls;
  el.capabilities = capabilities;
  document.body.append(el);
  await settled(el);
  const dom: number[] = [];
  const layout: number[] = [];
  for (let s = 0; s < samples; s++) {
    await frame();
    const start = performance.now();
    capabilities.update(s % 2 ? RESTRICTED : MODERATOR);
    await el.updateComplete;
    dom.push(performance.now() - start);
    await settled(el);
    layout.push(performance.now() - start);
  }
  el.remove();
  return { dom, layout };
}

(window as unknown as { bench: unknown }).bench = { panelFirstRender, panelRowChange, waitingRoom, controlsUpdate };
