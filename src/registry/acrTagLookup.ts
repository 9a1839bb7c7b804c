/**
 * Registry lookup: for each (registry, repository, tag pattern) the newest matching tag, found
 * by walking tags newest-first and stopping at the first match, and the platform manifests of a
 * multi-arch tag through `@azure/container-registry`. Answers are cached for the life of this
 * object (one scan run, shared by every cluster in it), and every pattern asked of a repository
 * shares one walk over its tags (repositoryTags.ts), so no tag page is read twice.
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
import type { PlatformManifestsResult, RegistryLookupResult, TagInfo } from '../model/registry.js';
import type { ScanObserver } from '../model/scanObserver.js';
import { tagPatternMatchers, validateTagPattern } from '../images/tagPattern.js';
import { fetchTagPage, type ReadTagPage } from './acrTagPages.js';
import { acrRepositoryTokenPolicy } from './acrRepositoryTokenPolicy.js';
import { AcrTokenProvider, DEFAULT_ACR_AUDIENCE } from './acrTokenProvider.js';
import { boundedResponsePolicy, MAX_BODY_BYTES } from './boundedResponsePolicy.js';
import { describeError } from './describeError.js';
import { OperationBudget, registryTimeouts, type RegistryTimeouts } from './operationBudget.js';
import { RegistryPauses } from './registryPauses.js';
import { withRetries } from './registryRetries.js';
import { RepositoryTags, type TagReader } from './repositoryTags.js';
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
  /** The pattern of a lookup that names none (TAG_PATTERN). */
  tagPattern: string;
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
  /** Per (registry, repository, pattern). */
  private readonly newestTags = new Map<string, Promise<RegistryLookupResult>>();
  /** Per (registry, repository): the tags read so far, shared by every pattern. */
  private readonly repositories = new Map<string, RepositoryTags>();
  private readonly matcher = tagPatternMatchers();
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
    return this.repositories.size;
  }

  newestMatchingTag(registry: string, repository: string, tagPattern: string = this.options.tagPattern): Promise<RegistryLookupResult> {
    const key = `${registry}/${repository}\u0000${tagPattern}`;
    let answer = this.newestTags.get(key);
    if (!answer) {
      answer = this.lookUp(registry, repository, tagPattern).then((result) => {
        this.options.observer?.registryLookupDone?.(registry.toLowerCase(), result.kind);
        return result;
      });
      this.newestTags.set(key, answer);
    }
    return answer;
  }

  /** The newest tag matching `tagPattern`: from the tags already read when they tell (no token, no slot, no request), else by reading on. */
  private async lookUp(registry: string, repository: string, tagPattern: string): Promise<RegistryLookupResult> {
    const problem = validateTagPattern(tagPattern);
    // Patterns are checked where they are set; this one would be a bug, reported as an answer.
    if (problem) return { kind: 'error', reason: problem };
    const matches = this.matcher(tagPattern);
    const tags = this.repositoryTags(registry, repository);
    const budget = new OperationBudget(`lookup of ${registry}/${repository}`, this.timeouts.lookupMs, this.options.signal, this.now);
    try {
      const kept = tags.answerFromKept(matches);
      if (kept) {
        budget.finish();
        return this.answer(registry, repository, tagPattern, kept, this.now());
      }
      await this.whenAuthorised(registry, repository);
      return await budget.run(() => this.slots.hold((slot) => this.walkTags(registry, repository, tagPattern, tags, matches, budget, slot)));
    } catch (error) {
      return this.failed('registry lookup failed', budget, registry, repository, error);
    }
  }

  private repositoryTags(registry: string, repository: string): RepositoryTags {
    const key = `${registry}/${repository}`;
    let tags = this.repositories.get(key);
    if (!tags) {
      const { maxResults } = this.options;
      this.repositories.set(key, (tags = new RepositoryTags(registry.toLowerCase(), repository, { pageSize: tagPageSize(maxResults), maxResults })));
    }
    return tags;
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

  private async walkTags(
    registry: string,
    repository: string,
    tagPattern: string,
    tags: RepositoryTags,
    matches: (tag: string) => boolean,
    budget: OperationBudget,
    slot: HeldSlot,
  ): Promise<RegistryLookupResult> {
    const host = registry.toLowerCase();
    const source = { pipeline: this.tagPipeline, httpClient: this.httpClient };
    const readPage: ReadTagPage = (url, page) =>
      withRetries({ host, what: `tag page ${page} of ${repository}`, budget, pauses: this.pauses, slot }, (signal) => fetchTagPage(source, url, signal, host, repository));
    const reader: TagReader = { readPage, cutShort: () => budget.signal.aborted, wait: (reading) => slot.without(() => reading) };
    const started = this.now();
    try {
      return this.answer(registry, repository, tagPattern, await tags.newest(matches, reader), started);
    } catch (error) {
      if (isRestError(error) && error.statusCode === 404) return { kind: 'unknown-repository' };
      throw error;
    }
  }

  private answer(registry: string, repository: string, tagPattern: string, walk: { newest?: TagInfo; examined: number }, started: number): RegistryLookupResult {
    if (!walk.newest) return { kind: 'no-match', examined: walk.examined };
    this.options.logger.debug('newest matching tag', { registry, repository, tag: walk.newest.name, examined: walk.examined, ms: this.now() - started, pattern: tagPattern });
    return { kind: 'found', newest: walk.newest, examined: walk.examined };
  }
}
