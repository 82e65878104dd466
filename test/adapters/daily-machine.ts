/**
 * A real daily-js call object, offline, in Chromium: `Daily.createCallObject()`
 * with `dailyConfig.callObjectBundleUrlOverride` pointing at
 * `daily-call-machine.js`, served by the test runner, instead of Daily's
 * call machine bundle on Daily's CDN.
 *
 * What is real: the whole of daily-js (the `DailyCall` the adapter is given,
 * its bundle loader, its `join()` / `leave()`, its participant, access-state
 * and waiting-participant bookkeeping, its argument validation in
 * `updateParticipant(s)`, its event emission: `participant-updated`,
 * `waiting-participant-added`, `app-message`…).
 *
 * What stands in, and why: Daily's call machine, the downloaded bundle that
 * holds the WebSocket to Daily's servers and the WebRTC connections, and that
 * daily-js talks to over `window.postMessage`. Without Daily's cloud there is
 * nothing for it to talk to, so {@link DailyMachine} answers daily-js's
 * messages as the call machine would (joins, applies `update-participant(s)`
 * from a host and reports the result, answers waiting-participant updates,
 * leaves) and lets a test send what Daily's servers would (another
 * participant's permissions changing, a knock, an app message). Every
 * participant, waiting participant and event payload it sends is typed by
 * daily-js's declarations (`DailyParticipant`, `DailyEventObjectParticipant`…),
 * so a change in the SDK's types fails `tsc -p tsconfig.test.json`; the
 * permissions it sends are `Set`s, as Daily's are.
 */
import type {
  DailyAccessState, DailyCall, DailyEventObjectAppMessage, DailyEventObjectParticipant, DailyEventObjectParticipantLeft,
  DailyEventObjectFatalError, DailyEventObjectNetworkConnectionEvent, DailyEventObjectWaitingParticipant, DailyParticipant, DailyParticipantPermissions, DailyParticipantPermissionsUpdate,
  DailyParticipantUpdateOptions, DailyParticipantsObject, DailyWaitingParticipant,
} from '@daily-co/daily-js';

/** The module's default export (`Daily`), passed in so that this file needs no runtime import of the SDK. */
export interface DailyFactory {
  createCallObject(properties?: { dailyConfig?: { callObjectBundleUrlOverride?: string }; allowMultipleCallInstances?: boolean }): DailyCall;
}

export const MACHINE_URL = '/test/adapters/daily-call-machine.js';
export const ROOM_URL = 'https://callcaps.daily.co/standup';

type Payload<E extends { action: unknown; callClientId: string }> = Omit<E, 'callClientId'>;
type Outgoing =
  | Payload<DailyEventObjectParticipant>
  | Payload<DailyEventObjectParticipantLeft>
  | (Payload<DailyEventObjectWaitingParticipant> & { allWaitingParticipants: Record<string, DailyWaitingParticipant> })
  | Payload<DailyEventObjectAppMessage>
  | Payload<DailyEventObjectFatalError>
  | Payload<DailyEventObjectNetworkConnectionEvent>
  | ({ action: 'access-state-updated' } & DailyAccessState)
  | { action: 'joined-meeting'; participants: DailyParticipantsObject }
  | { action: 'left-meeting' | 'call-machine-initialized' }
  | { action?: undefined; callbackStamp: string; id?: string; ids?: string[]; access?: unknown; granted?: boolean };

const SEND_ALL: DailyParticipantPermissions['canSend'] = new Set(['audio', 'video', 'screenVideo', 'screenAudio']);

export const GUEST: DailyParticipantPermissions = { hasPresence: true, canSend: SEND_ALL, canReceive: { base: true }, canAdmin: false };
export const ADMIN: DailyParticipantPermissions = { ...GUEST, canAdmin: new Set(['participants']) };

const track = (on: boolean) => ({ subscribed: true, state: on ? 'playable' : 'off' }) as DailyParticipant['tracks']['audio'];

export function dailyParticipant(sessionId: string, overrides: Partial<DailyParticipant> = {}): DailyParticipant {
  return {
    session_id: sessionId, user_id: `user-${sessionId}`, user_name: `Name ${sessionId}`, local: false, owner: false,
    permissions: GUEST, joined_at: new Date(1_700_000_000_000), will_eject_at: new Date(0), record: false,
    audio: true, video: true, screen: false, cam_info: {}, screen_info: {},
    tracks: { audio: track(true), video: track(true), screenAudio: track(false), screenVideo: track(false) },
    ...overrides,
  };
}

