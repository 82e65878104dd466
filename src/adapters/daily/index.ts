/**
 * `callcaps/adapters/daily`: `fromDaily(callObject, options?)` turns a Daily
 * call object (`Daily.createCallObject()`, @daily-co/daily-js) into a
 * callcaps {@link Call}.
 *
 * The adapter imports nothing of the SDK at run time: it reads the call
 * object it is given (`participants()`, `accessState()`,
 * `waitingParticipants()`, `meetingState()` and its events) and calls its
 * methods; every name it uses is checked against daily-js's own types at
 * compile time.
 *
 * Daily tells every client each participant's `permissions` (`hasPresence`,
 * `canSend`, `canReceive`, `canAdmin`) and `owner` status; {@link dailyFlags}
 * maps the local participant's to callcaps' flags, one line of the README's
 * table per permission. Daily has no "ask a host" of its own: the
 * request-presence flow of Daily's permissions guide runs over app messages,
 * in the shapes of {@link DailyRequestMessage}.
 */
import type {
  DailyAccessState, DailyCall, DailyEvent, DailyEventObjectAppMessage, DailyEventObjectFatalError, DailyEventObjectNetworkConnectionEvent,
  DailyEventObjectParticipantLeft, DailyLiveStreamingOptions, DailyParticipant,
  DailyParticipantPermissions, DailyParticipantPermissionsUpdate, DailyParticipantUpdateOptions, DailyWaitingParticipant,
} from '@daily-co/daily-js';
import {
  ServerError,
  type AccessLevel, type AdminKind, type LeftReason, type Member, type ParticipantPermissions, type PermissionRequest,
  type PermissionsUpdate, type RequestKind, type SendKind, type WaitingParticipant,
} from '../../core/call.js';
import { AdapterCall, type PlatformOps } from '../shared/base.js';

/**
 * The app messages of the request flow, as sent with `sendAppMessage(message, '*')`:
 * - `request-presence`: exactly the message of Daily's permissions guide
 *   (reference/000's complete example), so an owner page written from that
 *   guide and callcaps interoperate;
 * - `request-permissions`: callcaps' extension for what a present participant
 *   lacks (`canSend` entries), answered by `updateParticipant(…, { updatePermissions: { canSend } })`;
 * - `request-denied`: callcaps' extension, a host's refusal, so that the requester
 *   and the other hosts drop the request (Daily has no refusal of its own);
 *   heeded only from an owner or a participant whose `canAdmin` covers participants.
 * `sessionId` is the requester's own `session_id`; for the requests, Daily's
 * `fromId` must match it.
 */
export type DailyRequestMessage =
  | { type: 'request-presence'; sessionId: string }
  | { type: 'request-permissions'; sessionId: string; permissions: ('audio' | 'video' | 'screenshare')[] }
  | { type: 'request-denied'; sessionId: string };

/** The envelope of callcaps' own app messages (`sendMessage()` / `messages$`). */
export interface DailyAppMessage {
  type: 'callcaps';
  data: unknown;
}

/** What the SDK call object must offer: daily-js's own declared type, so a changed SDK fails the build. */
export type DailyCallObject = DailyCall;

export interface DailyOptions {
  /**
   * Whether the local participant may ask the hosts for presence and media over
   * app messages (`request.*` flags; default true). Hosts always see the requests
   * that arrive.
   */
  requests?: boolean;
  /** Options for `startLiveStreaming()`; without them `stream.on` is never granted (Daily needs an RTMP endpoint). */
  liveStreaming?: DailyLiveStreamingOptions<'start'>;
  /**
   * How `end()` ends the call for everyone, which daily-js has no method for:
   * `eject` (default) ejects every other participant (`updateParticipants({ '*': { eject: true } })`)
   * and leaves; `false` never offers `end`.
   */
  end?: 'eject' | false;
}

/** The roles a Daily member shows (Daily has none of its own; `member.role.set` is never granted). */
export const DAILY_ROLES = { owner: 'owner', admin: 'admin', participant: 'participant' } as const;

type Send = DailyParticipantPermissions['canSend'];
type Admin = DailyParticipantPermissions['canAdmin'];

/** `canSend` / `canAdmin` as daily-js gives them (a `Set` or a boolean; an array tolerated): does it hold `entry`? */
function holds(value: Send | Admin | readonly string[] | undefined | null, entry: string): boolean {
  if (value === true) return true;
  if (value instanceof Set) return value.has(entry as never);
  if (Array.isArray(value)) return value.includes(entry);
  return false;
}

