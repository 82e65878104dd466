/**
 * Call permissions (the actions a role may be granted, as in Stream's call
 * types), the settings of a call type, and the three built-in call types.
 */
import type { PermissionsUpdate } from 'callcaps/client';

/** Every permission a role may be granted, with what it allows. */
export const PERMISSIONS = Object.freeze({
  'join-call': 'join calls of this type',
  'send-audio': 'publish a microphone (still needs presence and canSend audio)',
  'send-video': 'publish a camera (still needs presence and canSend video)',
  screenshare: 'share a screen (still needs presence and canSend screenVideo)',
  'mute-users': 'mute, deafen and lower the hand of other members',
  'kick-user': 'remove other members from the call',
  'update-call-permissions': 'change other members\' permissions, answer their requests, admit knockers',
  'update-call-member': 'change other members\' call role and per-member settings',
  'update-call-settings': 'lock and unlock the call, set the layout, hide video-muted tiles',
  'end-call': 'end the call for everyone',
  'start-record-call': 'start recording',
  'stop-record-call': 'stop recording',
  'start-broadcast-call': 'start a live stream',
  'stop-broadcast-call': 'stop a live stream',
  'start-transcription-call': 'start transcription',
  'stop-transcription-call': 'stop transcription',
} as const);

/** A permission a role may be granted. */
export type Permission = keyof typeof PERMISSIONS;

export const PERMISSION_NAMES = Object.freeze(Object.keys(PERMISSIONS)) as readonly Permission[];

/** The built-in call roles (a call type may add its own). */
export const BUILT_IN_ROLES = Object.freeze(['user', 'moderator', 'host', 'admin', 'call_member']);

/** A media kind a call type may enable and let members ask for. */
export interface MediaSettings {
  enabled: boolean;
  /** Whether a member who may not send this kind may ask a host for it. */
  access_request_enabled: boolean;
}

/** The settings of a call type (Stream-style), read by the policy. */
export interface CallTypeSettings {
  audio: MediaSettings;
  video: MediaSettings;
  screenshare: MediaSettings;
  /** Whether a member without presence may ask for it. */
  presence: { access_request_enabled: boolean };
  recording: { enabled: boolean };
  broadcasting: { enabled: boolean };
  transcription: { enabled: boolean };
  /** The layouts offered, and the one a new call starts with. */
  layout: { default: string; options: string[] };
  /**
   * Default permissions by call role, applied to non-owners before the room's
   * defaults and the token's permissions.
   */
  default_permissions: Record<string, PermissionsUpdate>;
}

/** A call type: grants per role, and settings. */
export interface CallType {
  name: string;
  grants: Record<string, Permission[]>;
  settings: CallTypeSettings;
}

const ALL = [...PERMISSION_NAMES];
const SEND: Permission[] = ['join-call', 'send-audio', 'send-video', 'screenshare'];
const MODERATE: Permission[] = ['mute-users', 'kick-user', 'update-call-permissions'];

const media = (enabled: boolean, access_request_enabled: boolean): MediaSettings => ({ enabled, access_request_enabled });

function settings(overrides: Partial<CallTypeSettings>): CallTypeSettings {
  return {
    audio: media(true, true),
    video: media(true, true),
    screenshare: media(true, true),
    presence: { access_request_enabled: true },
    recording: { enabled: true },
    broadcasting: { enabled: true },
    transcription: { enabled: true },
    layout: { default: 'grid', options: ['grid', 'speaker', 'spotlight'] },
    default_permissions: {},
    ...overrides,
  };
}

/** The built-in call types, as they are before anyone edits them. */
export function builtInCallTypes(): CallType[] {
  return [
    {
      name: 'default',
      grants: {
        user: [...SEND],
        call_member: [...SEND],
        moderator: [...SEND, ...MODERATE],
        host: [...ALL],
        admin: [...ALL],
      },
      settings: settings({}),
    },
    {
      // Everyone listens; users are an audience (no presence, so nobody but the hosts hears
      // of them: counts and a list) until they ask (request.presence) and a host brings them
      // on stage (hasPresence) and lets them speak (canSend audio).
      name: 'audio_room',
      grants: {
        user: ['join-call', 'send-audio'],
        call_member: ['join-call', 'send-audio'],
        moderator: ['join-call', 'send-audio', ...MODERATE],
        host: ALL.filter((p) => p !== 'send-video' && p !== 'screenshare'),
        admin: [...ALL],
      },
      settings: settings({
        video: media(false, false),
        screenshare: media(false, false),
        layout: { default: 'stage', options: ['stage', 'grid'] },
        default_permissions: { user: { hasPresence: false, canSend: false }, call_member: { hasPresence: false, canSend: false } },
      }),
    },
    {
      // Hosts broadcast; users only watch, as an audience (no presence), and cannot ask for more.
      name: 'livestream',
      grants: {
        user: ['join-call'],
        call_member: ['join-call'],
        moderator: ['join-call', ...MODERATE],
        host: [...ALL],
        admin: [...ALL],
      },
      settings: settings({
        audio: media(true, false),
        video: media(true, false),
        screenshare: media(true, false),
        presence: { access_request_enabled: false },
        layout: { default: 'spotlight', options: ['spotlight', 'grid'] },
        default_permissions: { user: { hasPresence: false }, call_member: { hasPresence: false } },
      }),
    },
  ];
}

/** The settings of a new call type that sets none. */
export const defaultSettings = (): CallTypeSettings => settings({});