function applyPermissions(before: DailyParticipantPermissions, update: DailyParticipantPermissionsUpdate): DailyParticipantPermissions {
  const set = <T>(v: T[] | Set<T> | boolean) => (typeof v === 'boolean' ? v : new Set(v));
  return {
    hasPresence: update.hasPresence ?? before.hasPresence,
    canSend: update.canSend === undefined ? before.canSend : (set(update.canSend) as DailyParticipantPermissions['canSend']),
    canReceive: update.canReceive ? { ...before.canReceive, ...update.canReceive } as DailyParticipantPermissions['canReceive'] : before.canReceive,
    canAdmin: update.canAdmin === undefined ? before.canAdmin : (set(update.canAdmin) as DailyParticipantPermissions['canAdmin']),
  };
}

/** The call machine of one call object: answers daily-js and speaks for Daily's servers. */
export class DailyMachine {
  /** Every message daily-js sent the call machine, as `action {json}` (callClientId, stamps and daily-js's logs left out), recorded as it is posted. */
  readonly sent: string[] = [];
  local: DailyParticipant;
  readonly remotes = new Map<string, DailyParticipant>();
  readonly waiting = new Map<string, DailyWaitingParticipant>();
  readonly #id: string;
  readonly #onMessage = (event: MessageEvent) => this.#receive(event.data);
  readonly #onLoad = (event: Event) => {
    if ((event as CustomEvent<string>).detail === this.#id) this.#post({ action: 'call-machine-initialized' });
  };

  /** The machines alive, told synchronously of what daily-js posts (the `message` event comes a task later). */
  static readonly #live = new Set<DailyMachine>();
  static #patched = false;

