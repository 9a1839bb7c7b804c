/**
 * ACR access tokens for the registry lookups, obtained the way ACR documents it (Azure/acr
 * docs/AAD-OAuth.md) instead of through `@azure/container-registry`'s challenge policy.
 *
 * Why: the SDK's challenge policy keeps ONE access token per client while ACR's tokens are
 * scoped to repositories, so concurrent lookups were challenged on almost every request: 2.4x
 * the requests of the lower bound (docs/performance.md, ACR tokens).
 *
 * How:
 * - `/oauth2/exchange` once per registry for the life of the refresh token (3 hours at ACR),
 *   with the identity's Entra token for ACR, itself fetched once for all registries;
 * - `/oauth2/token` with several `scope` parameters ("can be specified more than once for
 *   multiple scope requests", ACR's docs) for every repository announced in the same tick,
 *   split above MAX_SCOPES_PER_TOKEN;
 * - a pipeline policy (`policy()`: in the tag-page pipeline, and given to the SDK client that
 *   reads manifests as an `additionalPolicies` entry) that puts the repository's token on each
 *   data request, so no request meets a challenge.
 *
 * Tokens outlive the provider: they are kept for the process, per registry and identity, so the
 * scans of a warm instance (the timer every few minutes; with SCAN_FANOUT=queue, one scan per
 * cluster) reuse them for as long as ACR lets them live: one exchange per registry per refresh
 * token lifetime (3 hours), one token request per repository per access token lifetime (75
 * minutes).
 *
 * Credentials only ever go to the registries in REGISTRIES: the provider refuses any other host.
 * Token requests are bounded like data requests (acrTokenEndpoints.ts).
 *
 * Longer than the usual 300 lines: the tick batching, the process-wide cache and the
 * per-registry state below are one mechanism, and splitting them would spread that state over
 * several files.
 */
import { RestError, type HttpClient, type PipelinePolicy, type PipelineResponse } from '@azure/core-rest-pipeline';
import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { sharedTokenCredential } from '../identity/sharedTokenCredential.js';
import { isAcrLoginServer } from '../images/acrLoginServers.js';
import type { Logger } from '../log/logger.js';
import { systemClock, type Clock } from '../model/clock.js';
import { AcrTokenEndpoints } from './acrTokenEndpoints.js';
import { registryTimeouts, type OperationBudget, type RegistryTimeouts } from './operationBudget.js';
import { RegistryPauses } from './registryPauses.js';

/**
 * Most repository scopes named in one `/oauth2/token` request. Each scope makes the access
 * token (sent as a header on every data request) about 80 bytes longer; 50 keeps it near 5 KB,
 * well under common 8–16 KB header limits. ACR's own limit is not documented (unverified).
 */
export const MAX_SCOPES_PER_TOKEN = 50;
/** Renew a token this long before it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
/** Lifetime assumed for an access token whose expiry cannot be read. */
const FALLBACK_ACCESS_LIFETIME_MS = 10 * 60_000;

export interface AcrTokenProviderOptions {
  credential: TokenCredential;
  /** Login servers from REGISTRIES (host or host:port): the only hosts that get a credential. */
  registries: readonly string[];
  /** Entra audience of ACR (default the public cloud's). */
  audience?: string;
  logger: Logger;
  httpClient?: HttpClient;
  /** The registries' Retry-After pauses, shared with the data requests. */
  pauses?: RegistryPauses;
  /** Aborted when the scan run ends: token requests still out are cancelled. */
  signal?: AbortSignal;
  /** Time limits (default the constants of operationBudget.ts); tests shorten them. */
  timeouts?: Partial<RegistryTimeouts>;
  /** The clock tokens expire on (default the system's). */
  now?: Clock;
}

interface Expiring {
  token: string;
  expiresOnMs: number;
}

interface Deferred {
  promise: Promise<string>;
  resolve(token: string): void;
  reject(error: unknown): void;
}

/** Tokens of one identity for one registry, kept for the life of the process. */
interface ProcessTokens {
  refresh?: Expiring;
  scopes: Map<string, Expiring>;
}

const processTokens = new Map<string, ProcessTokens>();

function processTokensOf(host: string, identity: string): ProcessTokens {
  const key = `${host}\u0000${identity}`;
  let tokens = processTokens.get(key);
  if (!tokens) {
    tokens = { scopes: new Map() };
    processTokens.set(key, tokens);
  }
  return tokens;
}

