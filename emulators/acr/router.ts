/**
 * Routes one request to the ACR emulator: token endpoints first (with their injected faults),
 * then data requests, which must carry an access token covering their repository (else the
 * 401 challenge), pass the read gate (429 or an injected failure) and any injected fault.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRequestUrl } from '../httpUtil.js';
import { acrErrors, challenge, reply, type AcrContext, type AcrRequestKind } from './context.js';
import { handleManifest, handleTag, handleTagList } from './dataRoutes.js';
import { answerFault } from './faultAnswers.js';
import { handleExchange, handleToken } from './tokenRoutes.js';
import { tokenCovers } from './tokens.js';

type DataRoute = { kind: 'tags-page' | 'tag' | 'manifest'; repo: string; ref: string | undefined };

export async function handleAcrRequest(ctx: AcrContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { path, query } = parseRequestUrl(req);
  const method = req.method ?? 'GET';
  const tokenTarget = method !== 'POST' ? undefined : path === '/oauth2/exchange' ? 'exchange' : path === '/oauth2/token' ? 'token' : undefined;
  const tokenFault = tokenTarget && ctx.faults.take(tokenTarget);
  if (tokenTarget && tokenFault && answerFault(ctx, req, res, tokenTarget, tokenFault)) return;
  if (tokenTarget === 'exchange') return handleExchange(ctx, req, res);
  if (tokenTarget === 'token') return handleToken(ctx, req, res);

  const route = parseDataRoute(method, path);
  if (route === 'no-route') return reply(ctx, req, res, 'unknown', 404, acrErrors('NOT_FOUND', `no route for ${method} ${path}`));
  if (route === 'bad-name') return reply(ctx, req, res, 'unknown', 400, acrErrors('NAME_INVALID', 'invalid repository name'));
  if (!authorised(ctx, req, route.repo)) return challenge(ctx, req, res, route.repo);
  if (refusedRead(ctx, req, res, route.repo)) return;
  handleData(ctx, req, res, route, query);
}

/**
 * `/acr/v1/{repo}/_tags`, `/acr/v1/{repo}/_tags/{tag}`, `/acr/v1/{repo}/_manifests/{digest}`;
 * the SDK percent-encodes the repository (slashes become %2F) and the digest's colon.
 */
function parseDataRoute(method: string, path: string): DataRoute | 'no-route' | 'bad-name' {
  const m = /^\/acr\/v1\/(.+?)\/(_tags|_manifests)(?:\/([^/]+))?$/.exec(path);
  if (method !== 'GET' || !m) return 'no-route';
  let repo: string;
  let ref: string | undefined;
  try {
    repo = decodeURIComponent(m[1] as string);
    ref = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
  } catch {
    return 'bad-name';
  }
  const kind: AcrRequestKind = m[2] === '_manifests' ? 'manifest' : ref === undefined ? 'tags-page' : 'tag';
  if (kind === 'manifest' && ref === undefined) return 'no-route';
  return { kind, repo, ref };
}

function authorised(ctx: AcrContext, req: IncomingMessage, repo: string): boolean {
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
  const claims = bearer ? ctx.tokens.verify(bearer) : undefined;
  return claims !== undefined && tokenCovers(claims, repo, 'metadata_read');
}

/** Answers a read the gate refuses (429 with Retry-After, or an injected failure); false when it passes. */
function refusedRead(ctx: AcrContext, req: IncomingMessage, res: ServerResponse, repo: string): boolean {
  const refusal = ctx.reads.take();
  if (refusal?.kind === 'throttled') {
    const body = acrErrors('TOOMANYREQUESTS', 'toomanyrequests: too many requests, please retry after some time', { Type: 'repository', Name: repo });
    reply(ctx, req, res, 'throttled', 429, body, { 'retry-after': String(refusal.retryAfterSeconds) });
    return true;
  }
  if (refusal?.kind === 'failed') {
    const code = refusal.status === 503 ? 'SERVICE_UNAVAILABLE' : refusal.status >= 500 ? 'UNKNOWN' : 'DENIED';
    reply(ctx, req, res, 'failed', refusal.status, acrErrors(code, `injected failure (${refusal.status})`));
    return true;
  }
  return false;
}

function handleData(ctx: AcrContext, req: IncomingMessage, res: ServerResponse, route: DataRoute, query: Record<string, string>): void {
  const { kind, repo, ref } = route;
  const fault = kind === 'tag' ? undefined : ctx.faults.take(kind, repo);
  if (fault && answerFault(ctx, req, res, kind, fault)) return;
  const state = ctx.repos.get(repo);
  if (!state) {
    reply(ctx, req, res, kind, 404, acrErrors('NAME_UNKNOWN', 'repository name not known to registry', { Type: 'repository', Name: repo }));
    return;
  }
  if (kind === 'tags-page') handleTagList(ctx, req, res, repo, state, query, fault);
  else if (kind === 'tag') handleTag(ctx, req, res, repo, state, ref as string);
  else handleManifest(ctx, req, res, repo, state, ref as string);
}