/** The entries of a `canSend` / `canAdmin` as callcaps' arrays (`true` / `false` stay booleans). */
function entries<T extends string>(value: unknown, all: readonly T[]): boolean | T[] {
  if (typeof value === 'boolean') return value;
  if (value instanceof Set || Array.isArray(value)) return [...(value as Iterable<unknown>)].filter((v): v is T => all.includes(v as T));
  return false;
}

const SEND_KINDS: readonly SendKind[] = ['audio', 'video', 'screenVideo', 'screenAudio', 'customVideo', 'customAudio'];
const ADMIN_KINDS: readonly AdminKind[] = ['participants', 'streaming', 'transcription'];

/**
 * The mapping table: the callcaps flags a local participant holding
 * `permissions` (and `owner`) gets. `requests`: whether the request flow is on.
 * Anything that is not a permissions object grants nothing (fail closed).
 *
 * | Daily | callcaps |
 * |---|---|
 * | `hasPresence` | `self.mute.audio.on`, `self.mute.video.on`, `device` (without it: only `request.presence`) |
 * | `canSend` `audio` / `video` / `screenVideo` | `self.mute.audio.off` / `self.mute.video.off` / `screenshare` |
 * | `canSend` lacking `audio` / `video` / `screenVideo` | `request.audio` / `request.video` / `request.screenshare` |
 * | owner, or `canAdmin` `participants` | `member.mute.audio.on`, `member.mute.video.on`, `member.remove`, `member.permissions.set`, `waiting.admit` |
 * | owner, or `canAdmin` `streaming` | `record.on/off`, `stream.on/off` |
 * | owner, or `canAdmin` `transcription` | `transcribe.on/off` |
 * | owner | `end` |
 */
export function dailyFlags(
  local: { permissions?: unknown; owner?: unknown } | null | undefined,
  options: { requests?: boolean } = {},
): string[] {
  const permissions = local?.permissions as Partial<DailyParticipantPermissions> | undefined;
  if (!permissions || typeof permissions !== 'object') return [];
  const requests = options.requests !== false;
  const owner = local?.owner === true;
  const flags = ['self.remove'];
  if (permissions.hasPresence !== true) {
    // Hidden from everyone and unable to send: all that is left is to ask.
    if (requests) flags.push('request.presence');
    return flags;
  }
  flags.push('self.mute.audio.on', 'self.mute.video.on', 'device');
  const send = permissions.canSend;
  for (const [entry, flag, request] of [
    ['audio', 'self.mute.audio.off', 'request.audio'], ['video', 'self.mute.video.off', 'request.video'], ['screenVideo', 'screenshare', 'request.screenshare'],
  ] as const) {
    if (holds(send, entry)) flags.push(flag);
    else if (requests) flags.push(request);
  }
  const admin = permissions.canAdmin;
  if (owner || holds(admin, 'participants')) {
    flags.push('member.mute.audio.on', 'member.mute.video.on', 'member.remove', 'member.permissions.set', 'waiting.admit');
  }
  if (owner || holds(admin, 'streaming')) flags.push('record.on', 'record.off', 'stream.on', 'stream.off');
  if (owner || holds(admin, 'transcription')) flags.push('transcribe.on', 'transcribe.off');
  if (owner) flags.push('end');
  return flags;
}

/** callcaps' permission update as daily-js takes it (arrays become the `Set`s Daily hands back). */
export function dailyPermissionsUpdate(update: PermissionsUpdate): DailyParticipantPermissionsUpdate {
  const out: DailyParticipantPermissionsUpdate = {};
  if (update.hasPresence !== undefined) out.hasPresence = update.hasPresence;
  if (update.canSend !== undefined) out.canSend = typeof update.canSend === 'boolean' ? update.canSend : new Set(update.canSend);
  if (update.canAdmin !== undefined) out.canAdmin = typeof update.canAdmin === 'boolean' ? update.canAdmin : new Set(update.canAdmin);
  if (update.canReceive !== undefined) out.canReceive = update.canReceive as DailyParticipantPermissionsUpdate['canReceive'];
  return out;
}

const OFF_STATES = ['off', 'blocked'];
const KIND_OF_SEND: Readonly<Record<'audio' | 'video' | 'screenshare', SendKind>> = { audio: 'audio', video: 'video', screenshare: 'screenVideo' };

/** Whether permissions hold what a request of that kind asks for. */
const holdsKind = (p: ParticipantPermissions, kind: RequestKind): boolean =>
  kind === 'presence' ? p.hasPresence : holds(p.canSend, KIND_OF_SEND[kind]);

