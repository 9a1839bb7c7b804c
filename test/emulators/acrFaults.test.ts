/**
 * The ACR emulator's injected faults, on the wire: what a client meets when the registry is
 * broken or hostile. Raw HTTPS requests with the test CA, authorised as ACR documents it.
 */
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcrRegistry, type AcrRegistryEmulator } from '../../emulators/acrRegistry.js';
import { requestJson } from '../../emulators/httpUtil.js';
import { ensureTestPki } from '../../emulators/testPki.js';

const pki = ensureTestPki();
const ENTRA = 'entra-token';
const tags = Array.from({ length: 5 }, (_, i) => ({ name: `v${i}`, digest: `sha256:${String(i).padStart(64, '0')}`, lastUpdateTime: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() }));

let reg: AcrRegistryEmulator;
let token: string;

async function post(path: string, fields: Record<string, string>) {
  return requestJson(new URL(path, reg.endpoint), {
    method: 'POST',
    caPem: pki.caPem,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

beforeAll(async () => {
  reg = await startAcrRegistry({ pki, validateEntraToken: (t) => t === ENTRA, repositories: { app: tags, other: tags } });
  const exchanged = await post('/oauth2/exchange', { grant_type: 'access_token', service: reg.loginServer, access_token: ENTRA });
  const refresh = (exchanged.json as { refresh_token: string }).refresh_token;
  const issued = await post('/oauth2/token', { grant_type: 'refresh_token', service: reg.loginServer, refresh_token: refresh, scope: 'repository:app:metadata_read repository:other:metadata_read' });
  token = (issued.json as { access_token: string }).access_token;
});
afterAll(async () => {
  await reg.close();
});

const get = (path: string) => requestJson(new URL(path, reg.endpoint), { method: 'GET', caPem: pki.caPem, headers: { authorization: `Bearer ${token}` } });

/** The response's head, without reading its body. */
function open(path: string, headers: Record<string, string> = {}): Promise<{ res: IncomingMessage; abort: () => void }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, reg.endpoint), { ca: pki.caPem, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => resolve({ res, abort: () => req.destroy() }));
    req.on('error', reject);
    req.end();
  });
}

describe('ACR emulator faults', () => {
  it('answers a status fault with an ACR error body and Retry-After, for one repository, as often as asked', async () => {
    reg.injectFault('tags-page', { kind: 'status', status: 429, retryAfter: '86400' }, { repository: 'app', times: 2 });
    for (let i = 0; i < 2; i++) {
      const throttled = await get('/acr/v1/app/_tags');
      expect(throttled.status).toBe(429);
      expect(throttled.headers['retry-after']).toBe('86400');
      expect(throttled.json).toMatchObject({ errors: [{ code: 'TOOMANYREQUESTS' }] });
    }
    expect((await get('/acr/v1/other/_tags')).status).toBe(200);
    expect((await get('/acr/v1/app/_tags')).status).toBe(200);
  });

  it('faults token and exchange requests too', async () => {
    reg.injectFault('token', { kind: 'status', status: 503 }, { times: 1 });
    expect((await post('/oauth2/token', { grant_type: 'refresh_token' })).status).toBe(503);
    expect((await post('/oauth2/token', { grant_type: 'refresh_token' })).status).toBe(400);
  });

  it('changes tag pages: a link to the same URL, to another host, an empty page with a next link, oldest first, {}', async () => {
    const path = '/acr/v1/app/_tags?n=2&orderby=timedesc';
    reg.injectFault('tags-page', { kind: 'self-link' }, { times: 1 });
    expect((await get(path)).headers.link).toBe(`<${path}>; rel="next"`);
    reg.injectFault('tags-page', { kind: 'cross-origin-link' }, { times: 1 });
    expect((await get(path)).headers.link).toMatch(/^<https:\/\/elsewhere\.example\/acr\/v1\/app\/_tags\?last=v3&/);
    reg.injectFault('tags-page', { kind: 'empty-page-with-next' }, { times: 1 });
    const empty = await get(path);
    expect(empty.json).toMatchObject({ imageName: 'app', tags: [] });
    expect(empty.headers.link).toContain('rel="next"');
    reg.injectFault('tags-page', { kind: 'unsorted' }, { times: 1 });
    expect((await get(path)).json).toMatchObject({ tags: [{ name: 'v3' }, { name: 'v4' }] });
    expect((await get(path)).json).toMatchObject({ tags: [{ name: 'v4' }, { name: 'v3' }] });
    reg.injectFault('manifest', { kind: 'empty-object' }, { times: 1 });
    expect((await get(`/acr/v1/app/_manifests/${tags[0]?.digest}`)).json).toEqual({});
  });

  it('sends the headers of a stalled answer and then nothing', async () => {
    reg.injectFault('tags-page', { kind: 'stall' }, { times: 1 });
    const { res, abort } = await open('/acr/v1/app/_tags');
    expect(res.statusCode).toBe(200);
    let received = 0;
    res.on('data', (chunk: Buffer) => (received += chunk.length));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toBe(0);
    abort();
  });

  it('sends a slow body a few bytes at a time, completely', async () => {
    reg.injectFault('tags-page', { kind: 'slow-body', bytesPerSecond: 20_000 }, { times: 1 });
    const { res } = await open('/acr/v1/app/_tags');
    const total = Number(res.headers['content-length']);
    const chunks: number[] = [];
    for await (const chunk of res) chunks.push((chunk as Buffer).length);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]).toBeLessThan(total);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('sends a gzip bomb generated as it is read, and stops generating when the client hangs up', async () => {
    const inflatedBytes = 300 * 1024 * 1024;
    reg.injectFault('tags-page', { kind: 'gzip-bomb', inflatedBytes }, { times: 1 });
    const before = reg.inflatedBytesGenerated;
    const { res, abort } = await open('/acr/v1/app/_tags', { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    let inflated = 0;
    let compressed = 0;
    await new Promise<void>((resolve) => {
      const gunzip = createGunzip();
      res.on('data', (chunk: Buffer) => (compressed += chunk.length));
      res.pipe(gunzip);
      gunzip.on('data', (chunk: Buffer) => {
        inflated += chunk.length;
        if (inflated >= 8 * 1024 * 1024) {
          gunzip.destroy();
          abort();
          resolve();
        }
      });
    });
    expect(compressed * 100).toBeLessThan(inflated); // a bomb: over 100x
    // Generation follows the reader: far less than the 300 MB was made.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reg.inflatedBytesGenerated - before).toBeLessThan(64 * 1024 * 1024);
  });
});
