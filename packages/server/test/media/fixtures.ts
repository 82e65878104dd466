/**
 * Helpers for the media suites: a synthetic browser SDP offer (Node has no
 * WebRTC; Janus answers a well-formed offer without ICE completing), a way to
 * find Janus processes by their configuration folder, and an observer that
 * joins a call's VideoRoom through janode to see what Janus itself reports.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import Janode from 'janode';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import { findJanus } from '../../src/media/janus-process.js';

/** Whether this machine can run the media suites (a `janus` binary). */
export const HAVE_JANUS = findJanus().path !== null;

const hex = (n: number) => [...randomBytes(n)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');

/** A browser-like offer: one sending section per entry (`audio` or `video`), mids "0", "1", … */
export function offerSdp(types: readonly ('audio' | 'video')[]): string {
  const ufrag = randomBytes(4).toString('hex');
  const pwd = randomBytes(12).toString('hex');
  const fingerprint = hex(32);
  const mids = types.map((_, i) => String(i));
  const lines = ['v=0', `o=- ${Date.now()} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0', `a=group:BUNDLE ${mids.join(' ')}`, 'a=msid-semantic: WMS s'];
  types.forEach((type, i) => {
    const pt = type === 'audio' ? 111 : 96;
    lines.push(
      `m=${type} 9 UDP/TLS/RTP/SAVPF ${pt}`, 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0',
      `a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`, 'a=ice-options:trickle', `a=fingerprint:sha-256 ${fingerprint}`, 'a=setup:actpass',
      `a=mid:${i}`, 'a=sendonly', `a=msid:s t${i}`, 'a=rtcp-mux',
    );
    if (type === 'audio') lines.push(`a=rtpmap:${pt} opus/48000/2`, `a=fmtp:${pt} minptime=10;useinbandfec=1`);
    else lines.push('a=rtcp-rsize', `a=rtpmap:${pt} VP8/90000`, `a=rtcp-fb:${pt} nack`, `a=rtcp-fb:${pt} nack pli`, `a=rtcp-fb:${pt} ccm fir`);
    lines.push(`a=ssrc:${1000 + i} cname:callcaps-test`);
  });
  return lines.join('\r\n') + '\r\n';
}

export const offer = (types: readonly ('audio' | 'video')[]) => ({ type: 'offer', sdp: offerSdp(types) });

/** A browser-like answer to a Janus offer: every section accepted as recvonly. */
export function answerSdp(offerText: string): string {
  const ufrag = randomBytes(4).toString('hex');
  const pwd = randomBytes(12).toString('hex');
  const fingerprint = hex(32);
  const out: string[] = [];
  const sections = offerText.split(/\r?\nm=/);
  out.push('v=0', `o=- ${Date.now()} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0');
  const group = /a=group:BUNDLE[^\r\n]*/.exec(sections[0]!)?.[0];
  if (group) out.push(group);
  for (const raw of sections.slice(1)) {
    const lines = ('m=' + raw).split(/\r?\n/).filter(Boolean);
    const [type, , proto, ...pts] = lines[0]!.slice(2).split(' ');
    const mid = lines.find((l) => l.startsWith('a=mid:'));
    const pt = pts[0];
    out.push(`m=${type} 9 ${proto} ${pt}`, 'c=IN IP4 0.0.0.0', `a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`, `a=fingerprint:sha-256 ${fingerprint}`, 'a=setup:active');
    if (mid) out.push(mid);
    out.push(lines.some((l) => l === 'a=inactive') ? 'a=inactive' : 'a=recvonly', 'a=rtcp-mux');
    for (const l of lines) if (l.startsWith(`a=rtpmap:${pt} `) || l.startsWith(`a=fmtp:${pt} `)) out.push(l);
  }
  return out.join('\r\n') + '\r\n';
}

/** The pids of running processes whose command line mentions `text` (e.g. a Janus configuration folder). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /^State:\s+(\w)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (cmdline.includes(text) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeout = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Joins a VideoRoom as a bare participant (no media) with the room's pin, and
 * records what Janus tells its participants, moderation events included.
 */
export async function observe(server: { url: string; apiSecret?: string }, room: { id: number; pin: string; secret: string }) {
  Janode.Logger.setLevel('none');
  const connection = await Janode.connect({ address: { url: server.url, apisecret: server.apiSecret }, max_retries: 0 });
  const session = await connection.create();
  const handle = await session.attach(VideoRoomPlugin);
  const events: any[] = [];
  const original = (handle as any).handleMessage.bind(handle);
  (handle as any).handleMessage = (message: any) => {
    if (message?.plugindata?.data) events.push(message.plugindata.data);
    return original(message) ?? true;
  };
  await (handle as any).joinPublisher({ room: room.id, pin: room.pin, display: 'observer' });
  return {
    events,
    /** Moderation events Janus sent: `{ id, mid, moderation: "muted" | "unmuted" }`. */
    moderation: () => events.filter((e) => e.moderation),
    /** Janus' list of the room's participants (needs the room secret: the test reads it from the server). */
    participants: async () => ((await handle.message({ request: 'listparticipants', room: room.id, secret: room.secret })).plugindata.data.participants as any[]),
    async close() {
      await connection.close().catch(() => {});
    },
  };
}
