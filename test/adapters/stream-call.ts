/**
 * A real Stream Video `Call`, offline: a `StreamVideoClient` without a
 * connection, its `Call` driven by the SDK's own state setters
 * (`setCallingState`, `setOwnCapabilities`, `setParticipants`) and its own
 * event dispatch (`streamClient.dispatchEvent`, as the coordinator's socket
 * would deliver `call.permission_request`…).
 *
 * Stand-ins, and why:
 * - Stream's API (mute, kick, permissions, end, recording…) is a cloud
 *   service: the SDK's real HTTP layer runs, and only its axios adapter, the
 *   last step before the network, is replaced by a recorder that answers 200
 *   (or an error shaped like Stream's, to test ServerError).
 * - The user token: a static JWT-shaped string set on the SDK's own token
 *   manager, so requests pass the SDK's authentication step; no socket opens.
 * - Media (`microphone`, `camera`, `screenShare` enable/disable) needs
 *   `getUserMedia`: those methods of the real device managers are replaced by
 *   recorders.
 */
import type { Call, OwnCapability, StreamVideoClient, StreamVideoParticipant } from '@stream-io/video-client';

/**
 * The SDK's module, passed in: Node tests import `@stream-io/video-client`,
 * the browser suite its browser build (the test runner does not read the
 * package's `browser` field).
 */
export type StreamSdk = Pick<typeof import('@stream-io/video-client'), 'StreamVideoClient' | 'CallingState'>;

// base64url without Buffer, so that this runs in the browser suites too.
const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

export interface Offline {
  sdk: StreamSdk;
  client: StreamVideoClient;
  call: Call;
  sent: string[];
  /** Makes the next API requests fail as Stream does (status, Stream error code, message). */
  fail: { status: number; code: number; message: string } | null;
}

export function offlineCall(sdk: StreamSdk, id = `room-${Math.random().toString(36).slice(2, 8)}`): Offline {
  const client = new sdk.StreamVideoClient({ apiKey: 'test-key', options: { logLevel: 'error', logger: () => {} } as never });
  const streamClient = (client as unknown as { streamClient: any }).streamClient;
  void streamClient.tokenManager.setTokenOrProvider(`${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ user_id: 'me' })}.sig`, { id: 'me' });
  const call = client.call('default', id);
  const offline: Offline = { sdk, client, call, sent: [], fail: null };
  streamClient.axiosInstance.defaults.adapter = async (config: { method: string; url: string; data?: string }) => {
    offline.sent.push(`${config.method.toUpperCase()} ${config.url} ${config.data ?? ''}`);
    if (offline.fail) {
      const { status, code, message } = offline.fail;
      const error = Object.assign(new Error(`Request failed with status code ${status}`), {
        isAxiosError: true, config, response: { data: { code, message, StatusCode: status }, status, statusText: 'Error', headers: {}, config },
      });
      throw error;
    }
    return { data: { duration: '1ms' }, status: 200, statusText: 'OK', headers: {}, config };
  };
  for (const [name, device] of [['microphone', call.microphone], ['camera', call.camera], ['screenShare', call.screenShare]] as const) {
    for (const method of ['enable', 'disable'] as const) {
      (device as unknown as Record<string, () => Promise<void>>)[method] = async () => void offline.sent.push(`${name}.${method}()`);
    }
  }
  return offline;
}

export function participant(userId: string, overrides: Partial<StreamVideoParticipant> = {}): StreamVideoParticipant {
  return {
    userId, sessionId: `session-${userId}`, publishedTracks: [1, 2], trackLookupPrefix: userId, connectionQuality: 0,
    isSpeaking: false, isDominantSpeaker: false, audioLevel: 0, name: `Name ${userId}`, image: '', roles: ['user'], source: 0,
    ...overrides,
  } as StreamVideoParticipant;
}

/** Joins, the SDK's way as far as state goes: participants, capabilities, then the calling state. */
export function join(o: Offline, capabilities: OwnCapability[], others = ['u2', 'u3']): void {
  o.call.state.setParticipants([participant('me', { isLocalParticipant: true }), ...others.map((id) => participant(id))]);
  o.call.state.setOwnCapabilities(capabilities);
  o.call.state.setCallingState(o.sdk.CallingState.JOINED);
}

/** Delivers a coordinator event for this call through the SDK's own dispatch. */
export function deliver(o: Offline, event: Record<string, unknown>): void {
  (o.client as unknown as { streamClient: { dispatchEvent(e: object): void } }).streamClient.dispatchEvent({
    call_cid: o.call.cid, created_at: new Date().toISOString(), ...event,
  });
}

/**
 * Counts, on the SDK's own objects, what an adapter created by `create` holds:
 * the event listeners it added to the client, and its subscriptions to the
 * call state's subjects.
 */
export function counter(o: Offline): { begin(): void; count(): number } {
  const streamClient = (o.client as unknown as { streamClient: { listeners: Record<string, Function[]> } }).streamClient;
  const state = o.call.state as unknown as Record<string, { observers?: unknown[] }>;
  const subjects = Object.keys(state).filter((k) => k.endsWith('Subject') && Array.isArray(state[k]?.observers));
  let before = new Set<Function>();
  let observers: number[] = [];
  return {
    begin() {
      before = new Set(Object.values(streamClient.listeners).flat());
      observers = subjects.map((k) => state[k].observers!.length);
    },
    count() {
      const added = Object.values(streamClient.listeners).flat().filter((fn) => !before.has(fn)).length;
      // Per subject, what was added since begin() (the SDK releases its own subscriptions on leave too).
      return added + subjects.reduce((n, k, i) => n + Math.max(0, state[k].observers!.length - observers[i]), 0);
    },
  };
}