/** A Daily participant as a callcaps member (`session_id` is the id). */
export function dailyMember(p: DailyParticipant): Member {
  const permissions: ParticipantPermissions = {
    hasPresence: p.permissions?.hasPresence === true,
    canSend: entries(p.permissions?.canSend, SEND_KINDS),
    canReceive: (p.permissions?.canReceive as ParticipantPermissions['canReceive']) ?? { base: true },
    canAdmin: entries(p.permissions?.canAdmin, ADMIN_KINDS),
  };
  const admin = p.owner ? DAILY_ROLES.owner : holds(p.permissions?.canAdmin, 'participants') ? DAILY_ROLES.admin : DAILY_ROLES.participant;
  const off = (track: { state?: string } | undefined) => !track || OFF_STATES.includes(track.state ?? 'off');
  const joined = p.joined_at instanceof Date ? p.joined_at.getTime() : p.joined_at ? Date.parse(String(p.joined_at)) || 0 : 0;
  return {
    id: p.session_id,
    user_id: p.user_id || p.session_id,
    name: p.user_name || '',
    owner: p.owner === true,
    role: admin,
    permissions,
    audio_muted: off(p.tracks?.audio),
    video_muted: off(p.tracks?.video),
    deaf: false,
    handraised: false,
    screenshare: !off(p.tracks?.screenVideo),
    joined_at: joined,
  };
}

function accessOf(state: DailyAccessState | undefined): { level: AccessLevel; awaiting: AccessLevel | null } {
  const access = state?.access;
  const level: AccessLevel = access && typeof access === 'object' ? access.level : 'unknown';
  return { level, awaiting: state?.awaitingAccess?.level ?? null };
}

const FATAL_REASON: Readonly<Record<string, LeftReason>> = {
  ejected: 'removed', 'exp-room': 'expired', 'exp-token': 'expired', 'not-allowed': 'denied',
};

/** A callcaps {@link Call} over a Daily call object. Create it with {@link fromDaily}. */
export class DailyCallAdapter extends AdapterCall {
  readonly #call: DailyCallObject;
  readonly #requests = new Map<string, PermissionRequest>();
  /** Participants Daily hid from this client (no presence): not listed, but a host can still admit them. */
  readonly #hidden = new Map<string, Member>();
  /** When each knocker was first seen (Daily does not say). */
  readonly #knocked = new Map<string, number>();
  readonly #requestsOn: boolean;
  /** What Daily said is running (`recording-started`…). */
  readonly #running = new Set<'recording' | 'streaming' | 'transcription'>();
  #joined = false;
  #reason: LeftReason | null = null;

