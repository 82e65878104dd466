/**
 * Property (issue 14): random batches of joins, leaves, hide/show (presence)
 * and updates (hands) over many members, each batch sent in one go, through
 * real sockets. After every batch, each client's roster, rebuilt from the
 * frames it got alone (`call.joined`, then `members.changed` or `member.*`),
 * equals what the model says it may see; no client ever hears of a member it
 * could not see before nor after the batch, nor of itself.
 *
 * Two rooms: one under the roster threshold (everyone has the whole roster;
 * clients of both protocols), one over it (clients of protocol 2 have pages:
 * what they hold is then a fresh subset of what they may see, and paging to
 * the end makes it equal). In each, two `connect()` clients watch as well, one
 * joined early (the whole roster) and one late (pages, in the paged room):
 * their `participants$` is held to the same rules.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { firstValueFrom } from 'rxjs';
import { WebSocket } from 'ws';
import { connect, type CallClient, type Member } from 'callcaps/client';
import { RpcClient, settle, startServer, type TestServer } from './helpers.js';

const SEED = Number(process.env.ROOMS_SEED ?? 1414);
const ACTORS = 5;

interface Seen { handraised: boolean; hasPresence: boolean }

/** A client's view, rebuilt from its frames only, and the member ids it ever heard of per batch. */
class View {
  members = new Map<string, Seen & { seq?: number }>();
  cursor: number | null = null;
  self = '';
  heard: { type: string; id: string }[] = [];
  constructor(readonly c: RpcClient, readonly protocol: 1 | 2) {
    c.ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      const p = m.params;
      const seen = (member: any): Seen => ({ handraised: member.handraised, hasPresence: member.permissions.hasPresence });
      switch (m.method) {
        case 'call.joined':
          this.self = p.self.id;
          this.members = new Map(p.members.map((x: any) => [x.id, seen(x)]));
          this.cursor = p.cursor ?? null;
          break;
        case 'members.changed':
          for (const e of p.events) {
            this.heard.push({ type: e.type, id: e.member.id });
            if (this.cursor !== null && e.seq > this.cursor) assert.fail(`an event beyond the window (${e.seq} > ${this.cursor})`);
            if (e.type === 'left') this.members.delete(e.member.id);
            else this.members.set(e.member.id, seen(e.member));
          }
          break;
        case 'member.joined':
        case 'member.updated':
          // A member's own changes reach it as member.updated, in both protocols (the self channel, not a batch).
          if (!(m.method === 'member.updated' && p.member.id === this.self)) this.heard.push({ type: m.method.slice(7), id: p.member.id });
          this.members.set(p.member.id, seen(p.member));
          break;
        case 'member.left':
          this.heard.push({ type: 'left', id: p.member.id });
          this.members.delete(p.member.id);
          break;
      }
    });
  }
}

type Command =
  | { kind: 'join'; actor: number; protocol: 1 | 2 }
  | { kind: 'leave'; actor: number }
  | { kind: 'presence'; actor: number; on: boolean }
  | { kind: 'hand'; actor: number; up: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('join' as const), actor: fc.nat(ACTORS - 1), protocol: fc.constantFrom(1 as const, 2 as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leave' as const), actor: fc.nat(ACTORS - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('presence' as const), actor: fc.nat(ACTORS - 1), on: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hand' as const), actor: fc.nat(ACTORS - 1), up: fc.boolean() }) },
);

interface Actor { c: RpcClient; view: View; id: string; presence: boolean; hand: boolean; joined: boolean }

