/**
 * The common base of every platform adapter: a {@link Call} built from
 * {@link State}s, whose capabilities come from flags the adapter derives from
 * its platform's permission model, whose every action is checked against those
 * capabilities before the platform is called, whose platform failures arrive
 * as {@link ServerError}s, and whose teardown releases every listener it took.
 * An adapter supplies {@link PlatformOps} (how each action is done on its
 * platform) and keeps the states current; the rest is here. No DOM here.
 */
import { Subject, type Observable } from 'rxjs';
import { can, LEAF_FLAGS } from '../../core/capabilities.js';
import { SelfCapabilities } from '../../core/self-capabilities.js';
import { State } from '../../core/state.js';
import {
  CapabilityError, MEMBER_ACTION_FLAGS, mayActOn, ServerError,
  type Access, type Call, type CallMessage, type ConnectionState, type LeftReason, type MediaChannel, type Member,
  type MemberAction, type ParticipantPermissions, type PermissionRequest, type PermissionsUpdate, type RequestKind, type RoomState, type WaitingParticipant,
} from '../../core/call.js';
import { PLATFORM_ERROR, toServerError } from './errors.js';

/**
 * How each action is done on a platform. Every operation is optional: an
 * adapter leaves out what its platform cannot express, and the base then never
 * grants the flags that need it (see {@link OP_OF_FLAG}), so the elements never
 * offer it and a direct call rejects with a {@link CapabilityError}. Each
 * operation runs only after the capability was checked, and whatever it throws
 * reaches the caller as a {@link ServerError} with the platform's message.
 */
export interface PlatformOps {
  /** Leaves the call (always possible). */
  leave(): Promise<unknown>;
  requestAccess?(name: string): Promise<unknown>;
  muteSelf?(channel: MediaChannel, muted: boolean): Promise<unknown>;
  muteMember?(channel: MediaChannel, target: Member, muted: boolean): Promise<unknown>;
  deafSelf?(deaf: boolean): Promise<unknown>;
  deafMember?(target: Member, deaf: boolean): Promise<unknown>;
  handSelf?(raised: boolean): Promise<unknown>;
  handMember?(target: Member, raised: boolean): Promise<unknown>;
  screenshare?(on: boolean): Promise<unknown>;
  lock?(locked: boolean): Promise<unknown>;
  end?(): Promise<unknown>;
  setLayout?(layout: string): Promise<unknown>;
  sendDigits?(digits: string): Promise<unknown>;
  removeMember?(target: Member): Promise<unknown>;
  /** `'*'`: every member but the local one. */
  updatePermissions?(target: Member | '*', permissions: PermissionsUpdate): Promise<unknown>;
  updateRole?(target: Member | '*', role: string): Promise<unknown>;
  updateWaiting?(id: string, grant: boolean): Promise<unknown>;
  requestPermissions?(kinds: readonly RequestKind[]): Promise<unknown>;
  denyRequest?(memberId: string): Promise<unknown>;
  record?(on: boolean): Promise<unknown>;
  stream?(on: boolean): Promise<unknown>;
  transcribe?(on: boolean): Promise<unknown>;
  sendMessage?(data: unknown, to?: string): Promise<unknown>;
}

/**
 * The operation each flag (by whole-segment prefix) needs. A flag whose
 * operation the adapter does not supply is dropped before it reaches the
 * capabilities: fail closed. Flags with no entry need none (`device`,
 * `self.remove`, `vmuted.hide.*`: no `Call` method acts on them).
 */
export const OP_OF_FLAG: ReadonlyArray<readonly [prefix: string, op: keyof PlatformOps]> = [
  ['self.mute', 'muteSelf'], ['member.mute', 'muteMember'],
  ['self.deaf', 'deafSelf'], ['member.deaf', 'deafMember'],
  ['self.raisehand', 'handSelf'], ['member.raisehand', 'handMember'],
  ['member.remove', 'removeMember'],
  ['self.permissions', 'updatePermissions'], ['member.permissions', 'updatePermissions'],
  ['self.role', 'updateRole'], ['member.role', 'updateRole'],
  ['screenshare', 'screenshare'], ['lock', 'lock'], ['end', 'end'],
  ['layout', 'setLayout'], ['digit', 'sendDigits'], ['waiting', 'updateWaiting'],
  ['request', 'requestPermissions'], ['record', 'record'], ['stream', 'stream'], ['transcribe', 'transcribe'],
];

