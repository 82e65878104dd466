// Toggles that show their state: label, icon and data-state follow it, never
// aria-pressed (the label changes, so WAI-ARIA rules aria-pressed out); a
// control the participant cannot use names the rule that stops it.
import { expect, fixture, html } from '@open-wc/testing';
import { define, type CallControls, type Gating, type Member, type RoomState } from '../../../src/core.js';
import { FakeCall, member, MODERATOR, room } from '../fake-call.js';
import { accessibleName, actionable, description, has, part } from '../helpers.js';

define();

async function controls(call: FakeCall, gating: Gating = 'hide', extra: Partial<CallControls> = {}) {
  const el = await fixture<CallControls>(html`<call-controls .call=${call} gating=${gating}></call-controls>`);
  Object.assign(el, extra);
  await el.updateComplete;
  return el;
}

/** What a user (sighted or not) can tell about a control. */
function face(control: HTMLElement) {
  return {
    name: accessibleName(control),
    icon: control.dataset.icon,
    slot: control.querySelector('slot')?.name,
    crossed: !!control.querySelector('svg .slash'),
    state: control.dataset.state,
    pressed: control.getAttribute('aria-pressed'),
    actionable: actionable(control),
    reason: description(control),
    locked: !!control.querySelector('[part~="locked"]'),
  };
}

interface Face {
  name: string;
  icon: string;
  state: 'on' | 'off';
  /** Why this face's action is refused when its direction is not granted. */
  denied: string;
}

// [part, flag prefix (both directions), how to put the state in, face while the flag's state does not hold, face while it does]
const TOGGLES: [string, string, (on: boolean) => { self?: Partial<Member>; room?: Partial<RoomState> }, Face, Face][] = [
  ['mic', 'self.mute.audio', (on) => ({ self: { audio_muted: on } }),
    { name: 'Mute', icon: 'mic', state: 'on', denied: 'This call does not let you mute yourself' },
    { name: 'Unmute', icon: 'mic-off', state: 'off', denied: 'Your host has not allowed you to unmute' }],
  ['camera', 'self.mute.video', (on) => ({ self: { video_muted: on } }),
    { name: 'Stop video', icon: 'camera', state: 'on', denied: 'This call does not let you stop your video' },
    { name: 'Start video', icon: 'camera-off', state: 'off', denied: 'Your host has not allowed you to start your video' }],
  ['screenshare', 'screenshare', (on) => ({ self: { screenshare: on } }),
    { name: 'Share screen', icon: 'screenshare', state: 'off', denied: 'Your host has not allowed you to share your screen' },
    { name: 'Stop sharing', icon: 'screenshare-off', state: 'on', denied: 'Your host has not allowed you to share your screen' }],
  ['hand', 'self.raisehand', (on) => ({ self: { handraised: on } }),
    { name: 'Raise hand', icon: 'hand', state: 'off', denied: 'This call does not let you raise your hand' },
    { name: 'Lower hand', icon: 'hand-off', state: 'on', denied: 'Only hosts can lower your hand' }],
  ['deafen', 'self.deaf', (on) => ({ self: { deaf: on } }),
    { name: 'Deafen', icon: 'deafen', state: 'off', denied: 'This call does not let you deafen yourself' },
    { name: 'Undeafen', icon: 'deafen-off', state: 'on', denied: 'Only hosts can undeafen you' }],
  ['lock', 'lock', (on) => ({ room: { locked: on } }),
    { name: 'Lock room', icon: 'unlock', state: 'off', denied: 'Only hosts can lock the room' },
    { name: 'Unlock room', icon: 'lock', state: 'on', denied: 'Only hosts can unlock the room' }],
  ['record', 'record', (on) => ({ room: { recording: on } }),
    { name: 'Start recording', icon: 'record', state: 'off', denied: 'Only hosts can start recording' },
    { name: 'Stop recording', icon: 'record-stop', state: 'on', denied: 'Only hosts can stop recording' }],
];

function callWith(flags: string[], put: { self?: Partial<Member>; room?: Partial<RoomState> }): FakeCall {
  const call = new FakeCall(flags, member({ id: 'me', ...put.self }));
  call.room.next(room(put.room));
  return call;
}

