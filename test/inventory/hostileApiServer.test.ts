/**
 * The Kubernetes listing against an API server that fails, stalls, loops or lies: every listing
 * ends, with a reason that names the request and what happened, and memory stays bounded.
 * `readClusterInventory` against the Kubernetes emulator's faults, over HTTPS.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { makePod, startKubernetesApi, type KubernetesApiHandle, type KubernetesApiOptions } from '../../emulators/kubernetesApi.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { readClusterInventory, type InventoryOptions } from '../../src/inventory/kubernetesInventory.js';
import { DEFAULT_REQUEST_LIMITS } from '../../src/inventory/kubernetesRequest.js';
import { silentLogger } from '../../src/log/logger.js';

/** 30 running pods: three pages of 10. */
const PODS = Array.from({ length: 30 }, (_, i) => makePod({ namespace: 'apps', name: `web-${i}`, containers: [{ name: 'web', image: `r.io/web:prod-${i}` }] }));
const FIRST_PAGE = 'GET /api/v1/pods?fieldSelector=status.phase%3DRunning&limit=10 (page 1)';
const SECOND_PAGE = 'GET /api/v1/pods?fieldSelector=status.phase%3DRunning&limit=10&continue=… (page 2)';

let api: KubernetesApiHandle | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: Partial<KubernetesApiOptions>): Promise<KubernetesApiHandle> {
  api = await startKubernetesApi({ pki: ensureTestPki(), namespaces: [{ name: 'apps' }], pods: PODS, compressAbove: Number.POSITIVE_INFINITY, ...options });
  return api;
}

function read(handle: KubernetesApiHandle, options: Partial<InventoryOptions> = {}) {
  const kc = new KubeConfig();
  kc.loadFromString(handle.kubeconfig());
  return readClusterInventory(kc, { excludedNamespaces: new Set(), logger: silentLogger, pageSize: 10, ...options });
}

const podPages = (handle: KubernetesApiHandle) => handle.requests.filter((r) => r.kind === 'pods-page');

describe('transient error answers on a pod list', () => {
  it('asks again after a 429\'s Retry-After and after 503s with backoff, and reads every pod', async () => {
    const faults: Record<number, { status: number; retryAfter?: string }> = { 2: { status: 429, retryAfter: '1' }, 4: { status: 503 }, 5: { status: 503 } };
    const handle = await start({ fault: ({ kind, number }) => (kind === 'pods-page' ? faults[number] : undefined) });
    const inventory = await read(handle);
    expect(inventory.pods).toBe(30);
    expect(podPages(handle).map((r) => r.status)).toEqual([200, 429, 200, 503, 503, 200]);
    // The retried page is the same page: the same continue token.
    expect(podPages(handle)[2]?.query.continue).toBe(podPages(handle)[1]?.query.continue);
  });

  it('gives up after four retries, naming the request and how often it was asked', async () => {
    const handle = await start({ fault: ({ kind }) => (kind === 'pods-page' ? { status: 500, retryAfter: '0' } : undefined) });
    await expect(read(handle)).rejects.toThrow(`${FIRST_PAGE}: the Kubernetes API answered HTTP 500: the server is unable to handle the request (InternalError) (asked 5 times)`);
    expect(podPages(handle)).toHaveLength(5);
  });

  it('does not wait a day because a 429 says so, nor past the cluster\'s time budget', async () => {
    const handle = await start({ fault: ({ kind }) => (kind === 'pods-page' ? { status: 429, retryAfter: '86400' } : undefined) });
    await expect(read(handle)).rejects.toThrow(`${FIRST_PAGE}: the Kubernetes API answered HTTP 429: the server is unable to handle the request (TooManyRequests), and asked to wait longer than 1m`);
    const soon = await start({ fault: ({ kind }) => (kind === 'pods-page' ? { status: 503, retryAfter: '30' } : undefined) });
    await expect(read(soon, { deadline: Date.now() + 5_000 })).rejects.toThrow("and waiting 30s to ask again would go past the cluster's time budget");
    expect(podPages(soon)).toHaveLength(1);
  });

  it('still restarts a listing whose continue token expired (410) without retrying the 410', async () => {
    const handle = await start({ fault: ({ kind, number }) => (kind === 'pods-page' && number === 2 ? { status: 410 } : undefined) });
    const inventory = await read(handle);
    expect(inventory.pods).toBe(30);
    expect(podPages(handle).map((r) => r.status)).toEqual([200, 410, 200, 200, 200]);
  });
});

describe('listings that would never end, stall, or break off', () => {
  it('ends a pod list that repeats its continue token, after the page that repeated it', async () => {
    const handle = await start({ repeatContinueToken: true });
    await expect(read(handle)).rejects.toThrow(`${SECOND_PAGE}: the Kubernetes API answered with the continue token page 1 had already given; the listing would never end`);
    expect(podPages(handle).length).toBeLessThanOrEqual(3);
  });

  it('ends a page whose body stalls, after the idle timeout, and closes its connection', async () => {
    const handle = await start({ fault: ({ kind, number }) => (kind === 'pods-page' && number === 2 ? { stallAfterBytes: 2_000 } : undefined) });
    await expect(read(handle, { requestLimits: { ...DEFAULT_REQUEST_LIMITS, idleTimeoutMs: 300 } })).rejects.toThrow(`${SECOND_PAGE}: no data for 300ms`);
    await expect.poll(() => handle.open.count, { timeout: 10_000 }).toBe(0);
    expect(handle.open.closedCount).toBe(1);
  });

  it('ends a request that is never answered when the cluster\'s budget ends, and closes its connection', async () => {
    const handle = await start({ fault: ({ kind }) => (kind === 'pods-page' ? { hang: true } : undefined) });
    const budget = new AbortController();
    const listing = read(handle, { signal: budget.signal });
    await expect.poll(() => handle.open.count, { timeout: 10_000 }).toBe(1);
    budget.abort(new Error('cluster scan exceeded its time budget'));
    await expect(listing).rejects.toThrow('cluster scan exceeded its time budget');
    await expect.poll(() => handle.open.count, { timeout: 10_000 }).toBe(0);
  });

  it('says which page broke off, and after how many bytes, when the connection closes mid-body', async () => {
    const handle = await start({ fault: ({ kind, number }) => (kind === 'pods-page' && number === 2 ? { truncateAfterBytes: 1_500 } : undefined) });
    const error = await read(handle).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(new RegExp(`^${escape(SECOND_PAGE)}: the answer ended early, after 1500 bytes of the \\d+ announced \\(`));
    expect(error?.message).not.toContain('eyJ'); // no continue token in the reason
  });

  it('cuts off a gzip bomb at the page size cap instead of inflating it, in bounded memory', async () => {
    const peakRssBefore = process.resourceUsage().maxRSS * 1024;
    const handle = await start({ fault: ({ kind, number }) => (kind === 'pods-page' && number === 2 ? { gzipBombBytes: 4 * 1024 ** 3 } : undefined) });
    await expect(read(handle)).rejects.toThrow(`${SECOND_PAGE}: the answer decodes to more than 32 MiB, the most one page may be`);
    await expect.poll(() => handle.open.count).toBe(0);
    // Of the 4 GiB, the emulator made only what the client read before it closed the connection,
    // plus the little the connection held in flight (compressed a thousandfold).
    expect(handle.bombs[0]?.producedBytes).toBeLessThan(1024 ** 3);
    expect(process.resourceUsage().maxRSS * 1024 - peakRssBefore).toBeLessThan(400 * 1024 ** 2);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
