/**
 * The ACR emulator's state as its request handlers share it, and the one way they answer:
 * logged, with ACR's headers and error bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRules } from '../acrFaults.js';
import { logRequest, sendJson, type RequestLogEntry } from '../httpUtil.js';
import type { ReadGate } from './readGate.js';
import type { AcrManifestSeed, RepositoryState } from './repositories.js';
import type { AcrTokenIssuer } from './tokens.js';

export type AcrRequestKind = 'challenge' | 'exchange' | 'token' | 'tags-page' | 'tag' | 'manifest' | 'throttled' | 'failed' | 'unknown';

export interface AcrContext {
  /** `${host}:${port}`; filled in once the server listens (the port is only known then). */
  loginServer: string;
  readonly requests: RequestLogEntry[];
  readonly repos: Map<string, RepositoryState>;
  readonly manifests: Map<string, AcrManifestSeed>;
  readonly faults: FaultRules;
  readonly tokens: AcrTokenIssuer;
  readonly reads: ReadGate;
  /** Decides whether an Entra access token presented to `/oauth2/exchange` is acceptable. */
  readonly validateEntraToken: (token: string) => boolean;
}

export const REGISTRY_HEADERS = { 'docker-distribution-api-version': 'registry/2.0' } as const;

/** ACR's error body. */
export function acrErrors(code: string, message: string, detail?: unknown): { errors: Array<{ code: string; message: string; detail?: unknown }> } {
  return { errors: [detail === undefined ? { code, message } : { code, message, detail }] };
}

export function reply(
  ctx: AcrContext,
  req: IncomingMessage,
  res: ServerResponse,
  kind: AcrRequestKind,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  logRequest(ctx.requests, req, kind, status);
  sendJson(res, status, body, { ...REGISTRY_HEADERS, ...headers });
}

/** The 401 that tells a client where to get a token for `repo`. */
export function challenge(ctx: AcrContext, req: IncomingMessage, res: ServerResponse, repo: string): void {
  const scope = `repository:${repo}:metadata_read`;
  const body = acrErrors('UNAUTHORIZED', 'authentication required, visit https://aka.ms/acr/authorization for more information.', [
    { Type: 'repository', Name: repo, Action: 'metadata_read' },
  ]);
  reply(ctx, req, res, 'challenge', 401, body, {
    'www-authenticate': `Bearer realm="https://${ctx.loginServer}/oauth2/token",service="${ctx.loginServer}",scope="${scope}"`,
  });
}
