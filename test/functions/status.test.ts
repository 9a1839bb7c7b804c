/**
 * The `status` HTTP function, called as the host calls it, reading what a real scan stored in
 * the table (Azurite): the page and its JSON say the same, drifting workloads longest lag first,
 * pending ones with the time left, the failed cluster flagged; everything from a cluster escaped;
 * a page view scans nothing; bad queries and an unreadable table get clear answers.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusHandler } from '../../src/functions/status.js';
import type { StatusView } from '../../src/status/statusView.js';
import { HOSTILE_CHANNEL, HOSTILE_WORKLOAD, startStatusEstate, type StatusEstate } from '../support/statusEstate.js';

let estate: StatusEstate;
const savedEnv = { ...process.env };
const logs: string[] = [];
const context = () => new InvocationContext({ invocationId: 'test', functionName: 'status', logHandler: (level, ...args) => logs.push(`${level} ${args.join(' ')}`) });
const get = (query = '') => statusHandler(new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/status${query}` }), context());

beforeAll(async () => {
  estate = await startStatusEstate();
  for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTERS|REGISTRIES|STATE_|APPLICATIONINSIGHTS_)/.test(key)) delete process.env[key];
  Object.assign(process.env, estate.env);
});

afterAll(async () => {
  process.env = savedEnv;
  await estate?.close();
});

describe('status function', () => {
  let view: StatusView;

  beforeAll(async () => {
    const response = await get('?format=json');
    expect(response.status).toBe(200);
    view = response.jsonBody as StatusView;
  });

  it('answers the stored state as JSON: the clusters, failed first, with their last scan and result', () => {
    expect(view.clusters.map((c) => [c.name, c.ok])).toEqual([
      ['offline-aks', false],
      ['hostile-aks', true],
      ['sandbox-aks', true],
    ]);
    expect(view.clusters[0]?.error).toMatch(/ECONNREFUSED|connect/);
    expect(view.clusters[0]?.lastSuccessAt).toBeUndefined();
    expect(view.clusters[2]).toMatchObject({ pods: 57, counts: { drift: 3, 'stale-digest': 1, pending: 1, error: 2 } });
  });

  it('lists the lagging workloads longest lag first, with team channel, running and newest image', () => {
    expect(view.lagging.map((i) => `${i.cluster} ${i.workload.name} ${i.status}`)).toEqual([
      'hostile-aks <img src=x onerror="document.title=\'pwned\'"> drift',
      'sandbox-aks web-cache drift',
      'sandbox-aks payments-worker drift',
      'sandbox-aks web-frontend stale-digest',
      'sandbox-aks storefront drift',
    ]);
    const worker = view.lagging.find((i) => i.workload.name === 'payments-worker');
    expect(worker).toMatchObject({ channel: 'payments-alerts', newest: 'prod-789', pods: 40 });
    expect(worker?.running).toBe('payments/worker:prod-456');
    expect(Math.abs((worker?.lagSeconds ?? 0) - 2 * 3600)).toBeLessThan(120);
    // The staging namespace names its own channel (an annotation): the page shows the channel its settings resolved.
    expect(view.lagging.find((i) => i.workload.name === 'storefront')).toMatchObject({ channel: 'staging-alerts', newest: expect.stringMatching(/^staging-/) });
  });

  it('lists the pending workload with the time left before it counts, and the undecided one with its reason', () => {
    expect(view.pending).toHaveLength(1);
    expect(view.pending[0]).toMatchObject({ workload: { name: 'search-indexer' }, newest: 'prod-101', channel: 'search-team' });
    // pushed a minute before the scan, grace period 3m: about two minutes left
    expect(view.pending[0]?.secondsLeft).toBeGreaterThan(60);
    expect(view.pending[0]?.secondsLeft).toBeLessThanOrEqual(120);
    expect(view.errors.map((i) => i.workload.name)).toEqual(['web-metrics', 'web-search']);
    expect(view.errors[0]?.reason).toMatch(/401|403|refused|exchange/i);
    expect(view.errors[1]?.reason).toMatch(/grace-period/);
  });

  it('renders the same as one HTML page, with everything from a cluster escaped', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'Content-Type': 'text/html; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
    const html = String(response.body);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).not.toContain(HOSTILE_WORKLOAD);
    expect(html).not.toContain(HOSTILE_CHANNEL);
    expect(html).toContain('&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;');
    expect(html).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<img|<link|<iframe|<object|\ssrc="|href="(?!#)/i);
    for (const name of ['payments-worker', 'web-cache', 'web-frontend', 'search-indexer', 'web-metrics', 'offline-aks']) expect(html).toContain(name);
  });

  it('allows nothing but its own inline stylesheet: no script, no fetch, no frame', async () => {
    const csp = ((await get()).headers as Record<string, string>)['Content-Security-Policy'];
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/);
  });

  it('never scans: a page view sends nothing and asks no cluster or registry', async () => {
    const requests = estate.sandbox.kubernetes.requests.length + estate.sandbox.registry.requests.length;
    const messages = estate.sandbox.slack.messages.length;
    await get();
    await get('?format=json');
    expect(estate.sandbox.kubernetes.requests.length + estate.sandbox.registry.requests.length).toBe(requests);
    expect(estate.sandbox.slack.messages.length).toBe(messages);
  });

  it.each([
    ['?format=xml', /^format must be html or json, got "xml"$/],
    ['?view=all', /^unknown query parameter "view"; use format=html \(the default\) or format=json$/],
  ])('answers 400 for %s', async (query, message) => {
    const response = await get(query);
    expect(response.status).toBe(400);
    expect((response.jsonBody as { error: string }).error).toMatch(message);
  });

  it('takes the parameter in any case, and the function key', async () => {
    const response = await get('?Format=JSON&code=abc');
    expect(response.status).toBe(200);
    expect(response.jsonBody).toHaveProperty('clusters');
  });

  it('answers 503 with the reason when the table cannot be read, and logs it', async () => {
    const saved = process.env.AzureWebJobsStorage;
    process.env.AzureWebJobsStorage = saved?.replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, 'TableEndpoint=http://127.0.0.1:1');
    try {
      logs.length = 0;
      const response = await get();
      expect(response.status).toBe(503);
      expect((response.jsonBody as { error: string }).error).toMatch(/^the stored statuses could not be read: status table: creating the table failed/);
      expect(JSON.stringify(response.jsonBody)).not.toContain('AccountKey');
      expect(logs.some((l) => l.startsWith('error status page: the stored statuses could not be read'))).toBe(true);
    } finally {
      process.env.AzureWebJobsStorage = saved;
    }
  });
});
