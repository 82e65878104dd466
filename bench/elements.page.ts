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

async function panelFirstRender(n: number, samples: number): Promise<{ first: number[]; all: number[] }> {
  const times: number[] = [];
  const all: number[] = [];
  for (let s = 0; s < samples; s++) {
    const call = panelCall(n);
    const el = document.createElement('permissions-panel') as PermissionsPanel;
    el.call = call;
    await frame();
    const start = performance.now();
    document.body.append(el);
    await settled(el);
    times.push(performance.now() - start);
    await allRows(el, 'participant', n);
    all.push(performance.now() - start);
    el.remove();
  }
  return { first: times, all };
}

async function panelRowChange(n: number, samples: number): Promise<number[]> {
  const call = panelCall(n);
  const el = document.createElement('permissions-panel') as PermissionsPanel;
  el.call = call;
  document.body.append(el);
  await settled(el);
  await allRows(el, 'participant', n);
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const list = [...call.participants.value];
    const i = 1 + (s * 37) % n;
    list[i] = { ...list[i], permissions: { ...list[i].permissions, hasPresence: !list[i].permissions.hasPresence } };
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
