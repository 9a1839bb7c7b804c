/**
 * Azure Container Registry data-plane emulator (HTTPS), faithful to what
 * `@azure/container-registry` 1.1.x sends and parses:
 *
 * - Data requests (`/acr/v1/...`) without a valid ACR access token answer 401 with
 *   `WWW-Authenticate: Bearer realm="https://HOST/oauth2/token",service="HOST",scope="repository:REPO:metadata_read"`.
 * - `POST /oauth2/exchange` turns an Entra token (checked by `validateEntraToken`) into an
 *   ACR refresh token (an HS256 JWT with `exp`, signed by a secret only this emulator knows).
 * - `POST /oauth2/token` turns that refresh token into an access token whose `access` claim
 *   lists the granted repository scopes; data requests check signature, expiry, audience and
 *   that the scope covers the repository asked for. Like ACR (Azure/acr docs/AAD-OAuth.md:
 *   "`scope` ... can be specified more than once for multiple scope requests"), `scope` may be
 *   repeated, and one token then covers every repository named.
 * - `readRateLimit` throttles authorised data reads like ACR's ReadOps limit: above the rate,
 *   429 TOOMANYREQUESTS with `Retry-After`.
 * - Tag listing supports `n`, `last`, `orderby=timedesc|timeasc` (none = by name) and the
 *   `Link: <...>; rel="next"` header; tag and manifest properties; ACR-style error bodies.
 * - `injectFault` makes token, exchange, tag page or manifest requests answer as a broken or
 *   hostile registry would (acrFaults.ts): error statuses with any `Retry-After`, stalls, slow
 *   bodies, gzip bombs, looping, empty, cross-origin or unsorted pages, `{}` bodies.
 *
 * Tag lists are sorted once per repository (and again only after a change), so repositories
 * with hundreds of tags cost little per request.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dribble, FaultRules, gzipBomb, stall, type AcrFault, type AcrFaultTarget } from './acrFaults.js';
import { logRequest, parseRequestUrl, readBody, sendJson, startHttpsServer } from './httpUtil.js';
import type { RequestLogEntry, ServerPki } from './httpUtil.js';

export interface AcrTagSeed {
  name: string;
  /** `sha256:<64 hex>` */
  digest: string;
  /** ISO-8601; defaults to `lastUpdateTime`. */
  createdTime?: string;
  /** ISO-8601. */
  lastUpdateTime: string;
}

export interface AcrManifestReference {
  digest: string;
  architecture?: string;
  os?: string;
}

export interface AcrManifestSeed {
  /** Present for multi-arch indexes (OCI index / Docker manifest list). */
  references?: AcrManifestReference[];
  /** For single-platform manifests; default `amd64`/`linux` when there are no references. */
  architecture?: string;
  os?: string;
  imageSize?: number;
}

export interface AcrRegistryOptions {
  pki: ServerPki;
  /** Host part of the login server (default `127.0.0.1`); the login server is `${host}:${port}`. */
  host?: 'localhost' | '127.0.0.1';
  /** Decides whether an Entra access token presented to `/oauth2/exchange` is acceptable. */
  validateEntraToken: (token: string) => boolean;
  repositories: Record<string, AcrTagSeed[]>;
  /** Extra attributes per manifest digest (multi-arch references, platform, size). */
  manifests?: Record<string, AcrManifestSeed>;
  latencyMs?: number;
  /** Lifetime of issued ACR access tokens (default 4500 s, as ACR's 75 minutes). */
  accessTokenLifetimeSeconds?: number;
  /** Lifetime of issued ACR refresh tokens (default 10800 s, as ACR's 3 hours). */
  refreshTokenLifetimeSeconds?: number;
  /**
   * Authorised data reads served per second (a token bucket holding one second's worth);
   * reads above it answer 429 with `Retry-After` (whole seconds until the next read is free).
   */
  readRateLimit?: { perSecond: number };
}

export type AcrRequestKind =
  | 'challenge'
  | 'exchange'
  | 'token'
  | 'tags-page'
  | 'tag'
  | 'manifest'
  | 'throttled'
  | 'failed'
  | 'unknown';