  constructor(readonly call: DailyCall, local: Partial<DailyParticipant> = {}, remotes = ['s2', 's3']) {
    this.#id = call.callClientId;
    DailyMachine.#live.add(this);
    if (!DailyMachine.#patched) {
      DailyMachine.#patched = true;
      const post = window.postMessage.bind(window);
      window.postMessage = ((message: unknown, ...rest: [never]) => {
        for (const machine of DailyMachine.#live) machine.#record(message as Record<string, unknown>);
        return post(message, ...rest);
      }) as typeof window.postMessage;
    }
    this.local = dailyParticipant('me', { local: true, ...local });
    for (const id of remotes) this.remotes.set(id, dailyParticipant(id));
    window.addEventListener('message', this.#onMessage);
    window.addEventListener('callcaps-daily-call-machine', this.#onLoad);
  }

  /** A call object whose call machine is this stand-in. */
  static create(Daily: DailyFactory, local: Partial<DailyParticipant> = {}, remotes?: string[]): DailyMachine {
    const call = Daily.createCallObject({
      dailyConfig: { callObjectBundleUrlOverride: new URL(MACHINE_URL, location.href).href },
      allowMultipleCallInstances: true,
    });
    return new DailyMachine(call, local, remotes);
  }

  /** Joins, and resolves once daily-js has taken in every remote participant the machine announced. */
  async join(): Promise<void> {
    await this.call.join({ url: ROOM_URL });
    await until(() => Object.keys(this.call.participants()).length === this.remotes.size + 1, 'the remote participants');
  }

  async destroy(): Promise<void> {
    await this.call.destroy().catch(() => {});
    window.removeEventListener('message', this.#onMessage);
    window.removeEventListener('callcaps-daily-call-machine', this.#onLoad);
    DailyMachine.#live.delete(this);
  }

  #record(data: Record<string, unknown> | null): void {
    if (!data || data.what !== 'iframe-call-message' || data.from !== 'module' || data.callClientId !== this.#id) return;
    const { what: _w, from: _f, callClientId: _c, callbackStamp: _s, action, ...rest } = data;
    if (action === 'transmit-log') return; // daily-js's own telemetry
    this.sent.push(`${action} ${JSON.stringify(rest, (_k, v) => (v instanceof Set ? [...v] : v))}`);
  }

  #post(message: Outgoing): void {
    window.postMessage({ ...message, what: 'iframe-call-message', from: 'embedded', callClientId: this.#id }, location.origin);
  }

  #receive(data: { what?: string; from?: string; callClientId?: string; action?: string; callbackStamp?: string; [k: string]: unknown }): void {
    if (!data || data.what !== 'iframe-call-message' || data.from !== 'module' || data.callClientId !== this.#id) return;
    const { what: _w, from: _f, callClientId: _c, callbackStamp, action, ...rest } = data;
    const reply = (payload: Omit<Extract<Outgoing, { callbackStamp: string }>, 'callbackStamp'>) => {
      if (callbackStamp) this.#post({ ...payload, callbackStamp });
    };
    switch (action) {
      case 'join-meeting':
        this.#post({ action: 'access-state-updated', access: { level: 'full' } });
        this.#post({ action: 'joined-meeting', participants: { local: this.local } });
        for (const p of this.remotes.values()) this.#post({ action: 'participant-joined', participant: p });
        break;
      case 'leave-meeting':
        this.#post({ action: 'left-meeting' });
        break;
      case 'update-participant':
        this.#update(rest.id as string, rest.properties as DailyParticipantUpdateOptions);
        break;
      case 'update-participants':
        for (const [id, properties] of Object.entries(rest.participants as Record<string, DailyParticipantUpdateOptions>)) this.#update(id, properties);
        break;
      case 'daily-method-update-waiting-participant':
        this.#admit([rest.id as string]);
        reply({ id: rest.id as string });
        break;
      case 'daily-method-update-waiting-participants': {
        const ids = Object.keys(rest.updatesById as object);
        reply({ ids: this.#admit(ids) });
        break;
      }
      case 'local-audio':
      case 'local-video':
        this.local = { ...this.local, tracks: { ...this.local.tracks, [action === 'local-audio' ? 'audio' : 'video']: track(rest.state === true) } };
        this.#post({ action: 'participant-updated', participant: this.local });
        break;
      default:
        // Anything else that expects an answer gets an empty one (as a call machine with nothing to report).
        reply({});
    }
  }

  /** A host's update reaching Daily's servers: applied to the targets, reported to everyone as Daily does. */
  #update(id: string, properties: DailyParticipantUpdateOptions): void {
    const ids = id === '*' ? [...this.remotes.keys()] : [id];
    for (const target of ids) {
      const p = target === 'local' ? this.local : this.remotes.get(target);
      if (!p) continue;
      if (properties.eject) {
        this.remotes.delete(target);
        this.#post({ action: 'participant-left', participant: p });
        continue;
      }
      let next = { ...p };
      if (properties.updatePermissions) next = { ...next, permissions: applyPermissions(p.permissions, properties.updatePermissions) };
      if (properties.setAudio === false) next = { ...next, tracks: { ...next.tracks, audio: track(false) } };
      if (properties.setVideo === false) next = { ...next, tracks: { ...next.tracks, video: track(false) } };
      this.emitParticipant(next);
    }
  }

  #admit(ids: string[]): string[] {
    const all = ids.includes('*') ? [...this.waiting.keys()] : ids;
    for (const id of all) {
      const w = this.waiting.get(id);
      if (!w) continue;
      this.waiting.delete(id);
      this.#post({ action: 'waiting-participant-removed', participant: w, allWaitingParticipants: Object.fromEntries(this.waiting) });
    }
    return all;
  }

  /** Daily's servers report a participant's new state (the local one when `p.local`). */
  emitParticipant(p: DailyParticipant): void {
    if (p.local) this.local = p;
    else if (!p.permissions.hasPresence && this.remotes.has(p.session_id)) {
      // Losing presence reads as leaving to everyone else.
      this.remotes.delete(p.session_id);
      this.#post({ action: 'participant-left', participant: p, reason: 'hidden' });
      return;
    } else {
      const joined = !this.remotes.has(p.session_id);
      this.remotes.set(p.session_id, p);
      if (joined) {
        this.#post({ action: 'participant-joined', participant: p });
        return;
      }
    }
    this.#post({ action: 'participant-updated', participant: p });
  }

  /** The local participant's permissions and owner status changed on Daily's servers. */
  setLocal(permissions: DailyParticipantPermissions, owner = this.local.owner): void {
    this.emitParticipant({ ...this.local, permissions, owner });
  }

  knock(id: string, name: string): void {
    const w: DailyWaitingParticipant = { id, name, awaitingAccess: { level: 'full' } };
    this.waiting.set(id, w);
    this.#post({ action: 'waiting-participant-added', participant: w, allWaitingParticipants: Object.fromEntries(this.waiting) });
  }

  /** An owner ejected the local participant: Daily's fatal `ejected` error, then the meeting is left. */
  eject(): void {
    this.#post({ action: 'error', errorMsg: 'Ejected from the meeting', error: { type: 'ejected', msg: 'Ejected from the meeting' } as DailyEventObjectFatalError['error'] });
    this.#post({ action: 'left-meeting' });
  }

  /** The signalling connection to Daily's servers dropped (`interrupted`) or came back (`connected`). */
  signalling(event: 'interrupted' | 'connected'): void {
    this.#post({ action: 'network-connection', type: 'signaling', event });
  }

  appMessage(fromId: string, data: unknown): void {
    this.#post({ action: 'app-message', fromId, data });
  }
}

/** Resolves once `check` holds (daily-js's messages are asynchronous). */
export async function until(check: () => boolean, what = 'condition', ms = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
