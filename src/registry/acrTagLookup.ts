/**
 * Registry lookup: for each (registry, repository) the newest tag matching TAG_PATTERN, found
 * by walking tags newest-first and stopping at the first match (acrTagPages.ts), and the
 * platform manifests of a multi-arch tag through `@azure/container-registry`. Answers are
 * cached for the life of this object (one scan run, shared by every cluster in it), so no
 * repository is looked up twice.
 *
 * Every data request carries the repository-scoped access tokens of an `AcrTokenProvider`
 * (acrTokens.ts explains why), attached by the provider's pipeline policy; the SDK client is
 * anonymous. A lookup announces its repository to the provider the moment it is asked for, so
 * all repositories one pod page reveals share one token request.
 */
import { ContainerRegistryClient } from '@azure/container-registry';
import type { TokenCredential } from '@azure/identity';
import { createDefaultHttpClient, createPipelineFromOptions, isRestError, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';
import type { Logger } from '../log/logger.js';
import { createConcurrencyLimit } from '../util/concurrencyLimit.js';
import { newestTagMatching } from './acrTagPages.js';
import { AcrTokenProvider } from './acrTokens.js';
import type { RegistryLookupResult } from './types.js';

/**
 * Tags asked for per page (`n`): all the tags a lookup may examine (ACR_MAX_RESULTS), up to
 * ACR's largest page (1000), so every lookup is one request, the fewest possible. Measured with
 * `npm run bench` (400 repositories x 300 tags, releases interleaved): pages of 100 needed 648
 * tag pages and 2.6 s; pages of ACR_MAX_RESULTS, 400 and 1.9 s, with less CPU and memory.
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
  concurrency: number;
  logger: Logger;
  /** Entra audience of ACR (default the public cloud's). */
  audience?: string;
  /** Aborted when the scan run ends: every request of this lookup still in flight is cancelled. */
  signal?: AbortSignal;
}

const DEFAULT_AUDIENCE = 'https://containerregistry.azure.net';
/** Retries of a registry request (429 with Retry-After, 5xx, network errors). */
const MAX_RETRIES = 6;

export class RegistryTagLookup {
  private readonly clients = new Map<string, ContainerRegistryClient>();
  private readonly newestTags = new Map<string, Promise<RegistryLookupResult>>();
  private readonly platformDigests = new Map<string, Promise<string[]>>();
  private readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly tokens: AcrTokenProvider;
  /** One connection pool for token, tag and manifest requests. */
  private readonly httpClient: HttpClient = createDefaultHttpClient();
  /** Tag pages (acrTagPages.ts): retries, and the provider's token on each request. */
  private readonly tagPipeline: Pipeline;

  constructor(private readonly options: RegistryTagLookupOptions) {
    this.limit = createConcurrencyLimit(options.concurrency);
    this.tokens = new AcrTokenProvider({
      credential: options.credential,
      registries: options.registries,
      audience: options.audience ?? DEFAULT_AUDIENCE,
      logger: options.logger,
      httpClient: this.httpClient,
    });
    this.tagPipeline = createPipelineFromOptions({ retryOptions: { maxRetries: MAX_RETRIES } });
    // After the retry policies, as the SDK's `perRetry` position: a retried request passes the
    // registry's pause and gets its token again.
    this.tagPipeline.addPolicy(this.tokens.policy(), { afterPhase: 'Retry' });
  }