export interface AcrRegistryEmulator {
  /** `${host}:${port}`, as in image references. */
  loginServer: string;
  /** `https://${loginServer}` */
  endpoint: string;
  /** Every request, in arrival order. Tag/manifest 404s keep their kind with status 404. */
  requests: RequestLogEntry[];
  /** Replaces a repository's tags (creates the repository if needed). */
  setTags(repo: string, tags: AcrTagSeed[]): void;
  /** Adds a tag, or moves an existing tag of that name (creates the repository if needed). */
  addTag(repo: string, tag: AcrTagSeed): void;
  deleteRepository(repo: string): void;
  /** Sets or replaces the extra attributes of one manifest digest. */
  setManifest(digest: string, manifest: AcrManifestSeed): void;
  /** The next `count` authorised data requests answer 429 TOOMANYREQUESTS with `Retry-After`. */
  throttleNext(count: number, retryAfterSeconds: number): void;
  /** The next `count` authorised data requests answer `status` with an ACR error body. */
  failNext(count: number, status: number): void;
  /** Requests to `target` (of `repository`, when given) answer with `fault`, `times` times (default always). */
  injectFault(target: AcrFaultTarget, fault: AcrFault, options?: { repository?: string; times?: number }): void;
  clearFaults(): void;
  /** Bytes the gzip bombs inflate to that were generated before their clients hung up. */
  readonly inflatedBytesGenerated: number;
  /** Request counts by kind. */
  stats(): Record<AcrRequestKind, number>;
  close(): Promise<void>;
}

interface TagRecord {
  name: string;
  digest: string;
  createdTime: string;
  lastUpdateTime: string;
  /** Milliseconds since epoch of lastUpdateTime, for sorting. */
  updatedMs: number;
}

type TagOrder = 'timedesc' | 'timeasc' | 'name';

interface SortedView {
  tags: TagRecord[];
  indexByName: Map<string, number>;
}

class RepositoryState {
  readonly byName = new Map<string, TagRecord>();
  private views = new Map<TagOrder, SortedView>();

  constructor(tags: AcrTagSeed[]) {
    for (const t of tags) this.put(t);
  }

  put(seed: AcrTagSeed): void {
    const updatedMs = Date.parse(seed.lastUpdateTime);
    if (Number.isNaN(updatedMs)) throw new Error(`acrRegistry: bad lastUpdateTime for tag ${seed.name}: ${seed.lastUpdateTime}`);
    this.byName.set(seed.name, {
      name: seed.name,
      digest: seed.digest,
      createdTime: seed.createdTime ?? seed.lastUpdateTime,
      lastUpdateTime: seed.lastUpdateTime,
      updatedMs,
    });
    this.views.clear();
  }

  /** Sorted once per order and cached until the next change. */
  view(order: TagOrder): SortedView {
    let v = this.views.get(order);
    if (!v) {
      const tags = [...this.byName.values()];
      const byName = (a: TagRecord, b: TagRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      if (order === 'name') tags.sort(byName);
      else if (order === 'timedesc') tags.sort((a, b) => b.updatedMs - a.updatedMs || byName(a, b));
      else tags.sort((a, b) => a.updatedMs - b.updatedMs || byName(a, b));
      v = { tags, indexByName: new Map(tags.map((t, i) => [t.name, i])) };
      this.views.set(order, v);
    }
    return v;
  }

  tagsForDigest(digest: string): TagRecord[] {
    return this.view('name').tags.filter((t) => t.digest === digest);
  }
}

const CHANGEABLE_ATTRIBUTES = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true } as const;

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function acrErrors(code: string, message: string, detail?: unknown): { errors: Array<{ code: string; message: string; detail?: unknown }> } {
  return { errors: [detail === undefined ? { code, message } : { code, message, detail }] };
}

function parseScopes(scope: string): Array<{ type: string; name: string; actions: string[] }> {
  const out: Array<{ type: string; name: string; actions: string[] }> = [];
  for (const part of scope.split(' ').filter(Boolean)) {
    // repository:team/app/api:metadata_read,pull  (the name itself has no colons)
    const first = part.indexOf(':');
    const last = part.lastIndexOf(':');
    if (first < 0 || last <= first) continue;
    out.push({ type: part.slice(0, first), name: part.slice(first + 1, last), actions: part.slice(last + 1).split(',').filter(Boolean) });
  }
  return out;
}

