/**
 * ACR access tokens for the registry lookups, obtained the way ACR documents it (Azure/acr
 * docs/AAD-OAuth.md) instead of through `@azure/container-registry`'s challenge policy.
 *
 * Why: the SDK's challenge policy keeps ONE access token per client while ACR's tokens are
 * scoped to repositories, so concurrent lookups were challenged on almost every request: 2.4x
 * the requests of the lower bound (docs/performance.md, ACR tokens).
 *
 * How: the identity's Entra token for ACR, fetched once for all registries, is exchanged once
 * per registry for a refresh token (acrTokenExchange.ts); the repositories of one tick share one
 * access token request (acrScopeBatch.ts); the tokens are kept for the process
 * (acrTokenCache.ts); and a pipeline policy (acrRepositoryTokenPolicy.ts) puts the repository's
 * token on each data request. Credentials only ever go to the registries in REGISTRIES
 * (credentialGate.ts).
 */
import type { HttpClient } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { sharedTokenCredential } from '../identity/sharedTokenCredential.js';
import type { Logger } from '../log/logger.js';
import { systemClock, type Clock } from '../model/clock.js';
import type { RepositoryTokenSource } from './acrRepositoryTokenPolicy.js';
import { ScopeBatch } from './acrScopeBatch.js';
import { processTokenCache, type CachedToken, type RegistryTokens } from './acrTokenCache.js';
import { AcrTokenEndpoints } from './acrTokenEndpoints.js';
import { exchangeRefreshToken, isExchangeRefused, isRefreshTokenRejected, requestAccessToken } from './acrTokenExchange.js';
import { CredentialGate } from './credentialGate.js';
import { identityOf } from './jwtClaims.js';
import { registryTimeouts, type RegistryTimeouts } from './operationBudget.js';
import { RegistryPauses } from './registryPauses.js';

/** The Entra audience of ACR in the public cloud. */
export const DEFAULT_ACR_AUDIENCE = 'https://containerregistry.azure.net';

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

/** This provider's requests to one registry (the tokens themselves are in the process cache). */
interface RegistryRequests {
  batch: ScopeBatch;
  /** The exchange on its way, or the one the registry refused: refused for this provider's life. */
  exchange?: Promise<CachedToken>;
}

export class AcrTokenProvider implements RepositoryTokenSource {
  private readonly gate: CredentialGate;
  private readonly registries = new Map<string, RegistryRequests>();
  private readonly endpoints: AcrTokenEndpoints;
  private readonly entraScope: string;
  /** The identity, asked once for every registry (the SDK asked once per client). */
  private readonly credential: TokenCredential;
  private readonly now: Clock;
  /** Whose tokens these are (from the Entra token), once known: the key to the process cache. */
  private identity: string | undefined;