  /** Gets the registries' refresh tokens before any repository is known (see AcrTokenProvider.prepare). */
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
      answer = this.whenAuthorised(
        registry,
        repository,
        () => this.limit(() => this.walkTags(registry, repository)),
        (error) => this.failed(registry, repository, error),
      );
      this.newestTags.set(key, answer);
    }
    return answer;
  }

  /**
   * Runs `work` once the repository's access token is there. The token is asked for at once,
   * together with every other repository asked for in this tick (one pod page's worth), and a
   * lookup takes one of the ACR_CONCURRENCY slots only when it can use it: a slot never waits
   * for a token.
   */
  private whenAuthorised<T>(registry: string, repository: string, work: () => Promise<T>, failed: (error: unknown) => T): Promise<T> {
    let token: Promise<string>;
    try {
      token = this.tokens.accessToken(registry, repository);
    } catch (error) {
      return Promise.resolve(failed(error)); // not in REGISTRIES
    }
    return token.then(work, (error: unknown) => failed(error));
  }

  private failed(registry: string, repository: string, error: unknown): RegistryLookupResult {
    const reason = `lookup of ${registry}/${repository} failed: ${describeError(error)}`;
    this.options.logger.warn('registry lookup failed', { registry, repository, reason });
    return { kind: 'error', reason };
  }

  /**
   * The platform-specific manifests a multi-arch index references. Nodes report the digest
   * they pulled, which for some runtimes is the platform manifest, not the tag's index.
   * Errors yield an empty list: the caller then keeps its stricter verdict.
   */
  platformManifests(registry: string, repository: string, indexDigest: string): Promise<string[]> {
    const key = `${registry}/${repository}@${indexDigest}`;
    let answer = this.platformDigests.get(key);
    if (!answer) {
      const failed = (error: unknown): string[] => {
        this.options.logger.debug('manifest lookup failed', { registry, repository, reason: describeError(error) });
        return [];
      };
      answer = this.whenAuthorised(
        registry,
        repository,
        () =>
          this.limit(async () => {
            try {
              const manifest = await this.client(registry).getArtifact(repository, indexDigest).getManifestProperties();
              return manifest.relatedArtifacts.map((a) => a.digest).filter((d): d is string => Boolean(d));
            } catch (error) {
              return failed(error);
            }
          }),
        failed,
      );
      this.platformDigests.set(key, answer);
    }
    return answer;
  }

  private client(registry: string): ContainerRegistryClient {
    // Only hosts the token provider accepted (REGISTRIES) get here: it authorises every lookup
    // before it starts.
    const host = registry.toLowerCase();
    let client = this.clients.get(host);
    if (!client) {
      // Anonymous client: the provider's policy authorises each data request (perRetry, so a
      // request retried after a 429 passes the registry's pause again).
      client = new ContainerRegistryClient(`https://${host}`, {
        audience: this.options.audience ?? DEFAULT_AUDIENCE,
        retryOptions: { maxRetries: MAX_RETRIES },
        httpClient: this.httpClient,
        additionalPolicies: [{ policy: this.tokens.policy(), position: 'perRetry' }],
      });
      this.clients.set(host, client);
    }
    return client;
  }

  private async walkTags(registry: string, repository: string): Promise<RegistryLookupResult> {
    const { maxResults, matchesTagPattern, logger } = this.options;
    const started = Date.now();
    try {
      const walk = await newestTagMatching({ pipeline: this.tagPipeline, httpClient: this.httpClient }, registry.toLowerCase(), repository, {
        pageSize: tagPageSize(maxResults),
        maxResults,
        matches: matchesTagPattern,
      });
      if (!walk.newest) return { kind: 'no-match', examined: walk.examined };
      logger.debug('newest matching tag', { registry, repository, tag: walk.newest.name, examined: walk.examined, ms: Date.now() - started });
      return { kind: 'found', newest: walk.newest, examined: walk.examined };
    } catch (error) {
      if (isRestError(error) && error.statusCode === 404) return { kind: 'unknown-repository' };
      return this.failed(registry, repository, error);
    }
  }
}

/** A one-line reason that names the HTTP status and ACR error code, never a token. */
export function describeError(error: unknown): string {
  if (isRestError(error)) {
    const status = error.statusCode ? `HTTP ${error.statusCode}` : (error.code ?? 'request failed');
    const hint =
      error.statusCode === 401 || error.statusCode === 403
        ? ' (does the identity have AcrPull, or Container Registry Repository Reader in repository-permission mode, on this registry?)'
        : '';
    return `${status}: ${acrErrorText(error.message)}${hint}`;
  }
  return error instanceof Error ? firstLine(error.message) : String(error);
}

/** ACR answers `{"errors":[{"code","message"}]}`; the SDK puts that JSON in the message. */
function acrErrorText(message: string): string {
  try {
    const body = JSON.parse(message) as { errors?: Array<{ code?: string; message?: string }> };
    const first = body.errors?.[0];
    if (first) return [first.code, first.message].filter(Boolean).join(' ');
  } catch {
    // not JSON: use the text as it is
  }
  return firstLine(message);
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
