import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { BehaviorSubject } from 'rxjs';
import {
  CapabilityError,
  define,
  parseCapabilities,
  SelfCapabilities,
  ServerError,
  type CallControls,
  type CallcapsActionEvent,
  type CallcapsErrorEvent,
  type Gating,
} from '../../../src/core.js';
import { EMPTY, FakeCall, member, MODERATOR, RESTRICTED } from '../fake-call.js';
import { accessibleName, actionable, has, captureWarnings, description, part, parts, settle } from '../helpers.js';

define();

async function controls(call: FakeCall | undefined, gating: Gating = 'hide', extra: Partial<CallControls> = {}) {
  const el = await fixture<CallControls>(html`<call-controls .call=${call} gating=${gating}></call-controls>`);
  Object.assign(el, extra);
  await el.updateComplete;
  return el;
}

const ALL = ['mic', 'camera', 'screenshare', 'hand', 'deafen', 'lock', 'layout', 'record', 'dialpad', 'devices', 'end', 'leave'];

/** The controls that are rendered, and those of them that are actionable. */
function offered(el: CallControls) {
  const rendered = ALL.filter((name) => part(el, name));
  return { rendered, actionable: rendered.filter((name) => actionable(part(el, name))) };
}

describe('<call-controls>', () => {
  describe('accessibility', () => {
    it('is accessible for a moderator', async () => {
      const el = await controls(new FakeCall(MODERATOR));
      await expect(el).to.be.accessible();
    });

    it('is accessible disabled, restricted and muted, and in dark theme', async () => {
      const call = new FakeCall(RESTRICTED, member({ id: 'me', audio_muted: true, video_muted: true }));
      const el = await controls(call, 'disable');
      el.theme = 'dark';
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });

    it('is accessible with the end confirmation, the dialpad and an error showing', async () => {
      const call = new FakeCall(MODERATOR);
      call.failing.set('lock', new ServerError(4403, 'forbidden'));
      const el = await controls(call);
      part(el, 'lock')!.click();
      await settle(el);
      part(el, 'end')!.click();
      await settle(el);
      await expect(el).to.be.accessible();
      part(el, 'dialpad')!.click();
      await settle(el);
      await expect(el).to.be.accessible();
    });
  });

  describe('the real flag sets', () => {
    it("offers a moderator's controls, each actionable", async () => {
      const el = await controls(new FakeCall(MODERATOR));
      const { rendered, actionable: live } = offered(el);
      expect(rendered).to.deep.equal(['mic', 'camera', 'screenshare', 'hand', 'deafen', 'lock', 'layout', 'dialpad', 'devices', 'end', 'leave']);
      expect(live).to.deep.equal(rendered);
      expect(has(el, 'request-presence')).to.equal(false);
    });

    it('restricted, unmuted: mute allowed, the rest hidden (hide)', async () => {
      const el = await controls(new FakeCall(RESTRICTED));
      expect(offered(el)).to.deep.equal({
        rendered: ['mic', 'camera', 'devices', 'leave'],
        actionable: ['mic', 'camera', 'devices', 'leave'],
      });
    });

    it('restricted, muted: mic and camera shown disabled with the reason, in both gating modes', async () => {
      for (const gating of ['hide', 'disable'] as const) {
        const call = new FakeCall(RESTRICTED, member({ id: 'me', audio_muted: true, video_muted: true }));
        const el = await controls(call, gating);
        const mic = part(el, 'mic')!;
        expect(actionable(mic), gating).to.equal(false);
        // Contract change: the state is in the label, icon and data-state, not aria-pressed.
        expect([mic.dataset.state, accessibleName(mic), mic.hasAttribute('aria-pressed')]).to.deep.equal(['off', 'Unmute', false]);
        expect(description(mic)).to.equal('Your host has not allowed you to unmute');
        expect(mic.title).to.equal(description(mic));
        mic.click();
        expect(call.calls).to.deep.equal([]);
        expect(actionable(part(el, 'camera'))).to.equal(false);
      }
    });

    it('restricted (disable): absent controls shown disabled with a human reason', async () => {
      const el = await controls(new FakeCall(RESTRICTED), 'disable');
      const { rendered, actionable: live } = offered(el);
      expect(rendered).to.deep.equal(ALL);
      expect(live).to.deep.equal(['mic', 'camera', 'devices', 'leave']);
      const share = part(el, 'screenshare')!;
      expect(description(share)).to.equal('Your host has not allowed you to share your screen');
      expect(share.title).to.equal('Your host has not allowed you to share your screen');
      expect(part<HTMLSelectElement>(el, 'layout')!.disabled).to.equal(true);
    });

    it('empty: only leave (hide); everything else disabled (disable)', async () => {
      let el = await controls(new FakeCall(EMPTY));
      expect(offered(el)).to.deep.equal({ rendered: ['leave'], actionable: ['leave'] });
      el = await controls(new FakeCall(EMPTY), 'disable');
      expect(offered(el)).to.deep.equal({ rendered: ALL, actionable: ['leave'] });
    });
  });

  describe('each control and its flags', () => {
    // [part, flags that grant it, flags that do not]
    const table: [string, string[], string[]][] = [
      ['mic', ['self.mute.audio.on'], ['self.mute.video']],
      ['camera', ['self.mute.video.on'], ['self.mute.audio']],
      ['screenshare', ['screenshare'], ['request.audio']],
      ['hand', ['self.raisehand.on'], ['member.raisehand']],
      ['deafen', ['self.deaf.on'], ['member.deaf']],
      ['lock', ['lock.on'], ['vmuted']],
      ['layout', ['layout.set'], ['layoutX']],
      ['record', ['record.on'], ['stream']],
      ['dialpad', ['digit.send'], ['digits']],
      ['devices', ['device'], ['device.extra']],
      ['end', ['end'], ['end.extra']],
    ];
    for (const [name, grant, other] of table) {
      it(`${name}: rendered with ${grant}, hidden or disabled without`, async () => {
        let el = await controls(new FakeCall(grant));
        expect(actionable(part(el, name)), 'granted').to.equal(true);
        el = await controls(new FakeCall(other));
        expect(has(el, name), 'hide').to.equal(false);
        el = await controls(new FakeCall(other), 'disable');
        const control = part(el, name)!;
        expect(actionable(control), 'disable').to.equal(false);
        expect(description(control) || control.title).to.not.equal('');
      });
    }

    it('a toggle needs the direction it would perform', async () => {
      const call = new FakeCall(['self.mute.audio.off'], member({ id: 'me', audio_muted: false }));
      const el = await controls(call);
      // Unmuted with only the right to unmute: shown (one direction held), not actionable.
      expect(actionable(part(el, 'mic'))).to.equal(false);
      call.self.next(member({ id: 'me', audio_muted: true }));
      await el.updateComplete;
      expect(actionable(part(el, 'mic'))).to.equal(true);
      expect(part(el, 'mic')!.dataset.state).to.equal('off');
    });

    it('lock shows the room state and needs the matching direction', async () => {
      const call = new FakeCall(['lock.off']);
      const el = await controls(call);
      expect(actionable(part(el, 'lock'))).to.equal(false);
      call.room.next({ ...call.room.value!, locked: true });
      await el.updateComplete;
      expect(part(el, 'lock')!.dataset.state).to.equal('on');
      expect(actionable(part(el, 'lock'))).to.equal(true);
    });

    it('the controls attribute narrows, and never offers what is not granted', async () => {
      const el = await controls(new FakeCall(MODERATOR), 'hide', { controls: 'mic leave record' });
      expect(offered(el).rendered).to.deep.equal(['mic', 'leave']);
    });
  });

  describe('request mode', () => {
    it('asks the hosts for media not granted but requestable', async () => {
      const call = new FakeCall(
        ['self.mute.audio.on', 'self.mute.video.on', 'request.audio', 'request.video', 'request.screenshare'],
        member({ id: 'me', audio_muted: true, video_muted: true }),
      );
      const el = await controls(call);
      for (const [name, kind] of [['mic', 'audio'], ['camera', 'video'], ['screenshare', 'screenshare']]) {
        const control = part(el, name)!;
        expect(control.dataset.mode, name).to.equal('request');
        expect(control.hasAttribute('aria-pressed')).to.equal(false);
        control.click();
        await settle(el);
        expect(call.calls.at(-1)).to.deep.equal({ method: 'requestPermissions', args: [[kind]] });
      }
      expect(part(el, 'status')!.textContent).to.contain('sent');
      expect(accessibleName(part(el, 'mic')!)).to.equal('Ask to speak');
    });

    it('offers request-presence to a participant without presence who may ask', async () => {
      const call = new FakeCall(
        ['request.presence'],
        member({ id: 'me', permissions: { hasPresence: false, canSend: false, canReceive: { base: true }, canAdmin: false } }),
      );
      const el = await controls(call);
      part(el, 'request-presence')!.click();
      await settle(el);
      expect(call.last('requestPermissions')!.args).to.deep.equal([['presence']]);
      call.caps.update([]);
      await el.updateComplete;
      expect(has(el, 'request-presence')).to.equal(false);
    });
  });

  describe('live updates', () => {
    it('follows a capability change in the next update', async () => {
      const call = new FakeCall(RESTRICTED);
      const el = await controls(call);
      expect(has(el, 'lock')).to.equal(false);
      call.caps.update(MODERATOR);
      await el.updateComplete;
      expect(actionable(part(el, 'lock'))).to.equal(true);
      expect(actionable(part(el, 'screenshare'))).to.equal(true);
      call.caps.update(RESTRICTED);
      await el.updateComplete;
      expect(has(el, 'lock')).to.equal(false);
    });

    it('a send right revoked while unmuted keeps mute and loses unmute, with the mute state', async () => {
      const call = new FakeCall(['self.mute.audio'], member({ id: 'me', audio_muted: false }));
      const el = await controls(call);
      call.caps.update(['self.mute.audio.on']);
      call.self.next(member({ id: 'me', audio_muted: true }));
      await el.updateComplete;
      const mic = part(el, 'mic')!;
      expect(mic.dataset.state).to.equal('off');
      expect(actionable(mic)).to.equal(false);
    });

    it('shows live state from self$ and room$', async () => {
      const call = new FakeCall(MODERATOR);
      const el = await controls(call);
      call.self.next(member({ id: 'me', handraised: true, deaf: true, screenshare: true }));
      call.room.next({ ...call.room.value!, layout: 'speaker' });
      await el.updateComplete;
      expect(part(el, 'hand')!.dataset.state).to.equal('on');
      expect(part(el, 'deafen')!.dataset.state).to.equal('on');
      expect(part(el, 'screenshare')!.dataset.state).to.equal('on');
      expect(part<HTMLSelectElement>(el, 'layout')!.value).to.equal('speaker');
    });

    it('nothing is actionable before capabilities are known', async () => {
      const call = new FakeCall(MODERATOR);
      call.caps.forget();
      let el = await controls(call);
      expect(offered(el).rendered).to.deep.equal([]);
      el = await controls(call, 'disable');
      expect(offered(el).actionable).to.deep.equal([]);
      expect(description(part(el, 'lock')!)).to.equal('Waiting for the call to connect');
      call.caps.update(MODERATOR);
      await el.updateComplete;
      expect(offered(el).actionable).to.include('lock');
    });

    it('nothing is actionable while reconnecting or connecting', async () => {
      for (const state of ['reconnecting', 'connecting'] as const) {
        const call = new FakeCall(MODERATOR);
        const el = await controls(call, 'disable');
        call.connection.next(state);
        await el.updateComplete;
        expect(offered(el).actionable, state).to.deep.equal([]);
        // Reconnecting keeps the controls on screen, inert, under a banner.
        if (state === 'reconnecting') expect(part(el, 'reconnecting')!.textContent).to.contain('Reconnecting');
        call.connection.next('connected');
        await el.updateComplete;
        expect(offered(el).actionable).to.include('mic');
      }
    });
  });

  describe('actions', () => {
    it('each click calls the right method with the right arguments', async () => {
      const call = new FakeCall([...MODERATOR, 'record']);
      const el = await controls(call);
      const press = async (name: string) => {
        part(el, name)!.click();
        await settle(el);
        return call.calls.at(-1);
      };
      expect(await press('mic')).to.deep.equal({ method: 'mute', args: [['audio']] });
      expect(await press('camera')).to.deep.equal({ method: 'mute', args: [['video']] });
      expect(await press('screenshare')).to.deep.equal({ method: 'startScreenshare', args: [] });
      expect(await press('hand')).to.deep.equal({ method: 'raiseHand', args: [] });
      expect(await press('deafen')).to.deep.equal({ method: 'deaf', args: [] });
      expect(await press('lock')).to.deep.equal({ method: 'lock', args: [] });
      expect(await press('record')).to.deep.equal({ method: 'startRecording', args: [] });
      expect(await press('leave')).to.deep.equal({ method: 'leave', args: [] });
      call.self.next(member({ id: 'me', audio_muted: true, video_muted: true, screenshare: true, handraised: true, deaf: true }));
      call.room.next({ ...call.room.value!, locked: true, recording: true });
      await el.updateComplete;
      expect(await press('mic')).to.deep.equal({ method: 'unmute', args: [['audio']] });
      expect(await press('camera')).to.deep.equal({ method: 'unmute', args: [['video']] });
      expect(await press('screenshare')).to.deep.equal({ method: 'stopScreenshare', args: [] });
      expect(await press('hand')).to.deep.equal({ method: 'lowerHand', args: [] });
      expect(await press('deafen')).to.deep.equal({ method: 'undeaf', args: [] });
      expect(await press('lock')).to.deep.equal({ method: 'unlock', args: [] });
      expect(await press('record')).to.deep.equal({ method: 'stopRecording', args: [] });
    });

    it('the layout menu lists the room layouts and sets one', async () => {
      const call = new FakeCall(MODERATOR);
      const el = await controls(call);
      const select = part<HTMLSelectElement>(el, 'layout')!;
      expect([...select.options].map((option) => option.value)).to.deep.equal(['grid', 'speaker', 'sidebar']);
      select.value = 'speaker';
      select.dispatchEvent(new Event('change'));
      await settle(el);
      expect(call.last('setLayout')!.args).to.deep.equal(['speaker']);
    });

    it('the dialpad sends DTMF digits, by click and by key', async () => {
      const call = new FakeCall(MODERATOR);
      const el = await controls(call);
      part(el, 'dialpad')!.click();
      await settle(el);
      expect(part(el, 'dialpad')!.getAttribute('aria-expanded')).to.equal('true');
      const keys = parts(el, 'digit');
      expect(keys.map((key) => key.textContent)).to.deep.equal(['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']);
      keys[4].click();
      await settle(el);
      expect(call.last('sendDigits')!.args).to.deep.equal(['5']);
      keys[0].focus();
      await sendKeys({ press: '#' });
      await settle(el);
      expect(call.last('sendDigits')!.args).to.deep.equal(['#']);
    });

    it('end asks for confirmation; cancel (or Escape) ends nothing', async () => {
      const call = new FakeCall(MODERATOR);
      const el = await controls(call);
      part(el, 'end')!.click();
      await settle(el);
      expect(call.calls).to.deep.equal([]);
      const dialog = part(el, 'end-confirm')!;
      expect(dialog.getAttribute('role')).to.equal('alertdialog');
      expect(el.shadowRoot!.activeElement === part(el, 'end-confirm-yes')).to.equal(true);
      part(el, 'end-cancel')!.click();
      await settle(el);
      expect(has(el, 'end-confirm')).to.equal(false);
      part(el, 'end')!.click();
      await settle(el);
      await sendKeys({ press: 'Escape' });
      await settle(el);
      expect(has(el, 'end-confirm')).to.equal(false);
      part(el, 'end')!.click();
      await settle(el);
      part(el, 'end-confirm-yes')!.click();
      await settle(el);
      expect(call.calls).to.deep.equal([{ method: 'end', args: [] }]);
    });

    it('device pickers list navigator.mediaDevices and emit the choice', async () => {
      const devices = [
        { kind: 'videoinput', deviceId: 'cam1', label: 'Front <b>camera</b>', groupId: '' },
        { kind: 'audioinput', deviceId: 'mic1', label: '', groupId: '' },
        { kind: 'audiooutput', deviceId: 'spk1', label: 'Speakers', groupId: '' },
      ] as MediaDeviceInfo[];
      const media = navigator.mediaDevices;
      const original = media.enumerateDevices;
      media.enumerateDevices = async () => devices;
      try {
        const el = await controls(new FakeCall(RESTRICTED));
        part(el, 'devices')!.click();
        await settle(el);
        const camera = part<HTMLSelectElement>(el, 'camera-select')!;
        expect(camera.options[0].textContent!.trim()).to.equal('Front <b>camera</b>');
        expect(part<HTMLSelectElement>(el, 'microphone-select')!.options[0].textContent!.trim()).to.equal('Microphone 1');
        expect(part<HTMLSelectElement>(el, 'speaker-select')!.options.length).to.equal(1);
        await expect(el).to.be.accessible();
        setTimeout(() => camera.dispatchEvent(new Event('change')));
        const event = (await oneEvent(el, 'callcaps-action')) as CallcapsActionEvent;
        expect(event.detail).to.deep.equal({ action: 'selectDevice', args: ['videoinput', 'cam1'] });
      } finally {
        media.enumerateDevices = original;
      }
    });

    it('a refused action shows the error and emits callcaps-error', async () => {
      const call = new FakeCall(MODERATOR);
      const refusal = new ServerError(4409, 'The room is already locked');
      call.failing.set('lock', refusal);
      const el = await controls(call);
      setTimeout(() => part(el, 'lock')!.click());
      const event = (await oneEvent(el, 'callcaps-error')) as CallcapsErrorEvent;
      expect(event.detail).to.deep.equal({ error: refusal, action: 'lock' });
      expect(event.bubbles && event.composed).to.equal(true);
      await el.updateComplete;
      const error = part(el, 'error')!;
      expect(error.getAttribute('role')).to.equal('alert');
      expect(error.textContent).to.contain('The room is already locked');
      part(el, 'error-dismiss')!.click();
      await el.updateComplete;
      expect(error.textContent!.trim()).to.equal('');
    });

    it('a CapabilityError reads as not allowed', async () => {
      const call = new FakeCall(MODERATOR);
      call.failing.set('end', new CapabilityError('end'));
      const el = await controls(call, 'hide', { strings: { forbidden: 'nicht erlaubt', endConfirmYes: 'Beenden' } });
      part(el, 'end')!.click();
      await settle(el);
      expect(part(el, 'end-confirm-yes')!.textContent!.trim()).to.equal('Beenden');
      part(el, 'end-confirm-yes')!.click();
      await settle(el);
      expect(part(el, 'error')!.textContent).to.contain('nicht erlaubt');
    });

    it('callcaps-action precedes every action and cancelling it skips the call', async () => {
      const call = new FakeCall(MODERATOR);
      const el = await controls(call);
      const seen: unknown[] = [];
      el.addEventListener('callcaps-action', (event) => {
        seen.push(event.detail);
        event.preventDefault();
      });
      part(el, 'hand')!.click();
      await settle(el);
      expect(seen).to.deep.equal([{ action: 'raiseHand', args: [] }]);
      expect(call.calls).to.deep.equal([]);
    });
  });

  describe('without a call', () => {
    it('with a bare SelfCapabilities, actions are cancelable callcaps-action events', async () => {
      const capabilities = new SelfCapabilities(RESTRICTED);
      const el = await fixture<CallControls>(html`<call-controls .capabilities=${capabilities}></call-controls>`);
      expect(offered(el).rendered).to.deep.equal(['mic', 'camera', 'devices', 'leave']);
      setTimeout(() => part(el, 'mic')!.click());
      const event = (await oneEvent(el, 'callcaps-action')) as CallcapsActionEvent;
      expect(event.detail).to.deep.equal({ action: 'mute', args: [['audio']] });
      expect(event.cancelable && event.bubbles && event.composed).to.equal(true);
      await el.updateComplete;
      // Not cancelled: the control shows the new state, and now needs the right to unmute.
      expect(part(el, 'mic')!.dataset.state).to.equal('off');
      expect(actionable(part(el, 'mic'))).to.equal(false);
      el.addEventListener('callcaps-action', (e) => e.preventDefault());
      part(el, 'camera')!.click();
      await el.updateComplete;
      expect(part(el, 'camera')!.dataset.state).to.equal('on');
    });

    it('accepts an Observable of the state', async () => {
      const state$ = new BehaviorSubject(parseCapabilities(['lock']));
      const el = await fixture<CallControls>(html`<call-controls .capabilities=${state$}></call-controls>`);
      expect(offered(el).rendered).to.deep.equal(['lock', 'leave']);
      state$.next(parseCapabilities(['end']));
      await el.updateComplete;
      expect(offered(el).rendered).to.deep.equal(['end', 'leave']);
      el.remove();
      expect(state$.observed).to.equal(false);
    });

    it('with neither call nor capabilities renders nothing and warns once', async () => {
      const warnings = await captureWarnings(async () => {
        const el = await fixture<CallControls>(html`<call-controls></call-controls>`);
        el.gating = 'disable';
        await el.updateComplete;
        expect(el.shadowRoot!.querySelectorAll('button, select').length).to.equal(0);
      });
      expect(warnings.length).to.equal(1);
      expect(String(warnings[0][0])).to.contain('<call-controls> has no call');
    });

    it('does not warn when the call arrives a moment after the element, as after connect()', async () => {
      const warnings = await captureWarnings(async () => {
        const el = await fixture<CallControls>(html`<call-controls></call-controls>`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        el.call = new FakeCall(MODERATOR);
        await el.updateComplete;
      }, 100);
      expect(warnings.length).to.equal(0);
    });
  });

  describe('lifecycle and keyboard', () => {
    it('removing the element leaves no live subscription', async () => {
      const call = new FakeCall(MODERATOR);
      const el = await controls(call);
      expect(call.live).to.be.greaterThan(0);
      el.remove();
      expect(call.live).to.equal(0);
      document.body.append(el);
      await el.updateComplete;
      expect(call.live).to.be.greaterThan(0);
      el.remove();
      expect(call.live).to.equal(0);
    });

    it('is operable from the keyboard', async () => {
      const call = new FakeCall(MODERATOR);
      const el = await controls(call);
      const before = document.createElement('button');
      before.textContent = 'before';
      el.before(before);
      before.focus();
      await sendKeys({ press: 'Tab' });
      expect(el.shadowRoot!.activeElement === part(el, 'mic')).to.equal(true);
      await sendKeys({ press: 'Enter' });
      await settle(el);
      expect(call.last('mute')!.args).to.deep.equal([['audio']]);
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Space' });
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'mute', args: [['video']] });
      before.remove();
    });

    it('lets slots replace icons and reflects theme and gating', async () => {
      const call = new FakeCall(MODERATOR);
      const el = await fixture<CallControls>(
        html`<call-controls .call=${call} theme="dark"><span slot="mic-icon">🎤</span></call-controls>`,
      );
      const slot = part(el, 'mic')!.querySelector('slot')!;
      expect(slot.name).to.equal('mic-icon');
      expect(slot.assignedElements()[0].textContent).to.equal('🎤');
      expect(el.getAttribute('gating')).to.equal('hide');
      expect(getComputedStyle(part(el, 'lock')!).backgroundColor).to.equal('rgb(48, 49, 52)');
    });
  });
});