  constructor(private readonly options: AcrTokenProviderOptions) {
    this.now = options.now ?? systemClock;
    this.gate = new CredentialGate(options.registries);
    this.credential = sharedTokenCredential(options.credential, this.now);
    this.entraScope = `${(options.audience ?? DEFAULT_ACR_AUDIENCE).replace(/\/+$/, '')}/.default`;
    this.endpoints = new AcrTokenEndpoints({
      timeouts: registryTimeouts(options.timeouts),
      pauses: options.pauses ?? new RegistryPauses(this.now),
      ...(options.httpClient ? { httpClient: options.httpClient } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      now: this.now,
    });
  }

  /**
   * An access token that covers reading `repository`: the one this process holds, else one
   * from the next batch (acrScopeBatch.ts). Throws at once for a host outside REGISTRIES.
   */
  accessToken(registry: string, repository: string): Promise<string> {
    const host = this.gate.check(registry);
    const held = this.knownTokens(host)?.accessToken(repository, this.now());
    return held === undefined ? this.requests(host).batch.token(repository) : Promise.resolve(held);
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
    if (!this.gate.empty) this.entraToken().catch(() => undefined);
    for (const host of this.gate.acrLoginServers()) this.refreshToken(host).catch(() => undefined);
  }

  /** Forgets `repository`'s token after the registry refused it, so the next call gets a new one. */
  invalidate(registry: string, repository: string): void {
    const host = registry.toLowerCase();
    this.requests(host).batch.forget(repository);
    this.knownTokens(host)?.forgetAccessToken(repository);
  }

  private requests(host: string): RegistryRequests {
    let requests = this.registries.get(host);
    if (!requests) {
      requests = {
        batch: new ScopeBatch({
          held: (repositories) => this.heldAccessTokens(host, repositories),
          request: (repositories) => this.newAccessToken(host, repositories),
        }),
      };
      this.registries.set(host, requests);
    }
    return requests;
  }

  /** The process's tokens for `host`, once the identity is known. */
  private knownTokens(host: string): RegistryTokens | undefined {
    return this.identity === undefined ? undefined : processTokenCache.of(host, this.identity);
  }

  /** The process's tokens for `host`, after learning the identity from its Entra token if need be. */
  private async tokensOf(host: string): Promise<RegistryTokens> {
    this.identity ??= identityOf(await this.entraToken());
    return processTokenCache.of(host, this.identity);
  }

  private async heldAccessTokens(host: string, repositories: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const tokens = await this.tokensOf(host);
    const held = new Map<string, string>();
    for (const repository of repositories) {
      const token = tokens.accessToken(repository, this.now());
      if (token !== undefined) held.set(repository, token);
    }
    return held;
  }

  /** One `/oauth2/token` request for `repositories`, its token kept for the process. */
  private newAccessToken(host: string, repositories: readonly string[]): Promise<string> {
    const budget = this.endpoints.budget(`access token request to ACR ${host}`);
    const send = async (): Promise<string> => {
      const refresh = await this.refreshToken(host);
      const token = await requestAccessToken(this.endpoints, budget, host, refresh.token, repositories);
      this.options.logger.debug('acr access token', { registry: host, repositories: repositories.length });
      (await this.tokensOf(host)).keepAccessToken(repositories, token, this.now());
      return token;
    };
    return budget.run(async () => {
      try {
        return await send();
      } catch (error) {
        if (!isRefreshTokenRejected(error)) throw error;
        // Exchange again, once.
        this.requests(host).exchange = undefined;
        this.knownTokens(host)?.forgetRefreshToken();
        return send();
      }
    });
  }

  /** The registry's refresh token: one `/oauth2/exchange` per registry for the token's lifetime. */
  private refreshToken(host: string): Promise<CachedToken> {
    const requests = this.requests(host);
    if (requests.exchange) return requests.exchange;
    const held = this.knownTokens(host)?.refreshToken(this.now());
    if (held) return Promise.resolve(held);
    const budget = this.endpoints.budget(`token exchange with ACR ${host}`);
    const exchange = budget.run(async (): Promise<CachedToken> => {
      const entra = await this.entraToken();
      const tokens = await this.tokensOf(host);
      const kept = tokens.refreshToken(this.now());
      if (kept) return kept;
      const issued = await exchangeRefreshToken(this.endpoints, budget, host, entra);
      this.options.logger.debug('acr refresh token', { registry: host });
      tokens.keepRefreshToken(issued);
      return issued;
    });
    requests.exchange = exchange;
    // Refused (no AcrPull): remembered for this provider's life, every lookup of the registry
    // fails the same way. Anything else may pass: the next request tries again.
    const settled = (error?: unknown): void => {
      if (!isExchangeRefused(error) && requests.exchange === exchange) requests.exchange = undefined;
    };
    exchange.then(() => settled(), settled);
    return exchange;
  }

  /** The identity's Entra token for ACR; a scan waits for it no longer than for a token request. */
  private async entraToken(): Promise<string> {
    const budget = this.endpoints.budget("identity's token request for Azure Container Registry", 'the identity endpoint did not answer');
    const token = await budget.run(() => this.credential.getToken(this.entraScope));
    if (!token) throw new Error('the identity returned no token for Azure Container Registry');
    return token.token;
  }
}
