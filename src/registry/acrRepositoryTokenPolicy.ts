/**
 * The pipeline policy that puts the repository's ACR access token on every data request, so no
 * request meets a challenge. It sits in the tag-page pipeline and, as an `additionalPolicies`
 * entry, in the SDK client that reads manifests, after the retry policies (the SDK's `perRetry`
 * position) so that a redirected request gets its token again.
 */
import type { PipelinePolicy, PipelineResponse } from '@azure/core-rest-pipeline';

export const acrRepositoryTokenPolicyName = 'acrAksSyncRepositoryToken';

/** Where the policy gets its tokens (AcrTokenProvider). */
export interface RepositoryTokenSource {
  /** An access token that may read `repository`; throws for a registry outside REGISTRIES. */
  accessToken(registry: string, repository: string): Promise<string>;
  /** Forgets `repository`'s token after the registry refused it. */
  invalidate(registry: string, repository: string): void;
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

/** Authorises each request about a repository with `tokens`; other requests (the token endpoints) pass as they are. */
export function acrRepositoryTokenPolicy(tokens: RepositoryTokenSource): PipelinePolicy {
  return {
    name: acrRepositoryTokenPolicyName,
    async sendRequest(request, next) {
      const url = new URL(request.url);
      const repository = repositoryOfPath(url.pathname);
      if (repository === undefined) return next(request);
      const authorize = async (): Promise<PipelineResponse> => {
        // Throws for a host outside REGISTRIES before anything is sent.
        request.headers.set('Authorization', `Bearer ${await tokens.accessToken(url.host, repository)}`);
        return next(request);
      };
      let response = await authorize();
      if (response.status === 401) {
        // Expired or revoked early, or issued without this repository: one fresh token, once.
        tokens.invalidate(url.host, repository);
        response = await authorize();
      }
      // Still refused: let the 401 surface as it is. Without the challenge header the SDK does
      // not start its own (anonymous) token flow, which could only fail the same way.
      if (response.status === 401) response.headers.delete('WWW-Authenticate');
      return response;
    },
  };
}
