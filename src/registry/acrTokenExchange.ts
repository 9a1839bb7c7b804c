/**
 * ACR's two grants (Azure/acr docs/AAD-OAuth.md): the identity's Entra token exchanged for a
 * registry's refresh token at `/oauth2/exchange`, and a refresh token for an access token
 * scoped to some repositories at `/oauth2/token`. What to ask for and when is the provider's
 * (acrTokenProvider.ts); the requests are bounded by acrTokenEndpoints.ts.
 */
import { RestError } from '@azure/core-rest-pipeline';
import type { AcrTokenEndpoints } from './acrTokenEndpoints.js';
import type { CachedToken } from './acrTokenCache.js';
import { jwtExpiry } from './jwtClaims.js';
import type { OperationBudget } from './operationBudget.js';

/** `/oauth2/exchange`: the registry's refresh token for the identity's Entra token. */
export async function exchangeRefreshToken(endpoints: AcrTokenEndpoints, budget: OperationBudget, host: string, entraToken: string): Promise<CachedToken> {
  const form = new URLSearchParams({ grant_type: 'access_token', service: host, access_token: entraToken });
  const body = await endpoints.post(budget, host, '/oauth2/exchange', form);
  const token = (body as { refresh_token?: unknown }).refresh_token;
  if (typeof token !== 'string' || !token) throw new Error(`ACR ${host} returned no refresh token`);
  const expiresOnMs = jwtExpiry(token);
  if (expiresOnMs === undefined) throw new Error(`ACR ${host} returned a refresh token without an expiry`);
  return { token, expiresOnMs };
}

/** `/oauth2/token`: one access token that may read every one of `repositories`. */
export async function requestAccessToken(endpoints: AcrTokenEndpoints, budget: OperationBudget, host: string, refreshToken: string, repositories: readonly string[]): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', service: host, refresh_token: refreshToken });
  for (const repository of repositories) form.append('scope', `repository:${repository}:metadata_read`);
  const body = await endpoints.post(budget, host, '/oauth2/token', form);
  const token = (body as { access_token?: unknown }).access_token;
  if (typeof token !== 'string' || !token) throw new Error(`ACR ${host} returned no access token`);
  return token;
}

/** The registry refused the exchange (no AcrPull): asking again will not help. */
export function isExchangeRefused(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 401 || error.statusCode === 403);
}

/** `/oauth2/token` no longer accepts the refresh token (revoked, or the registry restarted): exchange again. */
export function isRefreshTokenRejected(error: unknown): boolean {
  return error instanceof RestError && error.statusCode === 401 && error.request?.url.endsWith('/oauth2/token') === true;
}
