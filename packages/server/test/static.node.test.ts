/**
 * Static files (issue 12): an aborted or failed download releases its file,
 * a read error does not take the process down, and every response carries
 * the security headers (a CSP that lets the demo's own inline scripts run).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { settle, startServer, type TestServer } from './helpers.js';

const PROC_FD = '/proc/self/fd';
const openFds = () => readdirSync(PROC_FD).length;

/** A GET without keep-alive, resolving with the response (body not read). */
function request(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, { agent: false, headers }, resolve).on('error', reject));
}

/** The response with its body as sent on the wire (not decompressed). */
async function raw(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; bytes: Buffer }> {
  const res = await request(url, headers);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) };
}

async function body(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  const { status, headers: received, bytes } = await raw(url, headers);
  return { status, headers: received, text: bytes.toString() };
}

const BROKEN = '/sys/class/net/lo/speed';
/** A script worth compressing (well over compression's 1 KB threshold). */
const SCRIPT = `export const lines = [\n${Array.from({ length: 400 }, (_, i) => `  'line ${i} of a module that compresses well',`).join('\n')}\n];\n`;
const INLINE = "document.body.dataset.ran = 'yes';";

describe('static files', () => {
  let t: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callcaps-static-'));
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(32 * 1024 * 1024, 7));
    writeFileSync(join(dir, 'index.html'), `<!doctype html><title>x</title><script src="/app.js"></script><script>${INLINE}</script>`);
    writeFileSync(join(dir, 'app.js'), 'console.log(1);');
    writeFileSync(join(dir, 'module.js'), SCRIPT);
    mkdirSync(join(dir, 'hashed'));
    writeFileSync(join(dir, 'hashed', 'bundle.3f2a.js'), SCRIPT);
    // A regular file by stat (4096 bytes) whose reads fail (EINVAL): a read error once the download started.
    if (existsSync(BROKEN)) symlinkSync(BROKEN, join(dir, 'broken.bin'));
    t = await startServer({ static: [{ path: '/assets', dir: join(dir, 'hashed'), maxAge: 31_536_000, immutable: true }, { path: '/', dir }] });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('aborted downloads of a large file leave no descriptor open', { skip: !existsSync(PROC_FD) }, async () => {
    // One download first, so that whatever the server opens once (and keeps) is open before counting.
    const warm = await request(`${t.server.url}/big.bin`);
    warm.destroy();
    await settle(200);
    const before = openFds();
    for (let i = 0; i < 40; i++) {
      const res = await request(`${t.server.url}/big.bin`);
      await new Promise((resolve) => res.once('data', resolve));
      res.destroy();
    }
    let now = openFds();
    for (let i = 0; i < 40 && now > before; i++) {
      await settle(50);
      now = openFds();
    }
    assert.ok(now <= before, `${now - before} descriptors more than before the 40 aborted downloads`);
  });

  it('a read error ends that download only; the server goes on serving', { skip: !existsSync(BROKEN) }, async () => {
    const outcome = await body(`${t.server.url}/broken.bin`).then((r) => r.text.length, (error) => error as Error);
    assert.ok(outcome instanceof Error || outcome < 4096, 'the failed download is cut short');
    await settle(50);
    assert.ok(t.logs.some((l) => l.level === 'warn' && /static download failed/.test(l.line)));
    const ok = await body(`${t.server.url}/app.js`);
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'console.log(1);');
  });

  it('odd request targets (which crashed URL parsing) get an HTTP answer, plain or as an upgrade; the server goes on', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(t.server.port, '127.0.0.1', () => socket.write(text));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk));
        socket.on('close', () => resolve(answer));
        socket.on('error', () => resolve(answer));
      });
    for (const target of ['//', '//x:99999/', '///', '*', 'http://[::1']) {
      assert.match(await raw(`GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`), /^HTTP\/1\.1 [24]0[0-9] /, target);
      const upgrade = `GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
      assert.match(await raw(upgrade), /^HTTP\/1\.1 [24]0[0-9] /, `upgrade ${target}`);
    }
    assert.equal((await body(`${t.server.url}/app.js`)).status, 200);
  });

  it('sends the security headers with pages, files, the API and 404s', async () => {
    for (const path of ['/', '/app.js', '/nothing-here', '/v1/rooms']) {
      const { headers } = await body(`${t.server.url}${path}`);
      assert.equal(headers['x-content-type-options'], 'nosniff', path);
      assert.equal(headers['referrer-policy'], 'no-referrer', path);
      assert.match(String(headers['content-security-policy']), /default-src 'self'/, path);
      assert.match(String(headers['content-security-policy']), /frame-ancestors 'none'/, path);
    }
  });

  it("the page's CSP allows its own inline scripts by hash, and no other inline script", async () => {
    const { headers, text } = await body(`${t.server.url}/`);
    assert.match(text, /dataset\.ran/);
    const csp = String(headers['content-security-policy']);
    const hash = createHash('sha256').update(INLINE).digest('base64');
    assert.ok(csp.includes(`'sha256-${hash}'`), csp);
    assert.ok(!/script-src[^;]*'unsafe-inline'/.test(csp), csp);
    assert.equal(headers['cross-origin-opener-policy'], 'same-origin');
  });

  it('answers a request that carries the ETag with 304 and no body; a changed file gets a new ETag', async () => {
    const first = await body(`${t.server.url}/app.js`);
    const etag = String(first.headers.etag);
    assert.ok(etag.length > 2, 'an ETag');
    assert.ok(first.headers['last-modified'], 'a Last-Modified');
    assert.equal(first.headers['cache-control'], 'public, max-age=0', 'revalidated every time by default');
    const again = await raw(`${t.server.url}/app.js`, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.bytes.length, 0);
    assert.equal(again.headers['x-content-type-options'], 'nosniff');
    writeFileSync(join(dir, 'app.js'), 'console.log(2);');
    utimesSync(join(dir, 'app.js'), new Date(), new Date(Date.now() + 5000));
    const changed = await body(`${t.server.url}/app.js`, { 'if-none-match': etag });
    assert.equal(changed.status, 200);
    assert.equal(changed.text, 'console.log(2);');
    assert.notEqual(changed.headers.etag, etag);
    writeFileSync(join(dir, 'app.js'), 'console.log(1);');
  });

  it('a mount with maxAge and immutable lets browsers keep its files', async () => {
    const { status, headers } = await body(`${t.server.url}/assets/bundle.3f2a.js`);
    assert.equal(status, 200);
    assert.equal(headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('compresses with gzip or brotli as the request accepts, and sends the file as it is otherwise', async () => {
    const gzip = await raw(`${t.server.url}/module.js`, { 'accept-encoding': 'gzip' });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.match(String(gzip.headers.vary), /accept-encoding/i);
    assert.ok(gzip.bytes.length < SCRIPT.length / 4, `${gzip.bytes.length} bytes for ${SCRIPT.length}`);
    assert.equal(gunzipSync(gzip.bytes).toString(), SCRIPT);
    const brotli = await raw(`${t.server.url}/module.js`, { 'accept-encoding': 'br, gzip' });
    assert.equal(brotli.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(brotli.bytes).toString(), SCRIPT);
    const plain = await raw(`${t.server.url}/module.js`, { 'accept-encoding': 'identity' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.bytes.toString(), SCRIPT);
    // The ETag still answers 304 when the compressed copy is asked for again.
    const revalidated = await raw(`${t.server.url}/module.js`, { 'accept-encoding': 'gzip', 'if-none-match': String(gzip.headers.etag) });
    assert.equal(revalidated.status, 304);
    // A page keeps its CSP with its inline script's hash when compressed.
    const page = await raw(`${t.server.url}/`, { 'accept-encoding': 'gzip' });
    assert.match(String(page.headers['content-security-policy']), /'sha256-/);
  });
});
