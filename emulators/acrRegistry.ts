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
 * The parts, in acr/: the tags and manifests served (repositories.ts), the tokens (tokens.ts,
 * tokenRoutes.ts), the data endpoints (dataRoutes.ts), the read gate (readGate.ts), injected
 * faults (faultAnswers.ts) and the routing between them (router.ts).
 */
import type { AcrContext, AcrRequestKind } from './acr/context.js';
import { ReadGate } from './acr/readGate.js';
import { RepositoryState, type AcrManifestSeed, type AcrTagSeed } from './acr/repositories.js';
import { handleAcrRequest } from './acr/router.js';
import { AcrTokenIssuer } from './acr/tokens.js';
import { eventGridQueueWriter, imagePushedEvent, type EventGridDelivery, type ImagePushedEvent } from './acr/eventGrid.js';
import { FaultRules, type AcrFault, type AcrFaultTarget } from './acrFaults.js';
import { startHttpsServer, type RequestLogEntry, type ServerPki } from './httpUtil.js';

export type { AcrRequestKind } from './acr/context.js';
export type { AcrManifestReference, AcrManifestSeed, AcrTagSeed } from './acr/repositories.js';
export type { EventGridDelivery, ImagePushedEvent } from './acr/eventGrid.js';

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
  /** Where `pushTag` delivers ImagePushed events, as an Event Grid subscription to a Storage queue does (acr/eventGrid.ts). */
  eventGrid?: EventGridDelivery;
}

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
  /**
   * A push: adds or moves the tag (updated now unless `lastUpdateTime` says otherwise) and, with
   * `eventGrid`, writes the ImagePushed event to its queue once the tag is served; resolves with the event.
   */
  pushTag(repo: string, tag: Omit<AcrTagSeed, 'lastUpdateTime'> & { lastUpdateTime?: string }): Promise<ImagePushedEvent>;
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

const NO_REQUESTS: Record<AcrRequestKind, number> = { challenge: 0, exchange: 0, token: 0, 'tags-page': 0, tag: 0, manifest: 0, throttled: 0, failed: 0, unknown: 0 };

function createContext(options: AcrRegistryOptions): AcrContext {
  const repos = new Map<string, RepositoryState>();
  for (const [name, tags] of Object.entries(options.repositories)) repos.set(name, new RepositoryState(tags));
  const ctx: AcrContext = {
    loginServer: '',
    requests: [],
    repos,
    manifests: new Map(Object.entries(options.manifests ?? {})),
    faults: new FaultRules(),
    tokens: new AcrTokenIssuer(() => ctx.loginServer, {
      accessSeconds: options.accessTokenLifetimeSeconds ?? 4500,
      refreshSeconds: options.refreshTokenLifetimeSeconds ?? 10800,
    }),
    reads: new ReadGate(options.readRateLimit),
    validateEntraToken: options.validateEntraToken,
  };
  return ctx;
}

export async function startAcrRegistry(options: AcrRegistryOptions): Promise<AcrRegistryEmulator> {
  const ctx = createContext(options);
  const server = await startHttpsServer(options.pki, (req, res) => handleAcrRequest(ctx, req, res), options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs });
  ctx.loginServer = `${options.host ?? '127.0.0.1'}:${server.port}`;
  const { repos, faults } = ctx;
  const deliver = options.eventGrid ? eventGridQueueWriter(options.eventGrid) : undefined;
  const addTag = (repo: string, tag: AcrTagSeed): void => {
    const state = repos.get(repo);
    if (state) state.put(tag);
    else repos.set(repo, new RepositoryState([tag]));
  };
  return {
    loginServer: ctx.loginServer,
    endpoint: `https://${ctx.loginServer}`,
    requests: ctx.requests,
    setTags: (repo, tags) => void repos.set(repo, new RepositoryState(tags)),
    addTag,
    async pushTag(repo, tag) {
      const lastUpdateTime = tag.lastUpdateTime ?? new Date().toISOString();
      addTag(repo, { ...tag, lastUpdateTime });
      const topic = options.eventGrid?.registryResourceId;
      const event = imagePushedEvent({ loginServer: ctx.loginServer, repository: repo, tag: tag.name, digest: tag.digest, pushedAt: lastUpdateTime, ...(topic ? { topic } : {}) });
      await deliver?.(event);
      return event;
    },
    deleteRepository: (repo) => void repos.delete(repo),
    setManifest: (digest, manifest) => void ctx.manifests.set(digest, manifest),
    throttleNext: (count, retryAfterSeconds) => ctx.reads.throttleNext(count, retryAfterSeconds),
    failNext: (count, status) => ctx.reads.failNext(count, status),
    injectFault: (target, fault, faultOptions) => faults.add(target, fault, faultOptions),
    clearFaults: () => faults.clear(),
    get inflatedBytesGenerated() {
      return faults.inflatedBytesGenerated;
    },
    stats() {
      const counts = { ...NO_REQUESTS };
      for (const r of ctx.requests) counts[r.kind as AcrRequestKind] += 1;
      return counts;
    },
    close: () => server.close(),
  };
}