const opOf = (flag: string): keyof PlatformOps | undefined =>
  OP_OF_FLAG.find(([prefix]) => flag === prefix || flag.startsWith(`${prefix}.`))?.[1];

const NO_ACCESS: Access = { level: 'unknown', awaiting: null };

/** Something with `on`/`off` (Node's and the SDKs' event emitters). */
export interface Emitter {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * A {@link Call} on some platform. Subclasses pass their {@link PlatformOps},
 * take their SDK listeners through {@link listen} / {@link watch} (so that
 * teardown releases them), and keep the protected states current; they call
 * {@link setFlags} whenever the platform's permissions change and
 * {@link finish} when the platform ends the call.
 */
export abstract class AdapterCall implements Call {
  readonly capabilities = new SelfCapabilities();
  protected readonly self = new State<Member | null>(null);
  protected readonly participants = new State<readonly Member[]>([]);
  protected readonly waiting = new State<readonly WaitingParticipant[]>([]);
  protected readonly access = new State<Access>(NO_ACCESS);
  protected readonly room = new State<RoomState | null>(null);
  protected readonly requests = new State<readonly PermissionRequest[]>([]);
  protected readonly connection = new State<ConnectionState>('connecting');
  protected readonly left = new State<LeftReason | null>(null);
  protected readonly messages = new Subject<CallMessage>();
  readonly self$ = this.self.$;
  readonly participants$ = this.participants.$;
  readonly waiting$ = this.waiting.$;
  readonly access$ = this.access.$;
  readonly room$ = this.room.$;
  readonly requests$ = this.requests.$;
  readonly connection$ = this.connection.$;
  readonly left$ = this.left.$;
  readonly messages$: Observable<CallMessage> = this.messages.asObservable();

  /** See {@link Call.permissionFields}: a platform's adapter sets what it can change. */
  permissionFields?: readonly (keyof ParticipantPermissions)[];

  readonly #releases: (() => void)[] = [];
  #flags: readonly string[] | null = null;
  #finished = false;

  /** `platform` names the platform in messages (`LiveKit`, `Stream`…). */
  protected constructor(protected readonly platform: string, protected readonly ops: PlatformOps) {}

  /** The flags last granted (after dropping those the adapter cannot perform), or null when not known. */
  get flags(): readonly string[] | null {
    return this.#flags;
  }

  /** How many SDK listeners and subscriptions this call holds (0 after teardown). */
  get listeners(): number {
    return this.#releases.length;
  }

  /** Listens to an SDK emitter until teardown. */
  protected listen(emitter: Emitter, event: string, listener: (...args: any[]) => void): void {
    emitter.on(event, listener);
    this.#releases.push(() => emitter.off(event, listener));
  }

  /** Subscribes to an SDK observable until teardown. */
  protected watch<T>(source: Observable<T>, next: (value: T) => void): void {
    const subscription = source.subscribe({ next, error: () => {} });
    this.#releases.push(() => subscription.unsubscribe());
  }

  /** Registers any other release (an SDK's `on()` that returns its own unsubscribe). */
  protected hold(release: () => void): void {
    this.#releases.push(release);
  }

  /**
   * Grants exactly `flags` (full replacement), minus those whose operation
   * this adapter does not supply; `null` means not known (before joining,
   * while reconnecting): nothing is allowed.
   */
  protected setFlags(flags: readonly string[] | null): void {
    if (this.#finished) return;
    if (flags === null) {
      this.#flags = null;
      this.capabilities.forget();
      return;
    }
    const supported = (flag: string) => {
      const op = opOf(flag);
      return !op || typeof this.ops[op] === 'function';
    };
    // A parent flag (`member`, `self`, `record`…) grants every leaf below it: where some of those
    // leaves need an operation this adapter lacks, it stands for the leaves this adapter can perform.
    const kept = flags.flatMap((flag) => {
      if (!supported(flag)) return [];
      const below = LEAF_FLAGS.filter((leaf) => leaf.startsWith(`${flag}.`));
      return below.every(supported) ? [flag] : below.filter(supported);
    });
    this.#flags = Object.freeze(kept);
    this.capabilities.update(kept);
  }

  /**
   * The call is over (left, removed, ended): every SDK listener is released,
   * nothing is known or allowed, `left$` says why. Idempotent.
   */
  protected finish(reason: LeftReason): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const release of this.#releases.splice(0)) {
      try {
        release();
      } catch {
        // An SDK object already torn down has nothing left to release.
      }
    }
    this.#flags = null;
    this.capabilities.forget();
    this.self.set(null);
    this.participants.set([]);
    this.waiting.set([]);
    this.requests.set([]);
    this.access.set({ level: 'none', awaiting: null });
    this.left.set(reason);
    this.connection.set('closed');
  }