export async function startAcrRegistry(options: AcrRegistryOptions): Promise<AcrRegistryEmulator> {
  const host = options.host ?? '127.0.0.1';
  const accessLifetime = options.accessTokenLifetimeSeconds ?? 4500;
  const refreshLifetime = options.refreshTokenLifetimeSeconds ?? 10800;
  const secret = randomBytes(32);
  const requests: RequestLogEntry[] = [];
  const repos = new Map<string, RepositoryState>();
  for (const [name, tags] of Object.entries(options.repositories)) repos.set(name, new RepositoryState(tags));
  const manifests = new Map<string, AcrManifestSeed>(Object.entries(options.manifests ?? {}));
  let throttle = { count: 0, retryAfterSeconds: 1 };
  // Read-rate token bucket (readRateLimit): holds at most one second's worth of reads.
  let bucket = { reads: options.readRateLimit?.perSecond ?? 0, at: Date.now() };
  /** Takes one read from the bucket; the Retry-After seconds when it is empty. */
  function takeRead(perSecond: number): number | undefined {
    const now = Date.now();
    bucket = { reads: Math.min(perSecond, bucket.reads + ((now - bucket.at) / 1000) * perSecond), at: now };
    if (bucket.reads >= 1) {
      bucket.reads -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.reads) / perSecond));
  }
  let failure = { count: 0, status: 500 };
  const faults = new FaultRules();
  // Filled in once the server listens (the port is only known then).
  let loginServer = '';

  function signJwt(claims: Record<string, unknown>): string {
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'acr-emulator' }));
    const payload = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${sig}`;
  }

  /** Returns the claims when signature and expiry are good, else undefined. */
  function verifyJwt(token: string): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, sig] = parts as [string, string, string];
    const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof claims !== 'object' || claims === null) return undefined;
    const c = claims as Record<string, unknown>;
    if (typeof c.exp !== 'number' || c.exp * 1000 <= Date.now()) return undefined;
    if (c.aud !== loginServer) return undefined;
    return c;
  }

  function tokenCovers(claims: Record<string, unknown>, repo: string, action: string): boolean {
    if (claims.typ !== 'access' || !Array.isArray(claims.access)) return false;
    return claims.access.some((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return false;
      const e = entry as { type?: unknown; name?: unknown; actions?: unknown };
      return e.type === 'repository' && e.name === repo && Array.isArray(e.actions) && (e.actions.includes(action) || e.actions.includes('*'));
    });
  }

  function reply(req: IncomingMessage, res: ServerResponse, kind: AcrRequestKind, status: number, body: unknown, headers: Record<string, string> = {}): void {
    logRequest(requests, req, kind, status);
    sendJson(res, status, body, { 'docker-distribution-api-version': 'registry/2.0', ...headers });
  }

  function challenge(req: IncomingMessage, res: ServerResponse, repo: string): void {
    const scope = `repository:${repo}:metadata_read`;
    reply(
      req,
      res,
      'challenge',
      401,
      acrErrors('UNAUTHORIZED', 'authentication required, visit https://aka.ms/acr/authorization for more information.', [
        { Type: 'repository', Name: repo, Action: 'metadata_read' },
      ]),
      { 'www-authenticate': `Bearer realm="https://${loginServer}/oauth2/token",service="${loginServer}",scope="${scope}"` },
    );
  }

  async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
    return new URLSearchParams(await readBody(req));
  }

  async function handleExchange(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const grantType = form.get('grant_type');
    const service = form.get('service');
    const accessToken = form.get('access_token');
    if (grantType !== 'access_token' || !service || !accessToken) {
      reply(req, res, 'exchange', 400, acrErrors('UNSUPPORTED', 'grant_type=access_token, service and access_token are required'));
      return;
    }
    if (service !== loginServer) {
      reply(req, res, 'exchange', 400, acrErrors('UNSUPPORTED', `service '${service}' does not match this registry`));
      return;
    }
    if (!options.validateEntraToken(accessToken)) {
      reply(req, res, 'exchange', 401, acrErrors('UNAUTHORIZED', 'The access token provided is invalid or expired.'));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const refreshToken = signJwt({
      jti: randomUUID(),
      sub: 'entra-principal',
      nbf: now,
      iat: now,
      exp: now + refreshLifetime,
      iss: 'Azure Container Registry',
      aud: loginServer,
      version: '1.0',
      grant_type: 'refresh_token',
      typ: 'refresh',
      tenant: form.get('tenant') ?? undefined,
    });
    reply(req, res, 'exchange', 200, { refresh_token: refreshToken });
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const grantType = form.get('grant_type');
    const service = form.get('service');
    // `scope` may be repeated (one token for several repositories); each may hold several
    // space-separated scopes, as in a WWW-Authenticate challenge.
    const scope = form.getAll('scope').join(' ').trim();
    const refreshToken = form.get('refresh_token');
    if (grantType !== 'refresh_token' || !service || !scope || !refreshToken) {
      reply(req, res, 'token', 400, acrErrors('UNSUPPORTED', 'grant_type=refresh_token, service, scope and refresh_token are required'));
      return;
    }
    const claims = verifyJwt(refreshToken);
    if (!claims || claims.typ !== 'refresh' || service !== loginServer) {
      reply(req, res, 'token', 401, acrErrors('UNAUTHORIZED', 'The refresh token is invalid, expired or was issued for another registry.'));
      return;
    }
    const access = parseScopes(scope)
      .filter((s) => s.type === 'repository')
      .map((s) => ({ type: 'repository', name: s.name, actions: s.actions.filter((a) => a === 'metadata_read' || a === 'pull') }))
      .filter((s) => s.actions.length > 0);
    const now = Math.floor(Date.now() / 1000);
    const accessToken = signJwt({
      jti: randomUUID(),
      sub: claims.sub,
      nbf: now,
      iat: now,
      exp: now + accessLifetime,
      iss: 'Azure Container Registry',
      aud: loginServer,
      version: '1.0',
      typ: 'access',
      access,
    });
    reply(req, res, 'token', 200, { access_token: accessToken });
  }

  function tagJson(t: TagRecord) {
    return {
      name: t.name,
      digest: t.digest,
      createdTime: t.createdTime,
      lastUpdateTime: t.lastUpdateTime,
      signed: false,
      changeableAttributes: { ...CHANGEABLE_ATTRIBUTES },
    };
  }

  function handleTagList(req: IncomingMessage, res: ServerResponse, repo: string, state: RepositoryState, query: Record<string, string>, fault: AcrFault | undefined): void {
    const order: TagOrder = query.orderby === 'timedesc' ? 'timedesc' : query.orderby === 'timeasc' ? 'timeasc' : 'name';
    const nRaw = query.n === undefined ? 100 : Number.parseInt(query.n, 10);
    if (!Number.isFinite(nRaw) || nRaw < 1) {
      reply(req, res, 'tags-page', 400, acrErrors('PAGINATION_NUMBER_INVALID', 'invalid number of results requested'));
      return;
    }
    const n = Math.min(nRaw, 1000);
    const view = state.view(order);
    let start = 0;
    if (query.last !== undefined && query.last !== '') {
      const idx = view.indexByName.get(query.last);
      if (idx !== undefined) start = idx + 1;
      else if (order === 'name') {
        // Lexical continuation works even when `last` was deleted meanwhile.
        const i = view.tags.findIndex((t) => t.name > (query.last as string));
        start = i < 0 ? view.tags.length : i;
      } else start = view.tags.length; // unknown continuation in time order: nothing more
    }
    let page = view.tags.slice(start, start + n);
    const headers: Record<string, string> = {};
    const lastOnPage = page[page.length - 1];
    const nextParams = new URLSearchParams({ last: lastOnPage?.name ?? 'zzz', n: String(n) });
    if (order !== 'name') nextParams.set('orderby', order);
    if (lastOnPage && start + n < view.tags.length) headers.link = `</acr/v1/${repo}/_tags?${nextParams.toString()}>; rel="next"`;
    if (fault?.kind === 'self-link') headers.link = `<${req.url ?? ''}>; rel="next"`;
    if (fault?.kind === 'cross-origin-link') headers.link = `<https://elsewhere.example/acr/v1/${repo}/_tags?${nextParams.toString()}>; rel="next"`;
    if (fault?.kind === 'empty-page-with-next') {
      page = [];
      headers.link = `</acr/v1/${repo}/_tags?${nextParams.toString()}>; rel="next"`;
    }
    if (fault?.kind === 'unsorted') page = [...page].reverse();
    reply(req, res, 'tags-page', 200, { registry: loginServer, imageName: repo, tags: page.map(tagJson) }, headers);
  }

  function handleTag(req: IncomingMessage, res: ServerResponse, repo: string, state: RepositoryState, tagName: string): void {
    const t = state.byName.get(tagName);
    if (!t) {
      reply(req, res, 'tag', 404, acrErrors('TAG_UNKNOWN', 'the specified tag does not exist', { Type: 'repository', Name: repo, Tag: tagName }));
      return;
    }
    reply(req, res, 'tag', 200, { registry: loginServer, imageName: repo, tag: tagJson(t) });
  }

  function handleManifest(req: IncomingMessage, res: ServerResponse, repo: string, state: RepositoryState, digest: string): void {
    const tagged = state.tagsForDigest(digest);
    // A child manifest of a multi-arch index lives in the repository even without a tag.
    let parent: TagRecord[] = [];
    if (tagged.length === 0) {
      for (const t of state.byName.values()) {
        if (manifests.get(t.digest)?.references?.some((r) => r.digest === digest)) parent = state.tagsForDigest(t.digest);
        if (parent.length > 0) break;
      }
    }
    const times = tagged.length > 0 ? tagged : parent;
    if (times.length === 0) {
      reply(req, res, 'manifest', 404, acrErrors('MANIFEST_UNKNOWN', 'manifest unknown', { Type: 'repository', Name: repo, Digest: digest }));
      return;
    }
    const seed = manifests.get(digest);
    const references = seed?.references;
    let platform: { architecture?: string; os?: string } = {};
    if (!references) {
      const childInfo = parent.length > 0 ? [...manifests.values()].flatMap((m) => m.references ?? []).find((r) => r.digest === digest) : undefined;
      platform = {
        architecture: seed?.architecture ?? childInfo?.architecture ?? 'amd64',
        os: seed?.os ?? childInfo?.os ?? 'linux',
      };
    }
    const created = times.reduce((a, b) => (Date.parse(a.createdTime) <= Date.parse(b.createdTime) ? a : b)).createdTime;
    const updated = times.reduce((a, b) => (a.updatedMs >= b.updatedMs ? a : b)).lastUpdateTime;
    reply(req, res, 'manifest', 200, {
      registry: loginServer,
      imageName: repo,
      manifest: {
        digest,
        imageSize: seed?.imageSize ?? 52_428_800,
        createdTime: created,
        lastUpdateTime: updated,
        ...platform,
        mediaType: references ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json',
        ...(references ? { references: references.map((r) => ({ digest: r.digest, architecture: r.architecture ?? 'amd64', os: r.os ?? 'linux' })) } : {}),
        tags: tagged.map((t) => t.name),
        changeableAttributes: { ...CHANGEABLE_ATTRIBUTES, quarantineState: 'Passed' },
      },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = parseRequestUrl(req);
    const method = req.method ?? 'GET';
    const tokenTarget = method !== 'POST' ? undefined : path === '/oauth2/exchange' ? 'exchange' : path === '/oauth2/token' ? 'token' : undefined;
    const tokenFault = tokenTarget && faults.take(tokenTarget);
    if (tokenTarget && tokenFault && answerFault(req, res, tokenTarget, tokenFault)) return;
    if (tokenTarget === 'exchange') return handleExchange(req, res);
    if (tokenTarget === 'token') return handleToken(req, res);

    // /acr/v1/{repo}/_tags, /acr/v1/{repo}/_tags/{tag}, /acr/v1/{repo}/_manifests/{digest};
    // the SDK percent-encodes the repository (slashes become %2F) and the digest's colon.
    const m = /^\/acr\/v1\/(.+?)\/(_tags|_manifests)(?:\/([^/]+))?$/.exec(path);
    if (method !== 'GET' || !m) {
      reply(req, res, 'unknown', 404, acrErrors('NOT_FOUND', `no route for ${method} ${path}`));
      return;
    }
    let repo: string;
    let ref: string | undefined;
    try {
      repo = decodeURIComponent(m[1] as string);
      ref = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
    } catch {
      reply(req, res, 'unknown', 400, acrErrors('NAME_INVALID', 'invalid repository name'));
      return;
    }
    const kind: AcrRequestKind = m[2] === '_manifests' ? 'manifest' : ref === undefined ? 'tags-page' : 'tag';
    if (kind === 'manifest' && ref === undefined) {
      reply(req, res, 'unknown', 404, acrErrors('NOT_FOUND', `no route for ${method} ${path}`));
      return;
    }

    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    const claims = bearer ? verifyJwt(bearer) : undefined;
    if (!claims || !tokenCovers(claims, repo, 'metadata_read')) {
      challenge(req, res, repo);
      return;
    }

    let retryAfter: number | undefined;
    if (throttle.count > 0) {
      throttle.count -= 1;
      retryAfter = throttle.retryAfterSeconds;
    } else if (options.readRateLimit) {
      retryAfter = takeRead(options.readRateLimit.perSecond);
    }
    if (retryAfter !== undefined) {
      reply(req, res, 'throttled', 429, acrErrors('TOOMANYREQUESTS', 'toomanyrequests: too many requests, please retry after some time', { Type: 'repository', Name: repo }), {
        'retry-after': String(retryAfter),
      });
      return;
    }
    if (failure.count > 0) {
      failure.count -= 1;
      const code = failure.status === 503 ? 'SERVICE_UNAVAILABLE' : failure.status >= 500 ? 'UNKNOWN' : 'DENIED';
      reply(req, res, 'failed', failure.status, acrErrors(code, `injected failure (${failure.status})`));
      return;
    }

    const fault = kind === 'tag' ? undefined : faults.take(kind, repo);
    if (fault && answerFault(req, res, kind, fault)) return;
    const state = repos.get(repo);
    if (!state) {
      reply(req, res, kind, 404, acrErrors('NAME_UNKNOWN', 'repository name not known to registry', { Type: 'repository', Name: repo }));
      return;
    }
    if (kind === 'tags-page') handleTagList(req, res, repo, state, query, fault);
    else if (kind === 'tag') handleTag(req, res, repo, state, ref as string);
    else handleManifest(req, res, repo, state, ref as string);
  }

  /**
   * Answers `req` with a fault that replaces the whole answer; false for the tag page faults,
   * which change the real page (handleTagList).
   */
  function answerFault(req: IncomingMessage, res: ServerResponse, kind: AcrRequestKind, fault: AcrFault): boolean {
    const headers = { 'docker-distribution-api-version': 'registry/2.0' };
    switch (fault.kind) {
      case 'status': {
        const code = fault.status === 429 ? 'TOOMANYREQUESTS' : fault.status === 503 ? 'SERVICE_UNAVAILABLE' : fault.status >= 500 ? 'UNKNOWN' : 'DENIED';
        reply(req, res, 'failed', fault.status, acrErrors(code, `injected fault (${fault.status})`), fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
        return true;
      }
      case 'stall':
        logRequest(requests, req, kind, 200);
        stall(res, headers);
        return true;
      case 'slow-body':
        logRequest(requests, req, kind, 200);
        dribble(res, JSON.stringify({ registry: loginServer, imageName: 'slow', tags: [], padding: ' '.repeat(2_000) }), fault.bytesPerSecond, headers);
        return true;
      case 'gzip-bomb':
        logRequest(requests, req, kind, 200);
        gzipBomb(res, fault.inflatedBytes, headers, (bytes) => (faults.inflatedBytesGenerated += bytes));
        return true;
      case 'empty-object':
        reply(req, res, kind, 200, {});
        return true;
      default:
        return false;
    }
  }

  const server = await startHttpsServer(options.pki, handle, options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs });
  loginServer = `${host}:${server.port}`;

  return {
    loginServer,
    endpoint: `https://${loginServer}`,
    requests,
    setTags(repo, tags) {
      repos.set(repo, new RepositoryState(tags));
    },
    addTag(repo, tag) {
      const state = repos.get(repo);
      if (state) state.put(tag);
      else repos.set(repo, new RepositoryState([tag]));
    },
    deleteRepository(repo) {
      repos.delete(repo);
    },
    setManifest(digest, manifest) {
      manifests.set(digest, manifest);
    },
    throttleNext(count, retryAfterSeconds) {
      throttle = { count, retryAfterSeconds };
    },
    failNext(count, status) {
      failure = { count, status };
    },
    injectFault(target, fault, faultOptions) {
      faults.add(target, fault, faultOptions);
    },
    clearFaults() {
      faults.clear();
    },
    get inflatedBytesGenerated() {
      return faults.inflatedBytesGenerated;
    },
    stats() {
      const counts: Record<AcrRequestKind, number> = {
        challenge: 0,
        exchange: 0,
        token: 0,
        'tags-page': 0,
        tag: 0,
        manifest: 0,
        throttled: 0,
        failed: 0,
        unknown: 0,
      };
      for (const r of requests) counts[r.kind as AcrRequestKind] += 1;
      return counts;
    },
    close: () => server.close(),
  };
}
