/**
 * Structured logs (issue 12): one JSON object per line, whatever a client
 * puts in a method name or a member id; a flood of refusals is sampled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joined, settle, startServer, type TestServer } from './helpers.js';

/** Short enough for a member id (64 characters). */
const FORGED_ID = 'x\n{"level":"error","msg":"forged"}\r\nerror: forged';
const FORGED = 'x\n{"level":"error","msg":"forged"}\r\n2026-01-01T00:00:00.000Z error: forged';

/** Every line written since `from`, parsed: fails if one is not a JSON object. */
function records(t: TestServer, from: number): Record<string, unknown>[] {
  const text = t.output.slice(from).join('');
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'the output ends with a newline');
  return lines.map((line) => {
    const record = JSON.parse(line);
    assert.equal(typeof record, 'object');
    return record;
  });
}

describe('structured logs', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ rateLimit: { burst: 1e6, perSecond: 1e6 } });
    await t.rest('POST', '/v1/rooms', { name: 'logs' });
  });
  after(() => t.close());

  it('a method name with newlines is one JSON record, its value intact in a field', async () => {
    const c = await t.client();
    const from = t.output.length;
    assert.equal(await c.refused(FORGED, {}), -32601);
    await settle();
    const written = records(t, from);
    assert.equal(written.length, 1);
    assert.equal(written[0].method, FORGED);
    assert.ok(!written.some((r) => r.msg === 'forged'));
  });

  it('a recipient id with newlines is one JSON record', async () => {
    const { c } = await joined(t, 'logs', { user_name: 'Sender' });
    const from = t.output.length;
    assert.equal(await c.refused('call.message.send', { to: FORGED_ID, data: 'hello' }), 4404);
    await settle();
    const written = records(t, from);
    assert.equal(written.length, 1);
    assert.equal(written[0].code, 4404);
    assert.ok(String(written[0].reason).includes(FORGED_ID));
    assert.ok(!written.some((r) => r.msg === 'forged'));
  });

  it('a flood of refusals from one connection is sampled: the first ones, then a summary with the count', async () => {
    const c = await t.client();
    const from = t.output.length;
    const N = 1_000;
    await Promise.all(Array.from({ length: N }, () => c.call('call.no_such_method')));
    c.close();
    await c.closed;
    await settle(100);
    const written = records(t, from);
    assert.ok(written.length < 200, `${written.length} records for ${N} refusals`);
    const summary = written.find((r) => typeof r.skipped === 'number');
    assert.ok(summary, 'a summary with the count of refusals not written');
    assert.equal(written.filter((r) => r.code === -32601).length + Number(summary.skipped), N);
  });
});
