/**
 * A browser stand-in for the media suites: werift (a WebRTC stack in plain
 * TypeScript) runs real ICE, DTLS and SRTP against Janus on loopback, so the
 * tests measure what a receiver actually gets (RTP packets per member and
 * kind), not what the server believes.
 */
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useVP8 } from 'werift';

const CONFIG = {
  iceAdditionalHostAddresses: ['127.0.0.1'],
  iceUseIpv6: false,
  iceUseTcp: false,
  // One transport from the start: werift leaves the sockets of transports dropped by BUNDLE open.
  bundlePolicy: 'max-bundle',
  codecs: { audio: [useOPUS()], video: [useVP8()] },
} as const;

async function gathered(pc: RTCPeerConnection): Promise<{ type: 'offer' | 'answer'; sdp: string }> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const sub = pc.iceGatheringStateChange.subscribe((state) => {
        if (state === 'complete') {
          sub.unSubscribe();
          resolve();
        }
      });
    });
  }
  const d = pc.localDescription!;
  return { type: d.type as 'offer' | 'answer', sdp: d.sdp };
}

/** A publishing PeerConnection that sends a synthetic RTP stream on each track (50 packets a second). */
export class FakePublisher {
  readonly pc = new RTCPeerConnection(CONFIG as any);
  readonly tracks: MediaStreamTrack[] = [];
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;

  constructor(readonly types: readonly ('audio' | 'video')[]) {
    for (const type of types) {
      const track = new MediaStreamTrack({ kind: type });
      this.tracks.push(track);
      this.pc.addTransceiver(track, { direction: 'sendonly' });
    }
  }

  async offer() {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return gathered(this.pc);
  }

  async accept(answer: { type: string; sdp: string }): Promise<void> {
    await this.pc.setRemoteDescription(answer as any);
  }

  /** Starts sending: opus-sized packets on audio, VP8 keyframe-looking packets on video. */
  send(): void {
    const start = Date.now();
    this.#timer = setInterval(() => {
      this.#seq = (this.#seq + 1) & 0xffff;
      this.types.forEach((type, i) => {
        const header = new RtpHeader({
          payloadType: type === 'audio' ? 111 : 96,
          sequenceNumber: this.#seq,
          timestamp: ((Date.now() - start) * (type === 'audio' ? 48 : 90)) >>> 0,
          marker: type === 'video',
          ssrc: 0,
        } as any);
        // VP8: payload descriptor with S=1, then a keyframe header; opus: a silence-ish frame.
        const payload = type === 'audio' ? Buffer.from([0xf8, 0xff, 0xfe]) : Buffer.concat([Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00]), Buffer.alloc(40)]);
        this.tracks[i]!.writeRtp(new RtpPacket(header, payload));
      });
    }, 20);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.pc.close().catch(() => {});
  }
}

/** A receiving PeerConnection: answers the server's offers and counts RTP packets per mid. */
export class FakeReceiver {
  readonly pc = new RTCPeerConnection(CONFIG as any);
  /** Packets received, by the mid of the receiving transceiver. */
  readonly packets = new Map<string, number>();

  constructor() {
    this.pc.onTransceiverAdded.subscribe((transceiver) => {
      transceiver.onTrack.subscribe((track) => {
        track.onReceiveRtp.subscribe(() => {
          const mid = transceiver.mid ?? '?';
          this.packets.set(mid, (this.packets.get(mid) ?? 0) + 1);
        });
      });
    });
  }

  async answer(offer: { type: string; sdp: string }) {
    await this.pc.setRemoteDescription(offer as any);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return gathered(this.pc);
  }

  count(mid: string): number {
    return this.packets.get(mid) ?? 0;
  }

  async close(): Promise<void> {
    await this.pc.close().catch(() => {});
  }
}
