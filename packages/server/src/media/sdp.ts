/**
 * Just enough SDP to check an offer before Janus sees it: its media sections,
 * their mids, and whether they send.
 */
export interface MediaSection {
  readonly type: string;
  readonly mid: string;
  /** Whether the section offers to send (sendrecv or sendonly, and not rejected with port 0). */
  readonly sending: boolean;
}

/** The media sections of an SDP, in order; throws on text that is not an SDP with mids. */
export function mediaSections(sdp: string): MediaSection[] {
  if (!sdp.startsWith('v=0')) throw new Error('the SDP must start with v=0');
  const sections: { type: string; port: string; mid?: string; direction: string }[] = [];
  let sessionDirection = 'sendrecv';
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    const current = sections[sections.length - 1];
    if (line.startsWith('m=')) {
      const [type, port] = line.slice(2).split(' ');
      sections.push({ type: type ?? '', port: port ?? '0', direction: sessionDirection });
    } else if (line.startsWith('a=mid:')) {
      if (current) current.mid = line.slice(6);
    } else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) {
      if (current) current.direction = line.slice(2);
      else sessionDirection = line.slice(2);
    }
  }
  return sections.map((s, i) => {
    if (s.mid === undefined) throw new Error(`media section ${i} has no a=mid`);
    return { type: s.type, mid: s.mid, sending: s.port !== '0' && (s.direction === 'sendrecv' || s.direction === 'sendonly') };
  });
}
