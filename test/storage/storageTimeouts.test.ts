/**
 * The app's storage account stops answering (a TCP server that accepts and never replies): table
 * requests end at their time limit and are retried as transient errors, queue operations end at
 * theirs, so a check or a delivery fails with a reason instead of waiting for the function's timeout.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueClusterScans } from '../../src/fanout/scanQueue.js';
import { scheduleChecks } from '../../src/push/scheduleChecks.js';
import { appTable } from '../../src/storage/appTables.js';

/** Azurite's well-known development account key (public, documented by Microsoft). */
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

let server: Server;
let port = 0;
const sockets: Socket[] = [];
/** Request lines received, one per HTTP request sent. */
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk: Buffer) => requests.push(...chunk.toString('latin1').split('\r\n').filter((line) => /^(GET|PUT|POST|DELETE|PATCH|HEAD) /.test(line))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const connectionString = (service: 'Table' | 'Queue') => `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};${service}Endpoint=http://127.0.0.1:${port}/devstoreaccount1;`;

describe('a storage account that stops answering', () => {
  it('ends each table request at its limit, as a transient error the client retries, then fails naming the timeout', async () => {
    const before = requests.length;
    const { client } = appTable({ connectionString: connectionString('Table') }, 'acrsyncstate', { maxRetries: 1, requestTimeoutMs: 200 });
    const failure = await client.getEntity('p', 'r').then(() => null, (error: unknown) => error as { code?: string; message: string });
    expect(failure?.code).toBe('ETIMEDOUT');
    expect(failure?.message).toContain('the storage service did not answer within 0.2s');
    expect(requests.length - before).toBe(2);
  }, 20_000);

  it('ends a fan-out queue operation at its limit', async () => {
    const before = requests.length;
    const queue = new QueueClient(connectionString('Queue'), 'acrsync-clusters');
    await expect(enqueueClusterScans(queue, [{ resourceId: '/subscriptions/s/x', name: 'orders' }], () => Date.now(), 300)).rejects.toThrow(/abort/i);
    expect(requests.length - before).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it('ends the sending of a push check at its limit', async () => {
    const queue = new QueueClient(connectionString('Queue'), 'acrsync-clusters');
    const push = { eventId: 'e-1', registry: 'contoso.azurecr.io', repository: 'orders/api', tag: 'prod-2', digest: null, pushedAt: new Date().toISOString() };
    const check = { resourceId: '/subscriptions/s/x', name: 'orders', gracePeriodMs: 180_000, dueAt: Date.now() + 182_000 };
    await expect(scheduleChecks(queue, push, [check], () => Date.now(), 300)).rejects.toThrow(/abort/i);
  }, 20_000);
});
