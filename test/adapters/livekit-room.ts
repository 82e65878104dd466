/**
 * A real livekit-client `Room`, offline: `simulateParticipants()` connects it
 * without a server, and the server's `update` messages are fed to the SDK's
 * own signal handler, so permission, attribute and track changes take the
 * SDK's own path to its events (`ParticipantPermissionsChanged`…).
 *
 * Stand-ins, and why: the Room's media calls (`setMicrophoneEnabled`,
 * `setCameraEnabled`, `setScreenShareEnabled`) need `getUserMedia`, and
 * `setAttributes` / `publishData` need a signal connection; none exists
 * offline, so those methods of the real `LocalParticipant` are replaced by
 * recorders (typed as the SDK's own methods). The host backend is the app's,
 * not LiveKit's: a recorder typed as `LiveKitBackend` stands in for it.
 */
import {
  ParticipantInfo, ParticipantInfo_State, ParticipantPermission, ParticipantUpdate, SignalResponse, TrackInfo, TrackSource, TrackType,
} from '@livekit/protocol';
import { LogLevel, Room, setLogLevel, type LocalParticipant } from 'livekit-client';
import type { LiveKitBackend } from '../../src/adapters/livekit/index.js';

setLogLevel(LogLevel.silent);

export const GUEST_PERMISSION = {
  canPublish: true, canSubscribe: true, canPublishData: true, canUpdateMetadata: true, canPublishSources: [] as TrackSource[], hidden: false,
};

/** A recorder of the app's backend, typed as the adapter's `LiveKitBackend`. */
export function recordingBackend(sent: string[], fail?: { status: number; message: string }): Required<LiveKitBackend> {
  const record = (name: string) => async (request: object) => {
    sent.push(`${name} ${JSON.stringify(request)}`);
    if (fail) throw Object.assign(new Error(fail.message), { status: fail.status });
  };
  return {
    updatePermissions: record('updatePermissions'),
    updateAttributes: record('updateAttributes'),
    removeParticipant: record('removeParticipant'),
    mutePublishedTrack: record('mutePublishedTrack'),
    endRoom: record('endRoom'),
  };
}

const LOCAL_METHODS = ['setMicrophoneEnabled', 'setCameraEnabled', 'setScreenShareEnabled', 'setAttributes', 'publishData'] as const;

/** Replaces the local participant's media and signalling methods by recorders. */
export function recordLocal(local: LocalParticipant, sent: string[]): void {
  for (const method of LOCAL_METHODS) {
    (local as unknown as Record<string, (...args: unknown[]) => Promise<undefined>>)[method] = async (...args: unknown[]) => {
      sent.push(`${method}(${args.map((a) => (a instanceof Uint8Array ? new TextDecoder().decode(a) : JSON.stringify(a))).join(', ')})`);
      return undefined;
    };
  }
}

/** Drives a simulated Room through the SDK's own signal handler. */
export class OfflineRoom {
  readonly room = new Room();
  #version = 1;

  /** Connects the Room without a server, with `others` remote participants (identities `simulated-0`…). */
  async connect(others = 2): Promise<void> {
    await this.room.simulateParticipants({ participants: { count: others + 1, video: false, audio: false }, publish: { audio: false, video: false } });
  }

  /** A server `update` for participants, handled by the SDK's own signal client. */
  update(...participants: ParticipantInfo[]): void {
    const client = (this.room as unknown as { engine: { client: { handleSignalResponse(r: SignalResponse): void } } }).engine.client;
    client.handleSignalResponse(new SignalResponse({ message: { case: 'update', value: new ParticipantUpdate({ participants }) } }));
  }

  /** The local participant's info as the server would send it. */
  local(permission: Partial<ParticipantPermission> | undefined, attributes: Record<string, string> = {}): ParticipantInfo {
    const local = this.room.localParticipant;
    return new ParticipantInfo({
      sid: local.sid, identity: local.identity, name: local.name, version: ++this.#version, state: ParticipantInfo_State.ACTIVE,
      permission: permission && new ParticipantPermission(permission), attributes,
    });
  }

  /** A remote participant's info, with a microphone and a camera track published. */
  remote(identity: string, permission: Partial<ParticipantPermission> = GUEST_PERMISSION, attributes: Record<string, string> = {}, muted = false): ParticipantInfo {
    const p = this.room.remoteParticipants.get(identity)!;
    return new ParticipantInfo({
      sid: p.sid, identity, name: `Name ${identity}`, version: ++this.#version, state: ParticipantInfo_State.ACTIVE,
      permission: new ParticipantPermission(permission), attributes,
      tracks: [
        new TrackInfo({ sid: `TR_mic_${identity}`, type: TrackType.AUDIO, source: TrackSource.MICROPHONE, muted }),
        new TrackInfo({ sid: `TR_cam_${identity}`, type: TrackType.VIDEO, source: TrackSource.CAMERA, muted }),
      ],
    });
  }

  /** The adapter's own listeners on the Room and its local participant, counted on the SDK's emitters. */
  static count(room: Room, fns: Set<Function>): number {
    let n = 0;
    for (const emitter of [room, room.localParticipant] as unknown as { eventNames(): (string | symbol)[]; listeners(e: string | symbol): Function[] }[]) {
      for (const event of emitter.eventNames()) n += emitter.listeners(event).filter((fn) => fns.has(fn)).length;
    }
    return n;
  }

  /** Runs `create` while collecting every listener it adds to the Room and its local participant. */
  static collect<T>(room: Room, create: () => T): { value: T; fns: Set<Function> } {
    const fns = new Set<Function>();
    const emitters = [room, room.localParticipant] as unknown as { on(e: string, fn: Function): unknown }[];
    const originals = emitters.map((e) => e.on);
    emitters.forEach((emitter, i) => {
      emitter.on = function (this: unknown, event: string, fn: Function) {
        fns.add(fn);
        return originals[i].call(this, event, fn);
      };
    });
    try {
      return { value: create(), fns };
    } finally {
      emitters.forEach((emitter, i) => (emitter.on = originals[i]));
    }
  }
}