  constructor(call: DailyCallObject, options: DailyOptions = {}) {
    const update = (target: Member | '*', properties: DailyParticipantUpdateOptions) => {
      if (target === '*') call.updateParticipants({ '*': properties });
      else call.updateParticipant(target.id, properties);
    };
    const send = (message: DailyRequestMessage | DailyAppMessage, to = '*') => void call.sendAppMessage(message, to);
    const ops: PlatformOps = {
      leave: () => call.leave(),
      requestAccess: (name) => call.requestAccess({ name, access: { level: 'full' } }),
      muteSelf: async (channel, muted) => void (channel === 'audio' ? call.setLocalAudio(!muted) : call.setLocalVideo(!muted)),
      muteMember: async (channel, target, muted) => {
        // Daily lets a host turn another's media off, never on.
        if (!muted) throw new ServerError(4403, 'Daily: nobody may unmute another participant');
        update(target, channel === 'audio' ? { setAudio: false } : { setVideo: false });
      },
      screenshare: async (on) => void (on ? call.startScreenShare() : call.stopScreenShare()),
      removeMember: async (target) => update(target, { eject: true }),
      updatePermissions: async (target, permissions) => {
        update(target, { updatePermissions: dailyPermissionsUpdate(permissions) });
        this.#granted(target, permissions);
      },
      updateWaiting: async (id, grant) => {
        if (id === '*') await call.updateWaitingParticipants({ '*': { grantRequestedAccess: grant } });
        else await call.updateWaitingParticipant(id, { grantRequestedAccess: grant });
      },
      requestPermissions: async (kinds) => {
        const sessionId = call.participants().local?.session_id;
        if (!sessionId) throw new ServerError(4409, 'Daily: not in the call');
        if (kinds.includes('presence')) send({ type: 'request-presence', sessionId });
        const media = kinds.filter((k): k is 'audio' | 'video' | 'screenshare' => k !== 'presence');
        if (media.length) send({ type: 'request-permissions', sessionId, permissions: media });
        // The requester's own pending request, as the reference server lists it: answered, it leaves.
        this.#asked(sessionId, kinds);
      },
      denyRequest: async (memberId) => {
        send({ type: 'request-denied', sessionId: memberId });
        this.#dismiss(memberId);
      },
      record: async (on) => void (on ? call.startRecording() : call.stopRecording()),
      transcribe: async (on) => void (on ? call.startTranscription() : call.stopTranscription()),
      sendMessage: async (data, to) => send({ type: 'callcaps', data }, to),
    };
    if (options.liveStreaming) {
      const live = options.liveStreaming;
      ops.stream = async (on) => void (on ? call.startLiveStreaming(live) : call.stopLiveStreaming());
    }
    if (options.end !== false) {
      ops.end = async () => {
        call.updateParticipants({ '*': { eject: true } });
        this.#reason = 'ended';
        await call.leave();
      };
    }
    super('Daily', ops);
    this.#call = call;
    this.#requestsOn = options.requests !== false;

    // Every event name checked against daily-js's own `DailyEvent`.
    const on = (event: DailyEvent, listener: (...args: any[]) => void): void => this.listen(call, event, listener);
    const refresh = () => this.#refresh();
    for (const event of ['joined-meeting', 'participant-joined', 'participant-updated', 'access-state-updated'] as const) on(event, refresh);
    on('participant-left', (event: DailyEventObjectParticipantLeft) => {
      // Losing presence reads as leaving to everyone else (reason `hidden`): keep it reachable for a host.
      if (event.reason === 'hidden') this.#hidden.set(event.participant.session_id, dailyMember(event.participant));
      else {
        this.#hidden.delete(event.participant.session_id);
        this.#dismiss(event.participant.session_id);
      }
      this.#refresh();
    });
    for (const event of ['waiting-participant-added', 'waiting-participant-updated', 'waiting-participant-removed'] as const) {
      on(event, () => this.#refreshWaiting());
    }
    on('app-message', (event: DailyEventObjectAppMessage) => this.#message(event));
    on('network-connection', (event: DailyEventObjectNetworkConnectionEvent) => {
      if (event.type !== 'signaling' || !this.#joined) return;
      if (event.event === 'interrupted') {
        this.connection.set('reconnecting');
        this.setFlags(null);
      } else if (event.event === 'connected') this.#refresh();
    });
    on('error', (event: DailyEventObjectFatalError) => {
      this.#reason ??= FATAL_REASON[event.error?.type ?? ''] ?? null;
    });
    for (const [what, started, stopped] of [
      ['recording', 'recording-started', 'recording-stopped'],
      ['streaming', 'live-streaming-started', 'live-streaming-stopped'],
      ['transcription', 'transcription-started', 'transcription-stopped'],
    ] as const) {
      on(started, () => (this.#running.add(what), this.#refreshRoom()));
      on(stopped, () => (this.#running.delete(what), this.#refreshRoom()));
    }
    on('left-meeting', () => this.finish(this.#reason ?? 'left'));
    this.#refresh();
  }

  /** The Daily call object this call adapts. */
  get sdk(): DailyCallObject {
    return this.#call;
  }

  /** Hidden participants too, so that a host can admit someone Daily no longer lists. */
  protected override target(memberId?: string): Member | null {
    return super.target(memberId) ?? (memberId ? this.#hidden.get(memberId) ?? null : null);
  }

  #message(event: DailyEventObjectAppMessage): void {
    const data = event.data as { type?: unknown; sessionId?: unknown; permissions?: unknown; data?: unknown } | null;
    if (!data || typeof data !== 'object') return;
    if (data.type === 'callcaps') {
      this.messages.next({ from: event.fromId, data: data.data });
      return;
    }
    if (data.type === 'request-denied') {
      const from = Object.values(this.#call.participants()).find((p) => p.session_id === event.fromId);
      if (from && typeof data.sessionId === 'string' && (from.owner || holds(from.permissions?.canAdmin, 'participants'))) this.#dismiss(data.sessionId);
      return;
    }
    if (data.type !== 'request-presence' && data.type !== 'request-permissions') return;
    // The requester speaks for itself only.
    const sessionId = typeof data.sessionId === 'string' ? data.sessionId : event.fromId;
    if (event.fromId && sessionId !== event.fromId) return;
    const asked: RequestKind[] = data.type === 'request-presence'
      ? ['presence']
      : (Array.isArray(data.permissions) ? data.permissions : []).filter((k): k is 'audio' | 'video' | 'screenshare' => typeof k === 'string' && Object.hasOwn(KIND_OF_SEND, k));
    this.#asked(sessionId, asked);
  }

  #asked(sessionId: string, asked: readonly RequestKind[]): void {
    if (!asked.length) return;
    const before = this.#requests.get(sessionId);
    const member = this.target(sessionId);
    this.#requests.set(sessionId, {
      member_id: sessionId,
      name: member?.name || sessionId.slice(0, 8),
      permissions: [...new Set([...(before?.permissions ?? []), ...asked])],
      requested_at: before?.requested_at ?? Date.now(),
    });
    this.requests.set([...this.#requests.values()]);
  }

  #dismiss(memberId: string): void {
    if (this.#requests.delete(memberId)) this.requests.set([...this.#requests.values()]);
  }

  /** A request answered by the update just sent leaves the list (as in Daily's guide, approving closes the popup). */
  #granted(target: Member | '*', permissions: PermissionsUpdate): void {
    const ids = target === '*' ? [...this.#requests.keys()] : [target.id];
    for (const id of ids) {
      const request = this.#requests.get(id);
      if (!request) continue;
      const answers = request.permissions.some((k) =>
        k === 'presence' ? permissions.hasPresence !== undefined : permissions.canSend !== undefined);
      if (answers) this.#dismiss(id);
    }
  }

  #refreshWaiting(): void {
    let waiting: Record<string, DailyWaitingParticipant> = {};
    try {
      waiting = this.#call.waitingParticipants() ?? {};
    } catch {
      // Not joined yet: nobody is waiting.
    }
    const list: WaitingParticipant[] = Object.values(waiting).map((w) => {
      if (!this.#knocked.has(w.id)) this.#knocked.set(w.id, Date.now());
      return { id: w.id, name: w.name, awaiting: w.awaitingAccess?.level ?? 'full', requested_at: this.#knocked.get(w.id)! };
    });
    for (const id of this.#knocked.keys()) if (!(id in waiting)) this.#knocked.delete(id);
    this.waiting.set(list);
  }

  #refresh(): void {
    const call = this.#call;
    const state = call.meetingState();
    if (state === 'left-meeting' || state === 'error') return;
    const access = accessOf(call.accessState());
    this.access.set(access);
    if (state !== 'joined-meeting') {
      this.connection.set('connecting');
      this.setFlags(null);
      return;
    }
    this.#joined = true;
    const all = call.participants();
    const local = all.local;
    const self = local ? dailyMember(local) : null;
    const others = Object.entries(all).filter(([key]) => key !== 'local').map(([, p]) => dailyMember(p));
    for (const member of others) this.#hidden.delete(member.id);
    this.self.set(self);
    this.participants.set(self ? [self, ...others] : others);
    // One's own request is answered once everything it asked for is held.
    const own = self && this.#requests.get(self.id);
    if (own && own.permissions.every((kind) => holdsKind(self.permissions, kind))) this.#dismiss(self.id);
    this.connection.set('connected');
    this.#refreshRoom();
    this.#refreshWaiting();
    // In the lobby, nothing but leaving (and knocking, which needs no flag).
    this.setFlags(access.level === 'lobby' ? ['self.remove'] : dailyFlags(local, { requests: this.#requestsOn }));
  }

  #refreshRoom(): void {
    this.room.set({
      name: roomName(this.#call),
      call_type: 'daily',
      locked: false,
      layout: 'grid',
      layouts: [],
      roles: [],
      recording: this.#running.has('recording'),
      streaming: this.#running.has('streaming'),
      transcribing: this.#running.has('transcription'),
      vmuted_hidden: false,
    });
  }
}

/** The room's name, from the URL the call object joined (`https://domain.daily.co/ROOM`). */
function roomName(call: DailyCallObject): string {
  const url = (call.properties as { url?: string }).url;
  if (!url) return '';
  try {
    return new URL(url).pathname.replace(/^\/+/, '') || url;
  } catch {
    return url;
  }
}

/**
 * A callcaps {@link Call} over a Daily call object, joined or about to be:
 * capabilities are not known until the call object has joined.
 */
export function fromDaily(callObject: DailyCallObject, options: DailyOptions = {}): DailyCallAdapter {
  return new DailyCallAdapter(callObject, options);
}