  /**
   * Releases everything (as {@link finish}) and completes every observable, so
   * that every subscriber is released too. The call is unusable afterwards.
   */
  destroy(): void {
    this.finish(this.left.value ?? 'left');
    for (const state of [this.self, this.participants, this.waiting, this.access, this.room, this.requests, this.connection, this.left]) {
      (state as State<unknown>).complete();
    }
    this.messages.complete();
    this.capabilities.destroy();
  }

  /** Runs a platform operation, wrapping its failure as a {@link ServerError}. */
  protected async perform(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      throw toServerError(error, this.platform);
    }
  }

  /** Rejects with a CapabilityError unless every flag is granted, then performs `op`. */
  protected async checked(flags: readonly string[], run: (() => Promise<unknown>) | undefined): Promise<void> {
    for (const flag of flags) if (!can(this.capabilities.state, flag)) throw new CapabilityError(flag);
    if (!run) throw new CapabilityError(flags[0] ?? 'unknown', `${this.platform} cannot do this`);
    await this.perform(run);
  }

  /** The member an action targets: oneself when `memberId` is absent or one's own id. */
  protected target(memberId?: string): Member | null {
    const me = this.self.value;
    if (memberId === undefined || memberId === me?.id) return me;
    return this.participants.value.find((m) => m.id === memberId) ?? null;
  }

  /** Checks `actions` on the target by the per-target rules, then performs on oneself or on the member. */
  async #act(
    actions: readonly MemberAction[],
    memberId: string | undefined,
    onSelf: (() => Promise<unknown>) | undefined,
    onMember: ((target: Member) => Promise<unknown>) | undefined,
  ): Promise<void> {
    const me = this.self.value;
    const found = this.target(memberId);
    const target = found ?? { id: memberId ?? '', owner: false };
    const isSelf = !!me && target.id === me.id;
    for (const action of actions) {
      if (!mayActOn(this.capabilities.state, me, target, action)) {
        throw new CapabilityError(`${isSelf ? 'self' : 'member'}.${MEMBER_ACTION_FLAGS[action]}`);
      }
    }
    if (!found) throw new ServerError(4404, `${this.platform}: no member ${memberId} in this call`);
    const run = isSelf ? onSelf : onMember && (() => onMember(found));
    if (!run) throw new CapabilityError(`${isSelf ? 'self' : 'member'}.${MEMBER_ACTION_FLAGS[actions[0]]}`, `${this.platform} cannot do this`);
    await this.perform(run);
  }

  #op<K extends keyof PlatformOps>(name: K): PlatformOps[K] | undefined {
    const op = this.ops[name];
    return typeof op === 'function' ? (op.bind(this.ops) as PlatformOps[K]) : undefined;
  }

  async leave(): Promise<void> {
    if (this.#finished) return;
    try {
      await this.perform(() => this.ops.leave());
    } finally {
      this.finish('left');
    }
  }

  requestAccess(name: string): Promise<void> {
    const op = this.#op('requestAccess');
    if (!op) return Promise.reject(new ServerError(PLATFORM_ERROR, `${this.platform}: knocking is not supported`));
    return this.perform(() => op(name));
  }

  async #mute(channels: readonly MediaChannel[], memberId: string | undefined, muted: boolean): Promise<void> {
    const self = this.#op('muteSelf');
    const member = this.#op('muteMember');
    const actions = channels.map((c) => `${muted ? '' : 'un'}mute-${c}` as MemberAction);
    await this.#act(
      actions,
      memberId,
      self && (async () => { for (const c of channels) await self(c, muted); }),
      member && (async (target) => { for (const c of channels) await member(c, target, muted); }),
    );
  }

  mute(channels: readonly MediaChannel[], memberId?: string): Promise<void> {
    return this.#mute(channels, memberId, true);
  }

  unmute(channels: readonly MediaChannel[], memberId?: string): Promise<void> {
    return this.#mute(channels, memberId, false);
  }

  #toggle(action: MemberAction, memberId: string | undefined, self: 'deafSelf' | 'handSelf', member: 'deafMember' | 'handMember', on: boolean): Promise<void> {
    const s = this.#op(self);
    const m = this.#op(member);
    return this.#act([action], memberId, s && (() => s(on)), m && ((target) => m(target, on)));
  }

  deaf(memberId?: string): Promise<void> {
    return this.#toggle('deaf', memberId, 'deafSelf', 'deafMember', true);
  }

  undeaf(memberId?: string): Promise<void> {
    return this.#toggle('undeaf', memberId, 'deafSelf', 'deafMember', false);
  }

  raiseHand(memberId?: string): Promise<void> {
    return this.#toggle('raisehand', memberId, 'handSelf', 'handMember', true);
  }

  lowerHand(memberId?: string): Promise<void> {
    return this.#toggle('lowerhand', memberId, 'handSelf', 'handMember', false);
  }

  startScreenshare(): Promise<void> {
    const op = this.#op('screenshare');
    return this.checked(['screenshare'], op && (() => op(true)));
  }

  /** Stopping one's own screen share needs no capability (as on the reference server). */
  stopScreenshare(): Promise<void> {
    const op = this.#op('screenshare');
    return op ? this.perform(() => op(false)) : Promise.resolve();
  }

  lock(): Promise<void> {
    const op = this.#op('lock');
    return this.checked(['lock.on'], op && (() => op(true)));
  }

  unlock(): Promise<void> {
    const op = this.#op('lock');
    return this.checked(['lock.off'], op && (() => op(false)));
  }

  end(): Promise<void> {
    const op = this.#op('end');
    return this.checked(['end'], op);
  }

  setLayout(layout: string): Promise<void> {
    const op = this.#op('setLayout');
    return this.checked(['layout.set'], op && (() => op(layout)));
  }

  sendDigits(digits: string): Promise<void> {
    const op = this.#op('sendDigits');
    return this.checked(['digit.send'], op && (() => op(digits)));
  }

  removeMember(memberId: string): Promise<void> {
    const op = this.#op('removeMember');
    return this.#act(['remove'], memberId, undefined, op);
  }

  updateMember(memberId: string, update: { permissions?: PermissionsUpdate; role?: string }): Promise<void> {
    const permissions = this.#op('updatePermissions');
    const role = this.#op('updateRole');
    const actions: MemberAction[] = [];
    if (update.permissions) actions.push('permissions');
    if (update.role !== undefined) actions.push('role');
    const run = (target: Member | '*') => async () => {
      if (update.permissions) await permissions?.(target, update.permissions);
      if (update.role !== undefined) await role?.(target, update.role);
    };
    const fields = this.permissionFields;
    const expressible = !update.permissions || !fields || Object.keys(update.permissions).every((f) => fields.includes(f as keyof ParticipantPermissions));
    const supported = (!update.permissions || (permissions && expressible)) && (update.role === undefined || role);
    if (memberId === '*') return this.checked(actions.map((a) => `member.${MEMBER_ACTION_FLAGS[a]}`), supported ? run('*') : undefined);
    return this.#act(actions, memberId, supported ? () => run(this.self.value!)() : undefined, supported ? (target) => run(target)() : undefined);
  }

  updateWaiting(memberId: string, grant: boolean): Promise<void> {
    const op = this.#op('updateWaiting');
    return this.checked(['waiting.admit'], op && (() => op(memberId, grant)));
  }

  requestPermissions(permissions: readonly RequestKind[]): Promise<void> {
    const op = this.#op('requestPermissions');
    return this.checked(permissions.map((p) => `request.${p}`), op && (() => op(permissions)));
  }

  denyRequest(memberId: string): Promise<void> {
    const op = this.#op('denyRequest');
    return this.checked(['member.permissions.set'], op && (() => op(memberId)));
  }

  #onOff(name: 'record' | 'stream' | 'transcribe', on: boolean): Promise<void> {
    const op = this.#op(name);
    return this.checked([`${name}.${on ? 'on' : 'off'}`], op && (() => op(on)));
  }

  startRecording(): Promise<void> {
    return this.#onOff('record', true);
  }

  stopRecording(): Promise<void> {
    return this.#onOff('record', false);
  }

  startStreaming(): Promise<void> {
    return this.#onOff('stream', true);
  }

  stopStreaming(): Promise<void> {
    return this.#onOff('stream', false);
  }

  startTranscription(): Promise<void> {
    return this.#onOff('transcribe', true);
  }

  stopTranscription(): Promise<void> {
    return this.#onOff('transcribe', false);
  }

  sendMessage(data: unknown, to?: string): Promise<void> {
    const op = this.#op('sendMessage');
    if (!op) return Promise.reject(new ServerError(PLATFORM_ERROR, `${this.platform}: app messages are not supported`));
    return this.perform(() => op(data, to));
  }
}