describe('member events: random batches through real sockets (fast-check)', () => {
  let t: TestServer;
  let rooms = 0;
  before(async () => {
    t = await startServer({ roster: { threshold: 4, pageSize: 2, countInterval: 20 }, rateLimit: { burst: 1e6, perSecond: 1e6 }, maxConnectionsPerAddress: 0 });
  });
  after(() => t.close());

  const run = (paged: boolean) => async () => {
    console.log(`# rooms property: seed ${SEED}${paged ? ' (paged)' : ''} (ROOMS_SEED to replay)`);
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(command, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }), (batches) => check(batches).catch((error) => {
        if (process.env.ROOMS_DEBUG) console.error(error);
        throw error;
      })),
      { seed: SEED, numRuns: paged ? 25 : 50, interruptAfterTimeLimit: 12_000, markInterruptAsFailure: false },
    );
    console.log(`# rooms property${paged ? ' (paged)' : ''}: ${Date.now() - started} ms`);

    async function check(batches: Command[][]): Promise<void> {
        const name = `prop-${++rooms}`;
        await t.rest('POST', '/v1/rooms', { name });
        const hostClient = await t.client();
        const host = new View(hostClient, 2);
        await hostClient.request('call.join', { room: name, token: await t.token({ room_name: name, is_owner: true, user_id: `o${rooms}` }), protocol: 2 });
        const watch = () => connect(t.server.url, { room: name, userName: 'watcher', WebSocket });
        const early = await watch();
        // In the paged room, filler members push the roster over the threshold.
        const fillers: RpcClient[] = [];
        if (paged) {
          for (let i = 0; i < 5; i++) {
            const f = await t.client();
            await f.request('call.join', { room: name, user_name: `filler${i}` });
            fillers.push(f);
          }
        }
        const actors: (Actor | null)[] = Array.from({ length: ACTORS }, () => null);
        const fillerIds = new Set<string>();
        const late = await watch();
        const watchers: CallClient[] = [early, late];
        assert.equal((await firstValueFrom(late.roster.state$)).complete, !paged, 'the late watcher holds pages in the paged room only');
        await settle(5);
        for (const id of host.members.keys()) if (id !== host.self) fillerIds.add(id);
        const clientView = async (call: CallClient) =>
          new Map((await firstValueFrom(call.participants$)).map((m: Member) => [m.id, { handraised: m.handraised, hasPresence: m.permissions.hasPresence }]));
        const complete = async (call: CallClient) => (await firstValueFrom(call.roster.state$)).complete;
        /** What `viewer` may see now: the host, the fillers and watchers, the actors in the call with presence, and itself. */
        const expected = (viewer: string): Map<string, Seen> => {
          const m = new Map<string, Seen>();
          m.set(host.self, { handraised: false, hasPresence: true });
          for (const id of fillerIds) m.set(id, { handraised: false, hasPresence: true });
          for (const a of actors) if (a?.joined && (a.presence || a.id === viewer)) m.set(a.id, { handraised: a.hand, hasPresence: a.presence });
          return m;
        };

        for (const batch of batches) {
          // Only what the model allows; an actor that joins or leaves in this batch is not acted on by the host in it.
          const moving = new Set(batch.filter((c) => c.kind === 'join' || c.kind === 'leave').map((c) => c.actor));
          const valid: Command[] = [];
          const joinedNow = new Set<number>();
          const leftNow = new Set<number>();
          for (const cmd of batch) {
            const a = actors[cmd.actor];
            const isIn = (!!a?.joined && !leftNow.has(cmd.actor)) || joinedNow.has(cmd.actor);
            if (cmd.kind === 'join' && !isIn) (valid.push(cmd), joinedNow.add(cmd.actor), leftNow.delete(cmd.actor));
            else if (cmd.kind === 'leave' && isIn) (valid.push(cmd), leftNow.add(cmd.actor), joinedNow.delete(cmd.actor));
            else if ((cmd.kind === 'presence' || cmd.kind === 'hand') && a?.joined && !moving.has(cmd.actor)) valid.push(cmd);
          }
          const visibleBefore = new Set(actors.filter((a) => a?.joined && a.presence).map((a) => a!.id));
          // A socket for each actor that joins and has none open (opened before, so that the batch leaves at once).
          for (const cmd of valid) {
            if (cmd.kind !== 'join') continue;
            const a = actors[cmd.actor];
            if (a && a.c.ws.readyState === 1) continue;
            const c = await t.client();
            actors[cmd.actor] = { c, view: new View(c, cmd.protocol), id: '', presence: true, hand: false, joined: false };
          }
          for (const v of [host, ...actors.map((a) => a?.view)]) if (v) v.heard = [];
          // Everything at once: the host's requests in one write, the actors' each in theirs.
          const raw = (hostClient.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
          raw.cork();
          const replies: Promise<unknown>[] = [];
          for (const cmd of valid) {
            const a = actors[cmd.actor]!;
            if (cmd.kind === 'join') {
              a.joined = true;
              a.presence = true;
              a.hand = false;
              replies.push(a.c.request('call.join', { room: name, user_name: `actor${cmd.actor}`, ...(a.view.protocol === 2 ? { protocol: 2 } : {}) }).then((r) => {
                a.id = r.member_id;
              }));
            } else if (cmd.kind === 'leave') {
              a.joined = false;
              replies.push(a.c.request('call.leave'));
            } else if (cmd.kind === 'presence') {
              replies.push(hostClient.request('call.member.update', { member_id: a.id, permissions: { hasPresence: cmd.on } }));
              a.presence = cmd.on;
            } else {
              replies.push(hostClient.request(cmd.up ? 'call.raisehand' : 'call.lowerhand', { member_id: a.id }));
              a.hand = cmd.up;
            }
          }
          raw.uncork();
          await Promise.all(replies);
          await settle(15);

          const inCall = actors.filter((a): a is Actor => !!a?.joined);
          const visibleAfter = new Set(inCall.filter((a) => a.presence).map((a) => a.id));
          for (const v of [host, ...inCall.map((a) => a.view)]) {
            const want = expected(v.self);
            // Never an event about oneself, nor about a member hidden before and after the batch.
            for (const e of v.heard) {
              assert.notEqual(e.id, v.self, 'an event about oneself');
              assert.ok(visibleBefore.has(e.id) || visibleAfter.has(e.id) || fillerIds.has(e.id) || e.id === host.self, `an event (${e.type}) about a member it may not see`);
            }
            if (v.cursor === null) {
              assert.deepEqual(Object.fromEntries(v.members), Object.fromEntries(want), `the roster of ${v.self}`);
            } else {
              // A page holder: what it holds is true; what it lacks is beyond its window.
              for (const [id, seen] of v.members) assert.deepEqual(seen, want.get(id), `the paged roster of ${v.self} holds a stale or invisible member ${id}`);
            }
          }
          for (const call of watchers) {
            const want = expected('');
            const held = await clientView(call);
            if (await complete(call)) assert.deepEqual(Object.fromEntries(held), Object.fromEntries(want), 'the participants$ of a connect() client');
            else for (const [id, seen] of held) assert.deepEqual(seen, want.get(id), `the participants$ of a paged connect() client holds a stale or invisible member ${id}`);
          }
        }
        // The paged connect() client pages to the end: then it holds exactly what it may see.
        while (!(await complete(late))) await late.roster.loadMore();
        assert.deepEqual(Object.fromEntries(await clientView(late)), Object.fromEntries(expected('')), 'a connect() client paged to the end');
        // The paged ones page to the end: then they hold exactly what they may see.
        for (const a of actors) {
          if (!a?.joined || a.view.cursor === null) continue;
          let cursor: number | null = a.view.cursor;
          while (cursor !== null) {
            const page: { members: any[]; cursor: number | null } = await a.c.request('call.members.list', { cursor });
            for (const m of page.members) a.view.members.set(m.id, { handraised: m.handraised, hasPresence: m.permissions.hasPresence });
            cursor = page.cursor;
          }
          a.view.cursor = null;
          const want = new Set([host.self, ...fillerIds, ...actors.filter((x) => x?.joined && (x.presence || x === a)).map((x) => x!.id)]);
          assert.deepEqual(new Set(a.view.members.keys()), want, 'paged to the end: everyone it may see');
        }
        hostClient.close();
        for (const call of watchers) await call.leave();
        for (const f of fillers) f.close();
        for (const a of actors) a?.c.close();
    }
  };

  it('under the threshold: each client holds exactly what it may see, after every batch', run(false));
  it('over the threshold: page holders hold only true members, and everything once paged to the end', run(true));
});
