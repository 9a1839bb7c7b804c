/**
 * The one cache of ACR tokens: per registry and identity, the refresh token and the access
 * token of each repository, kept for the life of the process. The scans of a warm instance
 * (the timer every few minutes; with SCAN_FANOUT=queue, one scan per cluster) so reuse them
 * for as long as ACR lets them live: one exchange per registry per refresh token lifetime
 * (3 hours), one token request per repository per access token lifetime (75 minutes).
 *
 * It holds tokens, not requests: requests in flight belong to the scan that sent them (its
 * deadline and its run's signal), so one scan's end never cancels another's token.
 */
import { jwtExpiry } from './jwtClaims.js';

/** Renew a token this long before it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
/** Lifetime assumed for an access token whose expiry cannot be read. */
const FALLBACK_ACCESS_LIFETIME_MS = 10 * 60_000;
/** Above this many access tokens for one registry, the expired ones are dropped. */
const PRUNE_ABOVE = 1024;

export interface CachedToken {
  token: string;
  expiresOnMs: number;
}

/** True when `token` is there and still usable at `nowMs`, with the margin to spare. */
export function isFresh(token: CachedToken | undefined, nowMs: number): token is CachedToken {
  return token !== undefined && token.expiresOnMs - EXPIRY_MARGIN_MS > nowMs;
}

/** The tokens of one identity for one registry. */
export class RegistryTokens {
  private refresh: CachedToken | undefined;
  private readonly access = new Map<string, CachedToken>();

  /** The refresh token, while it is fresh at `nowMs`. */
  refreshToken(nowMs: number): CachedToken | undefined {
    return isFresh(this.refresh, nowMs) ? this.refresh : undefined;
  }

  keepRefreshToken(token: CachedToken): void {
    this.refresh = token;
  }

  /** Forgets the refresh token (the registry no longer accepts it). */
  forgetRefreshToken(): void {
    this.refresh = undefined;
  }

  /** `repository`'s access token, while it is fresh at `nowMs`. */
  accessToken(repository: string, nowMs: number): string | undefined {
    const kept = this.access.get(repository);
    return isFresh(kept, nowMs) ? kept.token : undefined;
  }

  /** Keeps `token` as the access token of every one of `repositories` (issued at `nowMs`). */
  keepAccessToken(repositories: readonly string[], token: string, nowMs: number): void {
    const issued: CachedToken = { token, expiresOnMs: jwtExpiry(token) ?? nowMs + FALLBACK_ACCESS_LIFETIME_MS };
    for (const repository of repositories) this.access.set(repository, issued);
    if (this.access.size > PRUNE_ABOVE) for (const [name, kept] of this.access) if (!isFresh(kept, nowMs)) this.access.delete(name);
  }

  /** Forgets `repository`'s access token (the registry refused it). */
  forgetAccessToken(repository: string): void {
    this.access.delete(repository);
  }
}

/** Registry and identity -> their tokens. */
export class AcrTokenCache {
  private readonly registries = new Map<string, RegistryTokens>();

  /** The tokens `identity` holds for `host` (an empty set at first). */
  of(host: string, identity: string): RegistryTokens {
    const key = `${host}\u0000${identity}`;
    let tokens = this.registries.get(key);
    if (!tokens) {
      tokens = new RegistryTokens();
      this.registries.set(key, tokens);
    }
    return tokens;
  }
}

/** The process's cache, shared by every token provider. */
export const processTokenCache = new AcrTokenCache();
