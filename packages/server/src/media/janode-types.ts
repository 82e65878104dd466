/**
 * The little of janode (Meetecho's Janus client, plain ESM JavaScript without
 * types) that the media layer uses, as types of our own, so that the server's
 * published declarations do not depend on janode having any.
 */
import type { EventEmitter } from 'node:events';

/** An SDP offer or answer. */
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface JanodeServer {
  url: string;
  apisecret?: string;
}

export interface JanodeConfig {
  address: JanodeServer | JanodeServer[];
  retry_time_secs?: number;
  max_retries?: number;
  is_admin?: boolean;
}

export interface Handle extends EventEmitter {
  readonly id: number;
  message(body: Record<string, unknown>, jsep?: unknown): Promise<any>;
  trickle(candidate: unknown): Promise<unknown>;
  trickleComplete(): Promise<unknown>;
  hangup(): Promise<unknown>;
  detach(): Promise<void>;
}

export interface Session extends EventEmitter {
  readonly id: number;
  attach<H extends Handle>(plugin: { id: string; Handle: new (...args: any[]) => H }): Promise<H>;
  destroy(): Promise<void>;
}

export interface Connection extends EventEmitter {
  create(kaInterval?: number): Promise<Session>;
  close(): Promise<void>;
  getInfo(): Promise<any>;
}

export interface JanodeApi {
  connect(config: JanodeConfig): Promise<Connection>;
  Logger: { setLevel(level: 'none' | 'error' | 'warning' | 'info' | 'verbose' | 'debug'): string };
  EVENT: Record<
    | 'CONNECTION_CLOSED' | 'SESSION_DESTROYED' | 'HANDLE_DETACHED' | 'HANDLE_ICE_FAILED' | 'HANDLE_HANGUP'
    | 'HANDLE_MEDIA' | 'HANDLE_WEBRTCUP' | 'HANDLE_SLOWLINK' | 'HANDLE_TRICKLE' | 'CONNECTION_ERROR',
    string
  >;
}

/** One stream of a multistream subscription, as Janus lists it. */
export interface SubscriberStream {
  mindex: number;
  mid: string;
  type: 'audio' | 'video' | 'data';
  active?: boolean;
  feed_id?: number;
  feed_mid?: string;
  feed_description?: string;
  [key: string]: unknown;
}

export interface VideoRoomHandle extends Handle {
  feed: number | string | null;
  room: number | string | null;
  create(params: Record<string, unknown>): Promise<any>;
  destroy(params: { room: number; secret?: string }): Promise<any>;
  exists(params: { room: number }): Promise<{ exists: boolean }>;
  listParticipants(params: { room: number; secret?: string }): Promise<{ participants: { feed: number; display?: string; publisher: boolean }[] }>;
  kick(params: { room: number; feed: number; secret?: string }): Promise<any>;
  joinPublisher(params: Record<string, unknown>): Promise<{ feed: number; publishers: unknown[] }>;
  joinConfigurePublisher(params: Record<string, unknown>): Promise<{ feed: number; jsep?: Jsep; publishers: unknown[] }>;
  configure(params: Record<string, unknown>): Promise<{ jsep?: Jsep; streams?: unknown[] }>;
  unpublish(): Promise<unknown>;
  joinSubscriber(params: Record<string, unknown>): Promise<{ jsep?: Jsep; streams?: SubscriberStream[] }>;
  start(params: { jsep: Jsep }): Promise<unknown>;
  update(params: { subscribe?: unknown[]; unsubscribe?: unknown[] }): Promise<{ jsep?: Jsep; streams?: SubscriberStream[] }>;
  leave(): Promise<unknown>;
}

export interface VideoRoomPluginApi {
  id: string;
  Handle: new (...args: any[]) => VideoRoomHandle;
  EVENT: Record<string, string>;
}
