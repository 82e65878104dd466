import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { API_KEY, startServer, type TestServer } from './helpers.js';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function sign(claims: Record<string, unknown>, { key = API_KEY, alg = 'HS256' } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(key));
}

describe('meeting tokens on call.join', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
    await t.rest('POST', '/v1/rooms', { name: 'vault', privacy: 'private' });
    await t.rest('POST', '/v1/rooms', { name: 'other', privacy: 'private' });
    await t.rest('POST', '/v1/rooms', { name: 'lobby', privacy: 'public' });
  });
  after(() => t.close());

  async function joinWith(token: string, room = 'vault') {
    const c = await t.client();
    const reply = await c.call('call.join', { room, token });
    return { c, reply };
  }

  it('admits a valid token to a private room', async () => {
    const { c, reply } = await joinWith(await t.token({ room_name: 'vault', user_name: 'Ada' }));
    assert.equal(reply.result.access.level, 'full');
    const joined = await c.next('call.joined');
    assert.equal(joined.self.name, 'Ada');
  });

  const bad: [string, () => Promise<string>, RegExp][] = [
    ['a wrong signature', () => sign({ room_name: 'vault' }, { key: 'another-key-entirely' }), /bad signature/],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ room_name: 'vault', is_owner: true })}.`, /only HS256|not a well-formed/],
    ['another algorithm (HS512)', () => sign({ room_name: 'vault' }, { alg: 'HS512' }), /only HS256/],
    ['an expired token', () => sign({ room_name: 'vault', exp: now() - 60 }), /expired \(exp\)/],
    ['a token not valid yet', () => sign({ room_name: 'vault', nbf: now() + 3600 }), /not valid yet \(nbf\)/],
    ['a token for another room', () => t.token({ room_name: 'other' }), /for the room "other", not "vault"/],
    ['garbage', async () => 'this.is.garbage', /not a well-formed JWT/],
    ['a single word', async () => 'garbage', /not a well-formed JWT/],
    ['malformed claims', () => sign({ room_name: 'vault', is_owner: 'yes' }), /is_owner must be true or false/],
  ];
  for (const [label, make, message] of bad) {
    it(`refuses ${label} with 4401 and a clear message`, async () => {
      const { reply } = await joinWith(await make());
      assert.equal(reply.error?.code, 4401, JSON.stringify(reply));
      assert.match(reply.error.message, /^invalid token: /);
      assert.match(reply.error.message, message);
    });
  }

  it('refuses a bad token on a public room too (no silent downgrade)', async () => {
    const { reply } = await joinWith(await sign({}, { key: 'wrong' }), 'lobby');
    assert.equal(reply.error.code, 4401);
  });

  it('refuses a private room without a token (no knocking) with 4401', async () => {
    const c = await t.client();
    const reply = await c.call('call.join', { room: 'vault' });
    assert.equal(reply.error.code, 4401);
    assert.match(reply.error.message, /private: a meeting token is needed/);
  });

  it('accepts a token without room_name, and logs a warning', async () => {
    const before = t.logs.filter((l) => l.level === 'warn').length;
    const { reply } = await joinWith(await t.token({ user_name: 'Roamer' }), 'other');
    assert.equal(reply.result.access.level, 'full');
    const warnings = t.logs.filter((l) => l.level === 'warn').slice(before);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].line, /without room_name/);
  });

  it('logs one line per refused join, with its code', async () => {
    const before = t.logs.length;
    await joinWith('garbage');
    const lines = t.logs.slice(before);
    assert.equal(lines.length, 1);
    assert.match(lines[0].line, /refused call\.join code=4401/);
  });

  it('ejects at exp when eject_at_token_exp is set', async () => {
    const watcher = await t.client();
    await watcher.request('call.join', { room: 'vault', token: await t.token({ room_name: 'vault', is_owner: true }) });
    await watcher.next('call.joined');
    const token = await sign({ room_name: 'vault', user_name: 'Brief', exp: now() + 2, eject_at_token_exp: true });
    const { c, reply } = await joinWith(token);
    assert.equal(reply.result.access.level, 'full');
    const joined = await watcher.next('member.joined', (p) => p.member.name === 'Brief');
    const left = await c.next('call.left', () => true, 4000);
    assert.equal(left.reason, 'expired');
    const gone = await watcher.next('member.left', (p) => p.member.id === joined.member.id);
    assert.equal(gone.reason, 'expired');
  });
});
