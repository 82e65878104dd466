/**
 * Media on loopback, with a real Janus and werift peers (real ICE, DTLS, SRTP):
 * - Janus start: spawn until it answers create → attach;
 * - answer latency: `media.publish` with a synthetic offer until Janus' answer is back;
 * - publish → first remote video packet at a subscriber, and revocation → last
 *   forwarded audio packet (the publisher keeps sending);
 * - CPU of Janus and of the callcaps server with N publishers in one room and
 *   one viewer receiving all of them, beside the same room driven by a bare
 *   janode client (Janus' own VideoRoom flow, no callcaps signalling): Janus'
 *   CPU per second in both, as a ratio, and the callcaps server's own.
 * `MEDIA_BENCH_PUBLISHERS` (default `4,8,16`) sets the room sizes; `MB_STARTS`,
 * `MB_ANSWERS`, `MB_ROUNDS` the sample counts (5, 30, 5). Needs Janus;
 * prints a line and skips without it. Figures are printed, never asserted.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Janode from 'janode';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import { WebSocket } from 'ws';
import { findJanus, JanusProcess } from '../packages/server/src/media/janus-process.js';
import { silentLogger } from '../packages/server/src/log.js';
import { offer } from '../packages/server/test/media/fixtures.js';
import { FakePublisher, FakeReceiver } from '../packages/server/test/media/peer.js';

Janode.Logger.setLevel('none');

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${percentile(s, 0.5).toFixed(1)} ms  p90 ${percentile(s, 0.9).toFixed(1)} ms  (n=${s.length})`;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

/** CPU time of a process so far, in ms (from /proc: utime + stime at 100 ticks a second). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A minimal JSON-RPC client. */
class Rpc {
  #id = 0;
  #pending = new Map<number, (m: any) => void>();
  readonly notes: any[] = [];
  #waiters: (() => void)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if ('id' in m) this.#pending.get(m.id)?.(m);
      else {
        this.notes.push(m);
        for (const w of this.#waiters.splice(0)) w();
      }
    });
  }
  static open(url: string): Promise<Rpc> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new Rpc(ws)));
      ws.once('error', reject);
    });
  }
  async request(method: string, params: unknown = {}): Promise<any> {
    const id = ++this.#id;
    const reply = await new Promise<any>((resolve) => {
      this.#pending.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
    if (reply.error) throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`);
    return reply.result;
  }
  async next(method: string): Promise<any> {
    for (;;) {
      const i = this.notes.findIndex((n) => n.method === method);
      if (i >= 0) return this.notes.splice(i, 1)[0].params;
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }
  close() {
    this.ws.close();
  }
}

export async function run(): Promise<void> {
  console.log('\n## media (Janus, werift peers on loopback)');
  const janusPath = findJanus().path;
  if (!janusPath) {
    console.log('skipped: no janus binary (install Debian janus or set JANUS_PATH)');
    return;
  }

  // Janus start.
  const starts: number[] = [];
  for (let i = 0; i < Number(process.env.MB_STARTS ?? 5); i++) {
    const t0 = performance.now();
    const janus = await JanusProcess.start(janusPath, {}, silentLogger);
    starts.push(performance.now() - t0);
    await janus.stop();
  }
  console.log(`  Janus start (spawn → answers create/attach)       ${summary(starts)}`);

  const child = fork(new URL('./media-child.ts', import.meta.url), { execArgv: ['--conditions=callcaps-source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ url: string; wsUrl: string; janus: { pid: number; url: string; apiSecret: string; adminKey: string } }>((resolve) => child.once('message', (m) => resolve(m as any)));
  const serverCpu = () => new Promise<number>((resolve) => {
    child.once('message', (m) => resolve((m as { cpu: number }).cpu));
    child.send('cpu');
  });
  const api = async (path: string, body: unknown) => (await fetch(ready.url + path, {
    method: 'POST', headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' }, body: JSON.stringify(body),
  })).json() as Promise<any>;
  let rooms = 0;
  const room = async () => {
    const name = `bench${++rooms}`;
    await api('/v1/rooms', { name, privacy: 'public' });
    const { token } = await api('/v1/meeting-tokens', { properties: { room_name: name, is_owner: true } });
    return { name, token };
  };
  const join = async (name: string, token?: string) => {
    const c = await Rpc.open(ready.wsUrl);
    const { member_id } = await c.request('call.join', { room: name, token, user_name: 'bench' });
    return { c, id: member_id as string };
  };

  try {
    // Answer latency.
    const answers: number[] = [];
    const r0 = await room();
    for (let i = 0; i < Number(process.env.MB_ANSWERS ?? 30); i++) {
      const m = await join(r0.name);
      const t0 = performance.now();
      await m.c.request('media.publish', { jsep: offer(['audio', 'video']) });
      answers.push(performance.now() - t0);
      m.c.close();
    }
    console.log(`  media.publish → Janus' answer                      ${summary(answers)}`);

    // First remote video, and revocation → last forwarded packet.
    const firsts: number[] = [];
    const stops: number[] = [];
    for (let i = 0; i < Number(process.env.MB_ROUNDS ?? 5); i++) {
      const r = await room();
      const owner = await join(r.name, r.token);
      const guest = await join(r.name);
      const receiver = new FakeReceiver();
      let streams: { mid: string; member_id: string; kind: string }[] = [];
      let stop = false;
      void (async () => {
        while (!stop) {
          const o = await owner.c.next('media.offer');
          streams = o.streams;
          await owner.c.request('media.answer', { jsep: await receiver.answer(o.jsep) }).catch(() => {});
        }
      })();
      await owner.c.request('media.subscribe');
      await guest.c.request('call.unmute', { channels: ['audio', 'video'] });
      const pub = new FakePublisher(['audio', 'video']);
      const t0 = performance.now();
      const { jsep } = await guest.c.request('media.publish', { jsep: await pub.offer() });
      await pub.accept(jsep);
      pub.send();
      const count = (kind: string) => {
        const s = streams.find((x) => x.member_id === guest.id && x.kind === kind);
        return s ? receiver.count(s.mid) : 0;
      };
      await until(() => count('video') > 0);
      firsts.push(performance.now() - t0);
      await until(() => count('audio') > 20);
      let last = performance.now();
      let seen = count('audio');
      const watch = setInterval(() => {
        if (count('audio') !== seen) {
          seen = count('audio');
          last = performance.now();
        }
      }, 2);
      const revoked = performance.now();
      await owner.c.request('call.member.update', { member_id: guest.id, permissions: { canSend: ['video'] } });
      await sleep(1000);
      clearInterval(watch);
      stops.push(Math.max(0, last - revoked));
      stop = true;
      await pub.close();
      await receiver.close();
      owner.c.close();
      guest.c.close();
    }
    console.log(`  publish → first remote video packet (werift ICE)  ${summary(firsts)}`);
    console.log(`  revocation → last forwarded audio packet          ${summary(stops)}`);

    // CPU with N publishers, through callcaps and through a bare janode client.
    const sizes = (process.env.MEDIA_BENCH_PUBLISHERS ?? '4,8,16').split(',').map(Number).filter((n) => n > 0);
    const WINDOW = 5000;
    for (const n of sizes) {
      // Through callcaps.
      const r = await room();
      const viewer = await join(r.name, r.token);
      const receiver = new FakeReceiver();
      let stop = false;
      void (async () => {
        while (!stop) {
          const o = await viewer.c.next('media.offer');
          await viewer.c.request('media.answer', { jsep: await receiver.answer(o.jsep) }).catch(() => {});
        }
      })();
      await viewer.c.request('media.subscribe');
      const pubs: FakePublisher[] = [];
      const members: Rpc[] = [];
      for (let i = 0; i < n; i++) {
        const m = await join(r.name);
        members.push(m.c);
        await m.c.request('call.unmute', { channels: ['audio', 'video'] });
        const pub = new FakePublisher(['audio', 'video']);
        const { jsep } = await m.c.request('media.publish', { jsep: await pub.offer() });
        await pub.accept(jsep);
        pub.send();
        pubs.push(pub);
      }
      await until(() => receiver.packets.size >= 2 * n, 20_000);
      await sleep(1000);
      const [j0, s0] = [cpuOf(ready.janus.pid), await serverCpu()];
      await sleep(WINDOW);
      const [j1, s1] = [cpuOf(ready.janus.pid), await serverCpu()];
      stop = true;
      for (const p of pubs) await p.close();
      await receiver.close();
      for (const m of members) m.close();
      viewer.c.close();
      await sleep(500);

      // Bare: the same room shape driven straight through janode.
      const connection = await Janode.connect({ address: { url: ready.janus.url, apisecret: ready.janus.apiSecret } });
      const session = await connection.create();
      const admin = await session.attach(VideoRoomPlugin);
      const roomId = 900_000 + n;
      await admin.create({ room: roomId, admin_key: ready.janus.adminKey, max_publishers: 100 });
      const barePubs: FakePublisher[] = [];
      const feeds: number[] = [];
      for (let i = 0; i < n; i++) {
        const h = await session.attach(VideoRoomPlugin);
        const pub = new FakePublisher(['audio', 'video']);
        const joined = await h.joinConfigurePublisher({ room: roomId, jsep: await pub.offer() });
        await pub.accept(joined.jsep!);
        pub.send();
        barePubs.push(pub);
        feeds.push(joined.feed);
      }
      await sleep(2500);
      const sub = await session.attach(VideoRoomPlugin);
      const bareReceiver = new FakeReceiver();
      const joinedSub = await sub.joinSubscriber({ room: roomId, streams: feeds.map((feed) => ({ feed })) });
      await sub.start({ jsep: await bareReceiver.answer(joinedSub.jsep!) });
      await until(() => bareReceiver.packets.size >= 2 * n, 20_000);
      await sleep(1000);
      const b0 = cpuOf(ready.janus.pid);
      await sleep(WINDOW);
      const b1 = cpuOf(ready.janus.pid);
      for (const p of barePubs) await p.close();
      await bareReceiver.close();
      await admin.destroy({ room: roomId }).catch(() => {});
      await connection.close();

      const perSecond = (ms: number) => (ms / (WINDOW / 1000)).toFixed(1);
      console.log(`  ${String(n).padStart(2)} publishers + 1 viewer: Janus ${perSecond(j1 - j0)} ms CPU/s via callcaps, ${perSecond(b1 - b0)} ms CPU/s bare `
        + `(ratio ${((j1 - j0) / Math.max(1, b1 - b0)).toFixed(2)}); callcaps server ${perSecond(s1 - s0)} ms CPU/s`);
    }
  } finally {
    child.send('exit');
    await new Promise((r) => child.once('exit', r));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