describe('<call-controls> toggles', () => {
  for (const [name, flag, put, ...faces] of TOGGLES) {
    describe(name, () => {
      for (const on of [false, true]) {
        const expected = faces[on ? 1 : 0];
        const label = `${on ? 'after' : 'before'} pressing ("${expected.name}")`;

        it(`${label}: label, icon and state agree, without aria-pressed, in both gating modes`, async () => {
          for (const gating of ['hide', 'disable'] as const) {
            const el = await controls(callWith([flag], put(on)), gating);
            expect(face(part(el, name)!), gating).to.deep.equal({
              name: expected.name,
              icon: expected.icon,
              slot: `${expected.icon}-icon`,
              crossed: /-off$/.test(expected.icon),
              state: expected.state,
              pressed: null,
              actionable: true,
              reason: '',
              locked: false,
            });
          }
        });

        it(`${label}: without the capability, hidden (hide) or locked with the rule (disable)`, async () => {
          let el = await controls(callWith([], put(on)));
          expect(has(el, name)).to.equal(false);
          el = await controls(callWith([], put(on)), 'disable');
          const control = part(el, name)!;
          expect(face(control)).to.deep.include({
            name: expected.name,
            icon: expected.icon,
            state: expected.state,
            pressed: null,
            actionable: false,
            reason: expected.denied,
            locked: true,
          });
          expect(control.title).to.equal(expected.denied);
          await expect(el).to.be.accessible();
        });

        if (flag !== 'screenshare') {
          it(`${label}: with only the other direction, shown in both gating modes, locked with the rule`, async () => {
            for (const gating of ['hide', 'disable'] as const) {
              const el = await controls(callWith([`${flag}.${on ? 'on' : 'off'}`], put(on)), gating);
              expect(face(part(el, name)!), gating).to.deep.include({
                name: expected.name,
                icon: expected.icon,
                state: expected.state,
                actionable: false,
                reason: expected.denied,
                locked: true,
              });
            }
          });
        }
      }

      it('pressing flips label, icon and state together', async () => {
        const call = callWith([flag], put(false));
        const el = await controls(call);
        const control = part(el, name)!;
        control.click();
        // The fake call does not echo state: push what the server would send.
        const next = put(true);
        if (next.self) call.self.next(member({ id: 'me', ...next.self }));
        if (next.room) call.room.next(room(next.room));
        await el.updateComplete;
        expect(face(part(el, name)!)).to.deep.include({ name: faces[1].name, icon: faces[1].icon, state: faces[1].state });
        expect(call.calls.length).to.equal(1);
      });
    });
  }

  it('a locked control is not faded out: its label stays readable beside the lock badge', async () => {
    const el = await controls(callWith(['lock.off'], put0()), 'disable');
    const lock = part(el, 'lock')!;
    expect(getComputedStyle(lock).opacity).to.equal('1');
    expect(getComputedStyle(part(el, 'locked', lock)!).opacity).to.equal('1');
    expect(part(el, 'locked', lock)!.getBoundingClientRect().width).to.be.greaterThan(0);
  });

  it('strings localise both faces and every reason', async () => {
    const strings = { unmute: 'Stummschaltung aufheben', micDenied: 'Dein Host hat das Mikrofon nicht freigegeben', unlock: 'Raum öffnen' };
    const el = await controls(callWith(['self.mute.audio.on'], { self: { audio_muted: true }, room: { locked: true } }), 'disable', { strings });
    expect(face(part(el, 'mic')!)).to.deep.include({ name: strings.unmute, reason: strings.micDenied });
    expect(accessibleName(part(el, 'lock')!)).to.equal('Raum öffnen');
  });
});

function put0() {
  return { room: { locked: false } };
}

describe('<call-controls> reasons', () => {
  it('every disabled control names its rule, never the generic refusal', async () => {
    const el = await controls(callWith([], { self: { audio_muted: true, video_muted: true } }), 'disable');
    const reasons = Object.fromEntries(
      ['mic', 'camera', 'screenshare', 'hand', 'deafen', 'lock', 'record', 'dialpad', 'devices', 'end'].map((name) => [name, description(part(el, name)!)]),
    );
    expect(reasons).to.deep.equal({
      mic: 'Your host has not allowed you to unmute',
      camera: 'Your host has not allowed you to start your video',
      screenshare: 'Your host has not allowed you to share your screen',
      hand: 'This call does not let you raise your hand',
      deafen: 'This call does not let you deafen yourself',
      lock: 'Only hosts can lock the room',
      record: 'Only hosts can start recording',
      dialpad: 'This call does not let you send digits',
      devices: 'You can choose devices once you are in the call',
      end: 'Only hosts can end the call for everyone',
    });
    expect(description(part(el, 'layout')!)).to.equal('Only hosts can change the layout');
    expect(Object.values(reasons).join(' ')).to.not.match(/not allowed to do/i);
  });

  it('request mode says why it asks', async () => {
    const call = callWith(['request.audio', 'request.video', 'request.screenshare'], { self: { audio_muted: true, video_muted: true } });
    const el = await controls(call);
    const mic = part(el, 'mic')!;
    expect(face(mic)).to.deep.include({ name: 'Ask to speak', icon: 'mic-off', actionable: true, reason: 'Your host has not allowed you to unmute', pressed: null });
    expect(mic.dataset.mode).to.equal('request');
    expect(description(part(el, 'screenshare')!)).to.equal('Your host has not allowed you to share your screen');
    await expect(el).to.be.accessible();
  });

  it('a moderator sees no reason and no lock on anything', async () => {
    const el = await controls(new FakeCall([...MODERATOR, 'record']));
    expect(el.shadowRoot!.querySelectorAll('[part~="locked"], [aria-describedby]').length).to.equal(0);
  });
});
