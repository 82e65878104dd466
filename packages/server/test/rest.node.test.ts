import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { PERMISSIONS } from '../src/index.js';
import { startServer, type TestServer } from './helpers.js';

describe('REST', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  describe('authentication', () => {
    for (const [label, auth] of [['no key', null], ['a wrong key', 'nope'], ['an empty key', '']] as const) {
      it(`refuses ${label} with 401 on every endpoint`, async () => {
        for (const [method, path] of [['GET', '/v1/rooms'], ['POST', '/v1/rooms'], ['GET', '/v1/rooms/x'], ['DELETE', '/v1/rooms/x'],
          ['POST', '/v1/meeting-tokens'], ['GET', '/v1/call-types'], ['PUT', '/v1/call-types/default'], ['GET', '/v1/permissions']]) {
          const r = await t.rest(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, auth);
          assert.equal(r.status, 401, `${method} ${path}`);
          assert.equal(r.body.error, 'authentication-error');
          assert.match(r.body.info, /API key/);
        }
      });
    }

    it('accepts the key case-insensitively on the scheme only', async () => {
      const response = await fetch(`${t.server.url}/v1/rooms`, { headers: { authorization: `bearer ${t.server.apiKey}` } });
      assert.equal(response.status, 200);
      const wrongCase = await fetch(`${t.server.url}/v1/rooms`, { headers: { authorization: `Bearer ${t.server.apiKey.toUpperCase()}` } });
      assert.equal(wrongCase.status, 401);
    });
  });

  describe('rooms', () => {
    it('creates a room with properties and reads it back', async () => {
      const r = await t.rest('POST', '/v1/rooms', {
        name: 'standup', privacy: 'private',
        properties: { enable_knocking: true, max_participants: 5, call_type: 'audio_room', permissions: { hasPresence: false } },
      });
      assert.equal(r.status, 200);
      assert.equal(r.body.name, 'standup');
      assert.equal(r.body.privacy, 'private');
      assert.deepEqual(r.body.properties, { enable_knocking: true, max_participants: 5, call_type: 'audio_room', permissions: { hasPresence: false } });
      assert.match(r.body.created_at, /^\d{4}-\d\d-\d\dT/);
      const got = await t.rest('GET', '/v1/rooms/standup');
      assert.deepEqual(got.body, r.body);
    });

    it('defaults to a public room with a generated name', async () => {
      const r = await t.rest('POST', '/v1/rooms', {});
      assert.equal(r.status, 200);
      assert.equal(r.body.privacy, 'public');
      assert.match(r.body.name, /^[A-Za-z0-9_-]{8,}$/);
      assert.deepEqual(r.body.properties, {});
    });

    it('lists rooms', async () => {
      const r = await t.rest('GET', '/v1/rooms');
      assert.equal(r.status, 200);
      assert.equal(r.body.total_count, r.body.data.length);
      assert.ok(r.body.data.some((room: { name: string }) => room.name === 'standup'));
    });

    it('refuses a duplicate name with 409', async () => {
      const r = await t.rest('POST', '/v1/rooms', { name: 'standup' });
      assert.equal(r.status, 409);
      assert.equal(r.body.error, 'already-exists');
    });

    it('updates privacy and properties; null removes a property', async () => {
      const r = await t.rest('POST', '/v1/rooms/standup', { privacy: 'public', properties: { max_participants: null, enable_knocking: false } });
      assert.equal(r.status, 200);
      assert.equal(r.body.privacy, 'public');
      assert.deepEqual(r.body.properties, { enable_knocking: false, call_type: 'audio_room', permissions: { hasPresence: false } });
    });

    it('deletes a room, then 404s', async () => {
      await t.rest('POST', '/v1/rooms', { name: 'gone' });
      const r = await t.rest('DELETE', '/v1/rooms/gone');
      assert.deepEqual([r.status, r.body], [200, { deleted: true, name: 'gone' }]);
      assert.equal((await t.rest('GET', '/v1/rooms/gone')).status, 404);
      assert.equal((await t.rest('DELETE', '/v1/rooms/gone')).status, 404);
      assert.equal((await t.rest('POST', '/v1/rooms/gone', {})).status, 404);
    });

    const invalid: [string, unknown, RegExp][] = [
      ['a bad name', { name: 'has space' }, /name has invalid characters/],
      ['a long name', { name: 'x'.repeat(65) }, /name must be 1–64/],
      ['a bad privacy', { privacy: 'secret' }, /privacy must be "public" or "private"/],
      ['an unknown field', { nmae: 'x' }, /body.nmae is not a known field/],
      ['an unknown property', { properties: { max: 3 } }, /properties.max is not a known field/],
      ['a non-boolean knocking', { properties: { enable_knocking: 'yes' } }, /enable_knocking must be true or false/],
      ['exp in milliseconds', { properties: { exp: Date.now() } }, /properties.exp must be an integer/],
      ['max_participants 0', { properties: { max_participants: 0 } }, /max_participants must be an integer from 1/],
      ['an unknown call type', { properties: { call_type: 'nope' } }, /call_type "nope" is not a call type/],
      ['bad permissions', { properties: { permissions: { canSend: ['smell'] } } }, /canSend holds "smell"/],
      ['bad permission keys', { properties: { permissions: { isAdmin: true } } }, /permissions.isAdmin is not a known field/],
      ['properties not an object', { properties: [] }, /properties must be an object/],
    ];
    for (const [label, body, info] of invalid) {
      it(`refuses ${label} with 400 and a clear message`, async () => {
        const r = await t.rest('POST', '/v1/rooms', body);
        assert.equal(r.status, 400);
        assert.equal(r.body.error, 'invalid-request-error');
        assert.match(r.body.info, info);
      });
    }

    it('refuses a body that is not JSON, or not an object', async () => {
      for (const body of ['{', '[1]', '"x"']) {
        const r = await t.rest('POST', '/v1/rooms', body);
        assert.equal(r.status, 400, body);
        assert.equal(r.body.error, 'invalid-request-error');
      }
    });

    it('refuses a body over 64 KB with 413', async () => {
      const r = await t.rest('POST', '/v1/rooms', { name: 'big', pad: 'x'.repeat(70_000) });
      assert.equal(r.status, 413);
      assert.equal(r.body.error, 'payload-too-large');
      assert.equal((await t.rest('GET', '/v1/rooms/big')).status, 404);
    });

    it('answers an unknown path with 404 and a wrong method with 405', async () => {
      assert.equal((await t.rest('GET', '/v1/nothing')).status, 404);
      const r = await t.rest('PATCH', '/v1/rooms', {});
      assert.equal(r.status, 405);
      assert.match(r.body.info, /allowed: GET, POST/);
    });
  });

  describe('meeting tokens', () => {
    it('signs an HS256 JWT carrying the properties', async () => {
      const exp = Math.floor(Date.now() / 1000) + 3600;
      const r = await t.rest('POST', '/v1/meeting-tokens', {
        properties: { room_name: 'standup', is_owner: true, user_name: 'Ada', user_id: 'u1', role: 'host', exp, eject_at_token_exp: true, permissions: { canAdmin: ['participants'] } },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(decodeProtectedHeader(r.body.token), { alg: 'HS256', typ: 'JWT' });
      const claims = decodeJwt(r.body.token);
      assert.equal(claims.room_name, 'standup');
      assert.equal(claims.is_owner, true);
      assert.equal(claims.exp, exp);
      assert.deepEqual(claims.permissions, { canAdmin: ['participants'] });
    });

    it('signs a token without room_name', async () => {
      const r = await t.rest('POST', '/v1/meeting-tokens', { properties: {} });
      assert.equal(r.status, 200);
      assert.equal(decodeJwt(r.body.token).room_name, undefined);
    });

    const invalid: [string, unknown, RegExp][] = [
      ['is_owner as a string', { properties: { is_owner: 'true' } }, /is_owner must be true or false/],
      ['exp in milliseconds', { properties: { exp: Date.now() } }, /properties.exp must be an integer/],
      ['nbf after exp', { properties: { nbf: 2000000000, exp: 1900000000 } }, /nbf must be before/],
      ['a bad role', { properties: { role: 'Host!' } }, /role has invalid characters/],
      ['an unknown property', { properties: { owner: true } }, /properties.owner is not a known field/],
      ['bad permissions', { properties: { permissions: { canAdmin: ['everything'] } } }, /canAdmin holds "everything"/],
      ['an unknown body field', { props: {} }, /body.props is not a known field/],
    ];
    for (const [label, body, info] of invalid) {
      it(`refuses ${label} with 400`, async () => {
        const r = await t.rest('POST', '/v1/meeting-tokens', body);
        assert.equal(r.status, 400);
        assert.match(r.body.info, info);
      });
    }
  });

  describe('call types and permissions', () => {
    it('lists the built-in call types with their roles', async () => {
      const r = await t.rest('GET', '/v1/call-types');
      assert.equal(r.status, 200);
      const names = r.body.data.map((type: { name: string }) => type.name);
      assert.deepEqual(names.slice(0, 3).sort(), ['audio_room', 'default', 'livestream']);
      for (const type of r.body.data) assert.deepEqual(Object.keys(type.grants).sort(), ['admin', 'call_member', 'host', 'moderator', 'user']);
    });

    it('audio_room users cannot send until let; livestream users only watch', async () => {
      const audio = (await t.rest('GET', '/v1/call-types/audio_room')).body;
      // Listeners and viewers are an audience by default (issue 14).
      assert.deepEqual(audio.settings.default_permissions.user, { hasPresence: false, canSend: false });
      assert.equal(audio.settings.audio.access_request_enabled, true);
      const live = (await t.rest('GET', '/v1/call-types/livestream')).body;
      assert.deepEqual(live.grants.user, ['join-call']);
      assert.deepEqual(live.settings.default_permissions.user, { hasPresence: false });
      assert.equal(live.settings.audio.access_request_enabled, false);
    });

    it('creates a call type with custom roles, and refuses a duplicate', async () => {
      const r = await t.rest('POST', '/v1/call-types', {
        name: 'classroom',
        grants: { teacher: ['join-call', 'send-audio', 'mute-users'], student: ['join-call'] },
        settings: { layout: { options: ['board', 'grid'], default: 'board' } },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.grants, { teacher: ['join-call', 'send-audio', 'mute-users'], student: ['join-call'] });
      assert.equal(r.body.settings.layout.default, 'board');
      assert.equal(r.body.settings.audio.enabled, true);
      assert.equal((await t.rest('GET', '/v1/call-types/classroom')).body.name, 'classroom');
      assert.equal((await t.rest('POST', '/v1/call-types', { name: 'classroom' })).status, 409);
    });

    it('updates a call type: roles given replace theirs, settings merge by section', async () => {
      const r = await t.rest('PUT', '/v1/call-types/classroom', { grants: { student: ['join-call', 'send-audio'] }, settings: { video: { enabled: false } } });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.grants.student, ['join-call', 'send-audio']);
      assert.deepEqual(r.body.grants.teacher, ['join-call', 'send-audio', 'mute-users']);
      assert.deepEqual(r.body.settings.video, { enabled: false, access_request_enabled: true });
      assert.equal((await t.rest('PUT', '/v1/call-types/nope', {})).status, 404);
      assert.equal((await t.rest('GET', '/v1/call-types/nope')).status, 404);
    });

    const invalid: [string, string, string, unknown, RegExp][] = [
      ['an unknown permission', 'POST', '/v1/call-types', { name: 'x1', grants: { user: ['fly'] } }, /"fly", which is not a permission/],
      ['grants not a list', 'POST', '/v1/call-types', { name: 'x2', grants: { user: 'join-call' } }, /grants.user must be an array/],
      ['a bad role name', 'POST', '/v1/call-types', { name: 'x3', grants: { 'Bad Role': [] } }, /role name/],
      ['a missing name', 'POST', '/v1/call-types', {}, /name must be a string/],
      ['an unknown setting', 'PUT', '/v1/call-types/default', { settings: { audio: { loud: true } } }, /settings.audio.loud is not a known field/],
      ['an unknown section', 'PUT', '/v1/call-types/default', { settings: { chat: {} } }, /settings.chat is not a known field/],
      ['a layout not offered', 'PUT', '/v1/call-types/default', { settings: { layout: { default: 'mosaic' } } }, /"mosaic" is not one of/],
      ['a non-boolean setting', 'PUT', '/v1/call-types/default', { settings: { recording: { enabled: 1 } } }, /recording.enabled must be true or false/],
    ];
    for (const [label, method, path, body, info] of invalid) {
      it(`refuses ${label} with 400`, async () => {
        const r = await t.rest(method, path, body);
        assert.equal(r.status, 400);
        assert.match(r.body.info, info);
      });
    }

    it('left the default call type untouched by the refused edits', async () => {
      const r = await t.rest('GET', '/v1/call-types/default');
      assert.equal(r.body.settings.layout.default, 'grid');
      assert.equal(r.body.settings.recording.enabled, true);
    });

    it('lists every permission', async () => {
      const r = await t.rest('GET', '/v1/permissions');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.permissions.map((p: { id: string }) => p.id), Object.keys(PERMISSIONS));
      for (const p of r.body.permissions) assert.ok(p.description.length > 5);
    });
  });

  describe('static files', () => {
    it('answers 404 outside the API when no directory is mounted', async () => {
      const response = await fetch(`${t.server.url}/index.html`);
      assert.equal(response.status, 404);
    });
  });
});

describe('static files', () => {
  it('serves mounted directories, index.html for a folder, and nothing outside them', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'callcaps-static-'));
    mkdirSync(join(root, 'demo'));
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'demo', 'index.html'), '<h1>demo</h1>');
    writeFileSync(join(root, 'dist', 'callcaps.iife.js'), 'var Callcaps;');
    writeFileSync(join(root, 'secret.txt'), 'secret');
    const t = await startServer({ static: [{ path: '/dist', dir: join(root, 'dist') }, { path: '/', dir: join(root, 'demo') }] });
    try {
      const page = await fetch(`${t.server.url}/?room=x`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(await page.text(), '<h1>demo</h1>');
      const script = await fetch(`${t.server.url}/dist/callcaps.iife.js`);
      assert.match(script.headers.get('content-type') ?? '', /javascript/);
      assert.equal(await script.text(), 'var Callcaps;');
      for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/dist/..%2fsecret.txt', '/missing.html']) {
        assert.equal((await fetch(`${t.server.url}${path}`)).status, 404, path);
      }
      // The API still answers under /v1 with a static root mounted.
      assert.equal((await t.rest('GET', '/v1/rooms')).status, 200);
    } finally {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
