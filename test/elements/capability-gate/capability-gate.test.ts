import { expect, fixture, html } from '@open-wc/testing';
import { BehaviorSubject } from 'rxjs';
import { define, parseCapabilities, SelfCapabilities, type CapabilityGate } from '../../../src/core.js';
import { EMPTY, FakeCall, MODERATOR, RESTRICTED } from '../fake-call.js';
import { captureWarnings, part } from '../helpers.js';

define();

type Options = { capability: string; require?: 'all' | 'any'; mode?: 'grant' | 'can-request'; gating?: 'hide' | 'disable' };

async function gate(source: { call?: FakeCall; capabilities?: unknown }, o: Options) {
  return fixture<CapabilityGate>(html`<capability-gate
    .call=${source.call}
    .capabilities=${source.capabilities}
    capability=${o.capability}
    require=${o.require ?? 'all'}
    mode=${o.mode ?? 'grant'}
    gating=${o.gating ?? 'hide'}
    ><button id="content">Remove</button><span slot="fallback" id="fallback">Not allowed</span></capability-gate
  >`);
}

/** What shows: the content, the fallback, the content inert, or nothing. */
function showing(el: CapabilityGate): string {
  const slot = el.shadowRoot!.querySelector('slot');
  if (!slot) return 'nothing';
  const assigned = slot.assignedElements().map((e) => e.id).join();
  return slot.closest('[inert]') ? `inert ${assigned}` : assigned;
}

describe('<capability-gate>', () => {
  it('is accessible, granted and disabled', async () => {
    let el = await gate({ call: new FakeCall(MODERATOR) }, { capability: 'lock end' });
    await expect(el).to.be.accessible();
    el = await gate({ call: new FakeCall(EMPTY) }, { capability: 'lock end', gating: 'disable' });
    await expect(el).to.be.accessible();
  });

  it('shows the content when granted, else the fallback (hide) or the content inert (disable)', async () => {
    let el = await gate({ call: new FakeCall(MODERATOR) }, { capability: 'member.remove lock.on' });
    expect(showing(el)).to.equal('content');
    expect(el.status).to.equal('granted');
    expect(el.getAttribute('status')).to.equal('granted');
    el = await gate({ call: new FakeCall(RESTRICTED) }, { capability: 'member.remove lock.on' });
    expect(showing(el)).to.equal('fallback');
    el = await gate({ call: new FakeCall(RESTRICTED) }, { capability: 'member.remove', gating: 'disable' });
    expect(showing(el)).to.equal('inert content');
    const wrapper = part(el, 'content')!;
    expect(wrapper.getAttribute('aria-disabled')).to.equal('true');
    const button = el.querySelector('button')!;
    button.focus();
    expect(document.activeElement === button).to.equal(false);
  });

  it('answers for the three real flag sets', async () => {
    const cases: [string[], string, string][] = [
      [MODERATOR, 'lock end screenshare', 'content'],
      [RESTRICTED, 'self.mute.audio.on device', 'content'],
      [RESTRICTED, 'self.mute.audio.off', 'fallback'],
      [EMPTY, 'device', 'fallback'],
    ];
    for (const [flags, capability, expected] of cases) {
      const el = await gate({ call: new FakeCall(flags) }, { capability });
      expect(showing(el), `${flags} / ${capability}`).to.equal(expected);
    }
  });

  it('require="all" needs every flag; require="any" one', async () => {
    const call = new FakeCall(['lock.on']);
    expect(showing(await gate({ call }, { capability: 'lock.on end' }))).to.equal('fallback');
    expect(showing(await gate({ call }, { capability: 'lock.on end', require: 'any' }))).to.equal('content');
    expect(showing(await gate({ call }, { capability: '' }))).to.equal('fallback');
  });

  it('can-request: the content also shows when the matching request flag is held', async () => {
    const call = new FakeCall(['self.mute.audio.on', 'request.audio']);
    let el = await gate({ call }, { capability: 'self.mute.audio.off', mode: 'can-request' });
    expect(showing(el)).to.equal('content');
    expect(el.status).to.equal('requestable');
    el = await gate({ call }, { capability: 'self.mute.audio.off' });
    expect(showing(el)).to.equal('fallback');
    el = await gate({ call }, { capability: 'screenshare', mode: 'can-request' });
    expect(showing(el)).to.equal('fallback');
    call.caps.update(['request.screenshare']);
    await el.updateComplete;
    expect(el.status).to.equal('requestable');
  });

  it('follows capability changes, is closed before known, and inert while reconnecting', async () => {
    const call = new FakeCall(EMPTY);
    call.caps.forget();
    const el = await gate({ call }, { capability: 'end' });
    expect(showing(el)).to.equal('fallback');
    call.caps.update(['end']);
    await el.updateComplete;
    expect(showing(el)).to.equal('content');
    call.connection.next('reconnecting');
    await el.updateComplete;
    expect(showing(el)).to.equal('inert content');
    call.connection.next('connected');
    await el.updateComplete;
    call.caps.update([]);
    await el.updateComplete;
    expect(showing(el)).to.equal('fallback');
  });

  it('works with a bare SelfCapabilities or an Observable of the state', async () => {
    const capabilities = new SelfCapabilities();
    const el = await gate({ capabilities }, { capability: 'lock' });
    expect(showing(el)).to.equal('fallback');
    capabilities.update(['lock']);
    await el.updateComplete;
    expect(showing(el)).to.equal('content');
    const state$ = new BehaviorSubject(parseCapabilities(['end']));
    const other = await gate({ capabilities: state$ }, { capability: 'end' });
    expect(showing(other)).to.equal('content');
    other.remove();
    expect(state$.observed).to.equal(false);
  });

  it('without call or capabilities shows the fallback and warns once', async () => {
    const warnings = await captureWarnings(async () => {
      const el = await gate({}, { capability: 'end' });
      expect(showing(el)).to.equal('fallback');
    });
    expect(warnings.length).to.equal(1);
  });

  it('removing the element leaves no live subscription', async () => {
    const call = new FakeCall(MODERATOR);
    const el = await gate({ call }, { capability: 'end' });
    expect(call.live).to.be.greaterThan(0);
    el.remove();
    expect(call.live).to.equal(0);
  });
});
