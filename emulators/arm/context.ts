/** The ARM emulator's state as its request handlers share it, and the one way they answer. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenRequests } from '../faults.js';
import { logRequest, sendJson, type RequestLogEntry } from '../httpUtil.js';
import type { ArmClusterSeed } from './managedClusters.js';

export type ArmRequestKind = 'arm-get' | 'arm-credentials' | 'arm-list' | 'unknown';

export interface ArmContext {
  /** `https://HOST:PORT`; filled in once the server listens. */
  endpoint: string;
  readonly requests: RequestLogEntry[];
  clusters: ArmClusterSeed[];
  /** Resource groups that exist without clusters. */
  readonly extraGroups: ReadonlyArray<{ subscriptionId: string; name: string }>;
  readonly pageSize: number;
  readonly tenantId: string;
  readonly callerObjectId: string;
  readonly validateArmToken: (token: string) => boolean;
  /** Request kinds accepted and never answered. */
  readonly hang: readonly ArmRequestKind[];
  readonly listNextLink: { to: 'self' } | { to: 'origin'; origin: string } | undefined;
  readonly open: OpenRequests;
}

export function armError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** ARM compares names case-insensitively. */
export function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function reply(ctx: ArmContext, req: IncomingMessage, res: ServerResponse, kind: ArmRequestKind, status: number, body: unknown, headers: Record<string, string> = {}): void {
  logRequest(ctx.requests, req, kind, status);
  const requestId = randomUUID();
  sendJson(res, status, body, {
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': req.headers['x-ms-correlation-request-id']?.toString() ?? requestId,
    'cache-control': 'no-cache',
    ...headers,
  });
}
