/**
 * A recording test double of `Call`: state in BehaviorSubjects that tests push,
 * every method call recorded, any method able to reject, and every live
 * subscription counted (so that tests can prove an element released them).
 */
import { BehaviorSubject, Observable, Subject } from 'rxjs';
import {
  SelfCapabilities,
  type Access,
  type Call,
  type CallMessage,
  type ConnectionState,
  type LargeRoomCall,
  type LeftReason,
  type Member,
  type MemberPage,
  type ParticipantPermissions,
  type PermissionRequest,
  type RoomState,
  type RosterState,
  type WaitingParticipant,
} from '../../src/core.js';

export const MODERATOR = ['self', 'member', 'vmuted', 'layout', 'digit', 'screenshare', 'device', 'lock', 'end'];
export const RESTRICTED = ['self.mute.audio.on', 'self.mute.video.on', 'device'];
export const EMPTY: string[] = [];

export const FULL_PERMISSIONS: ParticipantPermissions = {
  hasPresence: true,
  canSend: ['audio', 'video', 'screenVideo', 'screenAudio'],
  canReceive: { base: true },
  canAdmin: false,
};

let nextId = 0;

export function member(overrides: Partial<Member> = {}): Member {
  const id = overrides.id ?? `m${++nextId}`;
  return {
    id,
    user_id: `u-${id}`,
    name: `Member ${id}`,
    owner: false,
    role: 'user',
    permissions: FULL_PERMISSIONS,
    audio_muted: false,
    video_muted: false,
    deaf: false,
    handraised: false,
    screenshare: false,
    joined_at: Date.now(),
    ...overrides,
  };
}

export function room(overrides: Partial<RoomState> = {}): RoomState {
  return {
    name: 'demo',
    call_type: 'default',
    locked: false,
    layout: 'grid',
    layouts: ['grid', 'speaker', 'sidebar'],
    roles: ['user', 'moderator', 'host'],
    recording: false,
    streaming: false,
    transcribing: false,
    vmuted_hidden: false,
    ...overrides,
  };
}

export interface Recorded {
  method: string;
  args: unknown[];
}

const METHODS = [
  'leave', 'requestAccess', 'mute', 'unmute', 'deaf', 'undeaf', 'raiseHand', 'lowerHand',
  'startScreenshare', 'stopScreenshare', 'lock', 'unlock', 'end', 'setLayout', 'sendDigits',
  'removeMember', 'updateMember', 'updateWaiting', 'requestPermissions', 'denyRequest',
  'startRecording', 'stopRecording', 'startStreaming', 'stopStreaming', 'startTranscription',
  'stopTranscription', 'sendMessage',
] as const;

type Method = (typeof METHODS)[number];

export interface FakeCall extends Call {}
export class FakeCall {
  readonly capabilities: SelfCapabilities;
  readonly self = new BehaviorSubject<Member | null>(null);
  readonly participants = new BehaviorSubject<readonly Member[]>([]);
  readonly waiting = new BehaviorSubject<readonly WaitingParticipant[]>([]);
  readonly access = new BehaviorSubject<Access>({ level: 'full', awaiting: null });
  readonly room = new BehaviorSubject<RoomState | null>(room());
  readonly requests = new BehaviorSubject<readonly PermissionRequest[]>([]);
  readonly connection = new BehaviorSubject<ConnectionState>('connected');
  readonly left = new BehaviorSubject<LeftReason | null>(null);
  readonly messages = new Subject<CallMessage>();

  /** Every method call, in order. */
  readonly calls: Recorded[] = [];
  /** Methods that reject, with the error they reject with. */
  readonly failing = new Map<string, unknown>();
  /** Live subscriptions to any observable of this call (capabilities included). */
  live = 0;

  constructor(flags: unknown = MODERATOR, self: Member | null = member({ id: 'me', name: 'Me', owner: false })) {
    const capabilities = new SelfCapabilities(flags);
    this.capabilities = Object.assign(Object.create(capabilities) as SelfCapabilities, {
      state$: this.#count(capabilities.state$),
      known$: this.#count(capabilities.known$),
    });
    this.self.next(self);
    if (self) this.participants.next([self]);
    for (const method of METHODS) {
      (this as unknown as Record<Method, (...args: unknown[]) => Promise<void>>)[method] = (...args: unknown[]) => {
        this.calls.push({ method, args });
        return this.failing.has(method) ? Promise.reject(this.failing.get(method)) : Promise.resolve();
      };
    }
  }

  get self$() { return this.#count(this.self); }
  get participants$() { return this.#count(this.participants); }
  get waiting$() { return this.#count(this.waiting); }
  get access$() { return this.#count(this.access); }
  get room$() { return this.#count(this.room); }
  get requests$() { return this.#count(this.requests); }
  get connection$() { return this.#count(this.connection); }
  get left$() { return this.#count(this.left); }
  get messages$() { return this.#count(this.messages); }

  /** The underlying capabilities (update() / forget() drive the elements). */
  get caps(): SelfCapabilities {
    return Object.getPrototypeOf(this.capabilities) as SelfCapabilities;
  }

  /** The last recorded call of `method`, if any. */
  last(method: string): Recorded | undefined {
    return this.calls.filter((call) => call.method === method).at(-1);
  }

  reset(): void {
    this.calls.length = 0;
  }

  #cache = new Map<unknown, Observable<unknown>>();
  #count<T>(source: Observable<T>): Observable<T> {
    let counted = this.#cache.get(source) as Observable<T> | undefined;
    if (!counted) {
      counted = new Observable<T>((subscriber) => {
        this.live++;
        const subscription = source.subscribe(subscriber);
        return () => {
          this.live--;
          subscription.unsubscribe();
        };
      });
      this.#cache.set(source, counted);
    }
    return counted;
  }
}

/**
 * Gives a fake call a paged roster over `everyone` (in the order of joining;
 * the self among them, as the reference client lists it) and an audience
 * count, as the reference client has in a large room: the first page is
 * loaded, `loadMore(limit)` and `search(query)` answer at once (a search's
 * first page only) and are recorded in `call.calls`.
 */
export function withRoster(call: FakeCall, everyone: readonly Member[], options: { pageSize?: number; audience?: number } = {}): FakeCall & LargeRoomCall {
  const pageSize = options.pageSize ?? 100;
  const state = new BehaviorSubject<RosterState>({ members: everyone.slice(0, pageSize), total: everyone.length, complete: everyone.length <= pageSize, search: '' });
  const page = (list: readonly Member[], from: number, limit = pageSize) => ({ members: list.slice(from, from + limit), total: list.length, complete: from + limit >= list.length });
  const large = Object.assign(call, {
    roster: {
      state$: state.asObservable(),
      async loadMore(limit?: number) {
        call.calls.push({ method: 'roster.loadMore', args: [limit] });
        const { members, search } = state.value;
        const list = search ? everyone.filter((m) => m.name.toLowerCase().includes(search.toLowerCase())) : everyone;
        const next = page(list, members.length, limit);
        state.next({ ...next, members: [...members, ...next.members], search });
      },
      async search(query: string) {
        call.calls.push({ method: 'roster.search', args: [query] });
        const list = everyone.filter((m) => m.name.toLowerCase().includes(query.toLowerCase()));
        state.next({ ...page(list, 0), search: query });
      },
    },
    audience: {
      count$: new BehaviorSubject<number | null>(options.audience ?? null).asObservable(),
      list: (): Promise<MemberPage> => Promise.reject(new Error('not in this fake')),
    },
  });
  call.participants.next(state.value.members);
  return large;
}
