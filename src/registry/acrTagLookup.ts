/**
 * Registry lookup: for each (registry, repository) the newest tag matching TAG_PATTERN, found
 * by walking tags newest-first and stopping at the first match (acrTagPages.ts), and the
 * platform manifests of a multi-arch tag through `@azure/container-registry`. Answers are
 * cached for the life of this object (one scan run, shared by every cluster in it), so no
 * repository is looked up twice.
 *
 * Every data request carries the repository-scoped access tokens of an `AcrTokenProvider`
 * (acrTokenProvider.ts explains why), attached by acrRepositoryTokenPolicy.ts; the SDK client is
 * anonymous. A lookup announces its repository to the provider the moment it is asked for, so
 * all repositories one pod page reveals share one token request.
 *
 * Nothing here waits without end: every request is bounded in time and size
 * (boundedResponsePolicy.ts), tried again only a few times within the lookup's deadline
 * (registryRetries.ts), and every lookup or manifest read has LOOKUP_DEADLINE_MS from its first
 * request and ends when the scan run does (`signal`). Whatever goes wrong, the answer is a
 * result (`error` with a reason a person can act on), never a rejection or a hang.
 */
import { ContainerRegistryClient } from '@azure/container-registry';
import type { TokenCredential } from '@azure/identity';
import { createDefaultHttpClient, createPipelineFromOptions, isRestError, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';
import type { Logger } from '../log/logger.js';
import { systemClock, type Clock } from '../model/clock.js';
import { shortDigest } from '../model/digest.js';
import type { PlatformManifestsResult, RegistryLookupResult } from '../model/registry.js';
import type { ScanObserver } from '../model/scanObserver.js';
import { fetchTagPage, newestTagMatching, type ReadTagPage } from './acrTagPages.js';
import { acrRepositoryTokenPolicy } from './acrRepositoryTokenPolicy.js';
import { AcrTokenProvider, DEFAULT_ACR_AUDIENCE } from './acrTokenProvider.js';
import { boundedResponsePolicy, MAX_BODY_BYTES } from './boundedResponsePolicy.js';
import { describeError } from './describeError.js';
import { OperationBudget, registryTimeouts, type RegistryTimeouts } from './operationBudget.js';
import { RegistryPauses } from './registryPauses.js';
import { withRetries } from './registryRetries.js';
import { RequestSlots, type HeldSlot } from './requestSlots.js';
import type { TagLookup } from './tagLookup.js';

/**
 * Tags asked for per page (`n`): all the tags a lookup may examine (ACR_MAX_RESULTS), up to
 * ACR's largest page (1000), so every lookup is one request, the fewest possible
 * (docs/performance.md, Tag pages).
 */
export const TAG_PAGE_SIZE = 1000;

/** `n` for a lookup that examines at most `maxResults` tags. */
export function tagPageSize(maxResults: number): number {
  return Math.min(maxResults, TAG_PAGE_SIZE);
}

export interface RegistryTagLookupOptions {
  credential: TokenCredential;
  /** Login servers from REGISTRIES: the only hosts that ever receive a credential. */
  registries: readonly string[];
  matchesTagPattern: (tag: string) => boolean;
  maxResults: number;
  /** Lookups reading a registry at once (ACR_CONCURRENCY); one waiting to try again gives its slot back. */
  concurrency: number;
  logger: Logger;
  /** Entra audience of ACR (default the public cloud's). */
  audience?: string;
  /** Aborted when the scan run ends: every request of this lookup still in flight is cancelled. */
  signal?: AbortSignal;
  /** Time limits (default the constants of operationBudget.ts); tests shorten them. */
  timeouts?: Partial<RegistryTimeouts>;
  /** The clock tokens expire and deadlines end on (default the system's). */
  now?: Clock;
  /** Told of each repository's answer and each throttled answer (metrics, the CLI's progress). */
  observer?: ScanObserver;
}

export class RegistryTagLookup implements TagLookup {
  private readonly clients = new Map<string, ContainerRegistryClient>();
  private readonly newestTags = new Map<string, Promise<RegistryLookupResult>>();
  private readonly platformDigests = new Map<string, Promise<PlatformManifestsResult>>();
  /** ACR_CONCURRENCY: a lookup holds a slot from its first request to its answer, except while it waits. */
  private readonly slots: RequestSlots;
  private readonly tokens: AcrTokenProvider;
  /** Retry-After pauses per registry, for token and data requests alike. */
  private readonly pauses: RegistryPauses;
  /** One connection pool for token, tag and manifest requests. */
  private readonly httpClient: HttpClient = createDefaultHttpClient();
  /** Tag pages (acrTagPages.ts): the provider's token and the response bounds on each request. */
  private readonly tagPipeline: Pipeline;
  private readonly timeouts: RegistryTimeouts;
  private readonly now: Clock;

  constructor(private readonly options: RegistryTagLookupOptions) {
    this.now = options.now ?? systemClock;
    this.pauses = new RegistryPauses(this.now, (host) => options.observer?.registryThrottled?.(host));
    this.slots = new RequestSlots(options.concurrency);
    this.timeouts = registryTimeouts(options.timeouts);
    this.tokens = new AcrTokenProvider({
      credential: options.credential,
      registries: options.registries,
      audience: options.audience ?? DEFAULT_ACR_AUDIENCE,
      logger: options.logger,
      httpClient: this.httpClient,
      pauses: this.pauses,
      ...(options.signal ? { signal: options.signal } : {}),
      timeouts: this.timeouts,
      now: this.now,
    });
    // Retries are withRetries's, bounded by the lookup's deadline, not the pipeline's.
    this.tagPipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 } });
    // After the retry policies, as the SDK's `perRetry` position: a redirected request gets its token again.
    this.tagPipeline.addPolicy(acrRepositoryTokenPolicy(this.tokens), { afterPhase: 'Retry' });
    this.tagPipeline.addPolicy(boundedResponsePolicy({ maxBodyBytes: MAX_BODY_BYTES.tagPage, timeoutMs: this.timeouts.requestMs }), { afterPhase: 'Sign' });
  }

  /** Gets what needs no repository before any is known (see AcrTokenProvider.prepare). */
  prepare(): void {
    this.tokens.prepare();
  }

  /** Number of distinct repositories looked up so far. */
  get repositoriesLookedUp(): number {
    return this.newestTags.size;
  }

  newestMatchingTag(registry: string, repository: string): Promise<RegistryLookupResult> {
    const key = `${registry}/${repository}`;
    let answer = this.newestTags.get(key);
    if (!answer) {
      const budget = new OperationBudget(`lookup of ${registry}/${repository}`, this.timeouts.lookupMs, this.options.signal, this.now);
      answer = this.whenAuthorised(registry, repository)
        .then(() => budget.run(() => this.slots.hold((slot) => this.walkTags(registry, repository, budget, slot))))
        .catch((error: unknown): RegistryLookupResult => this.failed('registry lookup failed', budget, registry, repository, error))
        .then((result) => {
          this.options.observer?.registryLookupDone?.(registry.toLowerCase(), result.kind);
          return result;
        });
      this.newestTags.set(key, answer);
    }
    return answer;
  }

  /**
   * The platform-specific manifests a multi-arch index references. Nodes report the digest
   * they pulled, which for some runtimes is the platform manifest, not the tag's index.
   */
  platformManifests(registry: string, repository: string, indexDigest: string): Promise<PlatformManifestsResult> {
    const key = `${registry}/${repository}@${indexDigest}`;
    let answer = this.platformDigests.get(key);
    if (!answer) {
      const budget = new OperationBudget(`manifest read of ${registry}/${repository}@${shortDigest(indexDigest)}`, this.timeouts.lookupMs, this.options.signal, this.now);
      const scope = { host: registry.toLowerCase(), what: `manifest ${shortDigest(indexDigest)} of ${repository}`, budget, pauses: this.pauses };
      const read = (slot: HeldSlot) => withRetries({ ...scope, slot }, (abortSignal) => this.client(registry).getArtifact(repository, indexDigest).getManifestProperties({ abortSignal }));
      answer = this.whenAuthorised(registry, repository)
        .then(() => budget.run(() => this.slots.hold(read)))
        .then(
          (manifest): PlatformManifestsResult => ({ kind: 'ok', digests: manifest.relatedArtifacts.map((a) => a.digest).filter((d): d is string => Boolean(d)) }),
          (error: unknown): PlatformManifestsResult => this.failed('manifest read failed', budget, registry, repository, error),
        );
      this.platformDigests.set(key, answer);
    }
    return answer;
  }

  /**
   * Resolves once the repository's access token is there. The token is asked for at once,
   * together with every other repository asked for in this tick (one pod page's worth), and a
   * lookup takes one of the ACR_CONCURRENCY slots only when it can use it: a slot never waits
   * for a token. Token requests have their own deadline (acrTokenProvider.ts).
   */
  private async whenAuthorised(registry: string, repository: string): Promise<void> {
    await this.tokens.accessToken(registry, repository); // throws at once for a host not in REGISTRIES
  }

  /** The answer of an operation that failed, logged as `event` with its reason. */
  private failed(event: string, budget: OperationBudget, registry: string, repository: string, error: unknown): { kind: 'error'; reason: string } {
    budget.finish(); // also when the token never came and the work never ran
    // The budget's own reasons already say which operation and why.
    const reason = error === budget.reason ? budget.reason.message : `${budget.label} failed: ${describeError(error)}`;
    this.options.logger.warn(event, { registry, repository, reason });
    return { kind: 'error', reason };
  }

  private client(registry: string): ContainerRegistryClient {
    // Only hosts the token provider accepted (REGISTRIES) get here: it authorises every lookup
    // before it starts.
    const host = registry.toLowerCase();
    let client = this.clients.get(host);
    if (!client) {
      // Anonymous client: the provider's policy authorises each data request, and the response
      // bounds come after it (both perRetry, in this order). Retries are withRetries's.
      client = new ContainerRegistryClient(`https://${host}`, {
        audience: this.options.audience ?? DEFAULT_ACR_AUDIENCE,
        retryOptions: { maxRetries: 0 },
        httpClient: this.httpClient,
        additionalPolicies: [
          { policy: acrRepositoryTokenPolicy(this.tokens), position: 'perRetry' },
          { policy: boundedResponsePolicy({ maxBodyBytes: MAX_BODY_BYTES.manifest, timeoutMs: this.timeouts.requestMs }), position: 'perRetry' },
        ],
      });
      this.clients.set(host, client);
    }
    return client;
  }

  private async walkTags(registry: string, repository: string, budget: OperationBudget, slot: HeldSlot): Promise<RegistryLookupResult> {
    const { maxResults, matchesTagPattern, logger } = this.options;
    const host = registry.toLowerCase();
    const source = { pipeline: this.tagPipeline, httpClient: this.httpClient };
    const readPage: ReadTagPage = (url, page) =>
      withRetries({ host, what: `tag page ${page} of ${repository}`, budget, pauses: this.pauses, slot }, (signal) => fetchTagPage(source, url, signal, host, repository));
    const started = this.now();
    try {
      const walk = await newestTagMatching(readPage, host, repository, { pageSize: tagPageSize(maxResults), maxResults, matches: matchesTagPattern });
      if (!walk.newest) return { kind: 'no-match', examined: walk.examined };
      logger.debug('newest matching tag', { registry, repository, tag: walk.newest.name, examined: walk.examined, ms: this.now() - started });
      return { kind: 'found', newest: walk.newest, examined: walk.examined };
    } catch (error) {
      if (isRestError(error) && error.statusCode === 404) return { kind: 'unknown-repository' };
      throw error;
    }
  }
}