const isFresh = (t: Expiring | undefined, now: number): t is Expiring => t !== undefined && t.expiresOnMs - EXPIRY_MARGIN_MS > now;

/** Whose Entra token this is: its `oid` claim, else (an opaque token) a digest of the token. */
export function identityOf(entraToken: string): string {
  const payload = entraToken.split('.')[1];
  if (payload) {
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { oid?: unknown; tid?: unknown };
      if (typeof claims.oid === 'string' && claims.oid) return `oid:${String(claims.tid ?? '')}/${claims.oid}`;
    } catch {
      // not a JWT: fall through
    }
  }
  return `token:${createHash('sha256').update(entraToken).digest('base64url')}`;
}

interface RegistryState {
  refresh?: Promise<Expiring>;
  /** The identity the registry's tokens are for, once the Entra token is known. */
  identity?: string;
  /** Repository -> its access token (or the request that will bring it). */
  scopes: Map<string, Promise<Expiring>>;
  /** Repositories announced in this tick, waiting for the next token request. */
  pending: Map<string, Deferred>;
  flushScheduled: boolean;
}

function deferred(): Deferred {
  let resolve!: (token: string) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Every caller handles the rejection, but a cancelled caller must not leave it unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** The `exp` claim of a JWT in milliseconds, or undefined when it has none. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    const exp = typeof claims.exp === 'string' ? Number.parseInt(claims.exp, 10) : claims.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The repository an ACR data-plane path is about: `/acr/v1/{repo}/_tags[/{tag}]`,
 * `/acr/v1/{repo}/_manifests/{digest}`, `/acr/v1/{repo}`, `/v2/{repo}/(tags|manifests|blobs)/...`.
 * The SDK percent-encodes the repository (slashes too); Link headers may not.
 */
export function repositoryOfPath(pathname: string): string | undefined {
  const m = /^\/acr\/v1\/(.+?)(?:\/(?:_tags|_manifests)(?:\/[^/]*)?)?\/?$/.exec(pathname) ?? /^\/v2\/(.+?)\/(?:tags|manifests|blobs)(?:\/.*)?$/.exec(pathname);
  if (!m?.[1] || m[1].startsWith('_')) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

export class AcrTokenProvider {
  private readonly allowed: ReadonlySet<string>;
  private readonly states = new Map<string, RegistryState>();
  private readonly endpoints: AcrTokenEndpoints;
  private readonly entraScope: string;
  /** The identity, asked once for every registry (the SDK asked once per client). */
  private readonly credential: TokenCredential;
  private readonly now: Clock;

  constructor(private readonly options: AcrTokenProviderOptions) {
    this.now = options.now ?? systemClock;
    this.allowed = new Set(options.registries.map((r) => r.toLowerCase()));
    this.credential = sharedTokenCredential(options.credential, this.now);
    this.entraScope = `${(options.audience ?? 'https://containerregistry.azure.net').replace(/\/+$/, '')}/.default`;
    this.endpoints = new AcrTokenEndpoints({
      timeouts: registryTimeouts(options.timeouts),
      pauses: options.pauses ?? new RegistryPauses(this.now),
      ...(options.httpClient ? { httpClient: options.httpClient } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      now: this.now,
    });
  }

  /**
   * An access token that covers reading `repository`. Every repository asked for in the same
   * tick shares one `/oauth2/token` request, sent once the tick is over: the scan asks for all
   * the repositories a pod page reveals while it reads that page. Throws at once for a host
   * outside REGISTRIES.
   */
  accessToken(registry: string, repository: string): Promise<string> {
    const host = this.checkHost(registry);
    const state = this.state(host);
    const cached = state.scopes.get(repository);
    if (cached) {
      return cached.then((t) => (isFresh(t, this.now()) ? t.token : this.renew(host, repository, cached)));
    }
    return this.enqueue(host, repository);
  }

  /**
   * Starts, when the scan starts, what needs nothing from the pods: the identity's Entra token
   * for ACR, and the refresh token of every registry that is an ACR login server of an Azure
   * cloud (isAcrLoginServer). Those are all served by Microsoft's ACR service, so the early
   * exchange sends the identity's token nowhere else, and a registry's first lookups then wait
   * only for their access token. Any other host (allowed in REGISTRIES only with
   * ALLOW_ANY_REGISTRY_HOST=true: an emulator, a registry behind another name) is exchanged
   * lazily, on its first lookup: the identity's token then goes only to a host that a running
   * pod uses, never to a mistyped one, at the price of one round trip on that registry's first
   * lookup. A failure here is met again, and reported, by the lookups that need it.
   */
  prepare(): void {
    if (this.allowed.size > 0) this.entraToken().catch(() => undefined);
    for (const host of this.allowed) if (isAcrLoginServer(host.replace(/:\d+$/, ''))) this.refreshToken(host).catch(() => undefined);
  }

  /** Forgets `repository`'s token after the registry refused it, so the next call gets a new one. */
  invalidate(registry: string, repository: string): void {
    const host = registry.toLowerCase();
    const state = this.state(host);
    state.scopes.delete(repository);
    if (state.identity) processTokensOf(host, state.identity).scopes.delete(repository);
  }

  /** The pipeline policy: the repository's token on every data request. */
  policy(): PipelinePolicy {
    return {
      name: 'acrAksSyncRepositoryToken',
      sendRequest: async (request, next) => {
        const url = new URL(request.url);
        const repository = repositoryOfPath(url.pathname);
        if (repository === undefined) return next(request);
        const host = this.checkHost(url.host);
        const authorize = async (): Promise<PipelineResponse> => {
          request.headers.set('Authorization', `Bearer ${await this.accessToken(host, repository)}`);
          return next(request);
        };
        let response = await authorize();
        if (response.status === 401) {
          // Expired or revoked early, or issued without this repository: one fresh token, once.
          this.invalidate(host, repository);
          response = await authorize();
        }
        // Still refused: let the 401 surface as it is. Without the challenge header the SDK does
        // not start its own (anonymous) token flow, which could only fail the same way.
        if (response.status === 401) response.headers.delete('WWW-Authenticate');
        return response;
      },
    };
  }

  private checkHost(registry: string): string {
    const host = registry.toLowerCase();
    if (!this.allowed.has(host)) throw new Error(`refusing to send a credential to ${host}: it is not in REGISTRIES`);
    return host;
  }

  private state(host: string): RegistryState {
    let state = this.states.get(host);
    if (!state) {
      state = { scopes: new Map(), pending: new Map(), flushScheduled: false };
      this.states.set(host, state);
    }
    return state;
  }

  private renew(host: string, repository: string, stale: Promise<Expiring>): Promise<string> {
    const state = this.state(host);
    if (state.scopes.get(repository) === stale) state.scopes.delete(repository);
    return this.accessToken(host, repository);
  }

  private enqueue(host: string, repository: string): Promise<string> {
    const state = this.state(host);
    let entry = state.pending.get(repository);
    if (!entry) {
      entry = deferred();
      state.pending.set(repository, entry);
      const settled = entry.promise.then(
        (token): Expiring => ({ token, expiresOnMs: jwtExpiry(token) ?? this.now() + FALLBACK_ACCESS_LIFETIME_MS }),
      );
      settled.catch(() => {
        // A failed token is not cached: the next request for the repository tries again.
        if (state.scopes.get(repository) === settled) state.scopes.delete(repository);
      });
      state.scopes.set(repository, settled);
    }
    if (!state.flushScheduled) {
      state.flushScheduled = true;
      setImmediate(() => void this.flush(host));
    }
    return entry.promise;
  }

  /** Sends the token requests for every repository announced since the last flush. */
  private async flush(host: string): Promise<void> {
    const state = this.state(host);
    state.flushScheduled = false;
    const batch = [...state.pending];
    state.pending.clear();
    let kept: ProcessTokens;
    try {
      kept = processTokensOf(host, await this.identity(host));
    } catch (error) {
      for (const [, entry] of batch) entry.reject(error);
      return;
    }
    // Repositories an earlier scan of this process already holds a token for need no request.
    const missing = batch.filter(([repository, entry]) => {
      const token = kept.scopes.get(repository);
      if (!isFresh(token, this.now())) return true;
      entry.resolve(token.token);
      return false;
    });
    const chunks: Array<Array<[string, Deferred]>> = [];
    for (let i = 0; i < missing.length; i += MAX_SCOPES_PER_TOKEN) chunks.push(missing.slice(i, i + MAX_SCOPES_PER_TOKEN));
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const token = await this.requestAccessToken(
            host,
            chunk.map(([repository]) => repository),
          );
          const issued: Expiring = { token, expiresOnMs: jwtExpiry(token) ?? this.now() + FALLBACK_ACCESS_LIFETIME_MS };
          for (const [repository, entry] of chunk) {
            kept.scopes.set(repository, issued);
            entry.resolve(token);
          }
        } catch (error) {
          for (const [, entry] of chunk) entry.reject(error);
        }
      }),
    );
    if (kept.scopes.size > 1024) for (const [repository, token] of kept.scopes) if (!isFresh(token, this.now())) kept.scopes.delete(repository);
  }

  /** The identity this provider's tokens are for (from its Entra token), remembered per registry. */
  private async identity(host: string): Promise<string> {
    const state = this.state(host);
    state.identity ??= identityOf(await this.entraToken());
    return state.identity;
  }

  private requestAccessToken(host: string, repositories: string[]): Promise<string> {
    const budget = this.endpoints.budget(`access token request to ACR ${host}`);
    return budget.run(() => this.accessTokenWithin(budget, host, repositories));
  }

  private async accessTokenWithin(budget: OperationBudget, host: string, repositories: string[]): Promise<string> {
    const send = async (): Promise<string> => {
      const refresh = await this.refreshToken(host);
      const form = new URLSearchParams({ grant_type: 'refresh_token', service: host, refresh_token: refresh.token });
      for (const repository of repositories) form.append('scope', `repository:${repository}:metadata_read`);
      const body = await this.endpoints.post(budget, host, '/oauth2/token', form);
      const token = (body as { access_token?: unknown }).access_token;
      if (typeof token !== 'string' || !token) throw new Error(`ACR ${host} returned no access token`);
      this.options.logger.debug('acr access token', { registry: host, repositories: repositories.length });
      return token;
    };
    try {
      return await send();
    } catch (error) {
      // A refresh token the registry no longer accepts (revoked, or the registry restarted):
      // exchange again, once.
      if (error instanceof RestError && error.statusCode === 401 && error.request?.url.endsWith('/oauth2/token')) {
        const state = this.state(host);
        state.refresh = undefined;
        if (state.identity) processTokensOf(host, state.identity).refresh = undefined;
        return send();
      }
      throw error;
    }
  }

  /** The registry's refresh token: one `/oauth2/exchange` per registry for the token's lifetime. */
  private refreshToken(host: string): Promise<Expiring> {
    const state = this.state(host);
    const current = state.refresh;
    if (current) {
      return current.then((t) => {
        if (isFresh(t, this.now())) return t;
        if (state.refresh === current) state.refresh = undefined;
        return this.refreshToken(host);
      });
    }
    const budget = this.endpoints.budget(`token exchange with ACR ${host}`);
    const next = budget.run(async (): Promise<Expiring> => {
      const entra = await this.entraToken();
      const kept = processTokensOf(host, await this.identity(host));
      if (isFresh(kept.refresh, this.now())) return kept.refresh;
      const form = new URLSearchParams({ grant_type: 'access_token', service: host, access_token: entra });
      const body = await this.endpoints.post(budget, host, '/oauth2/exchange', form);
      const token = (body as { refresh_token?: unknown }).refresh_token;
      if (typeof token !== 'string' || !token) throw new Error(`ACR ${host} returned no refresh token`);
      const expiresOnMs = jwtExpiry(token);
      if (expiresOnMs === undefined) throw new Error(`ACR ${host} returned a refresh token without an expiry`);
      this.options.logger.debug('acr refresh token', { registry: host });
      kept.refresh = { token, expiresOnMs };
      return kept.refresh;
    });
    state.refresh = next;
    next.catch((error: unknown) => {
      // Refused (no AcrPull): remembered for this provider's life, every lookup of the registry
      // fails the same way. Anything else may pass: the next request tries again.
      const refused = error instanceof RestError && (error.statusCode === 401 || error.statusCode === 403);
      if (!refused && state.refresh === next) state.refresh = undefined;
    });
    return next;
  }

  /** The identity's Entra token for ACR; a scan waits for it no longer than for a token request. */
  private async entraToken(): Promise<string> {
    const token = await this.endpoints.budget("identity's token request for Azure Container Registry", 'the identity endpoint did not answer').run(() => this.credential.getToken(this.entraScope));
    if (!token) throw new Error('the identity returned no token for Azure Container Registry');
    return token.token;
  }
}
