/**
 * Bounds on the identity's own HTTP requests (the managed-identity endpoint, or Entra ID):
 * each has a timeout, and each is cancelled when the token request it serves is cancelled
 * (`GetTokenOptions.abortSignal`).
 *
 * Why here and not through `GetTokenOptions`: `@azure/identity`'s managed-identity credential
 * (4.13) asks MSAL for the token, and MSAL calls the endpoint through the library's HTTP
 * pipeline without the caller's `abortSignal` or `requestOptions.timeout`. A hung endpoint
 * kept the request, and the CLI process, alive after the scan had given up on it. The
 * credential's `httpClient` option is the one hook every one of its requests passes through,
 * and the token request's signal reaches it through the async context of the call. The signal
 * is not tied to a client instance, because MSAL keeps the network client of the process's
 * first managed-identity credential for every later one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { GetTokenOptions, TokenCredential } from '@azure/identity';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { timedHttpClient } from '../util/timedHttpClient.js';

/** How long one HTTP request to the identity may take, its answer included. */
export const IDENTITY_REQUEST_TIMEOUT_MS = 20_000;

/** The signal of the token request being served, for the HTTP requests made on its behalf. */
const tokenRequestSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * An HTTP client for the identity's requests: a timeout on each, cancelled with the token request
 * it serves. A request out of time is not retried: the shared token request has its own budget.
 */
export function identityHttpClient(): HttpClient {
  return timedHttpClient({ timeoutMs: IDENTITY_REQUEST_TIMEOUT_MS, what: 'the identity', alsoEndedBy: () => tokenRequestSignal.getStore(), retryableTimeout: false });
}

/** Token requests running in `tokenRequestSignal`'s context, in the whole process. */
let tokenRequestsInContext = 0;

/**
 * Runs each token request of `credential` in the context that lets `identityHttpClient` see its
 * abort signal. The context is switched off whenever no token request runs: while it is on,
 * Node tracks every promise of the process for it, a measurable share of a scan's CPU
 * (docs/performance.md, Identity), and token requests are few, mostly at a scan's start.
 */
export function cancellableTokenRequests(credential: TokenCredential): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions) {
      const signal = options?.abortSignal;
      if (!(signal instanceof AbortSignal)) return credential.getToken(scopes, options);
      tokenRequestsInContext += 1;
      try {
        return await tokenRequestSignal.run(signal, () => credential.getToken(scopes, options));
      } finally {
        tokenRequestsInContext -= 1;
        if (tokenRequestsInContext === 0) tokenRequestSignal.disable();
      }
    },
  };
}

/** Every token request of `credential` also ends when `lifetime` aborts (the CLI's, or a function invocation's). */
export function tokenRequestsWithin(credential: TokenCredential, lifetime: AbortSignal): TokenCredential {
  return {
    getToken(scopes: string | string[], options: GetTokenOptions = {}) {
      const own = options.abortSignal;
      const abortSignal = own instanceof AbortSignal ? AbortSignal.any([own, lifetime]) : lifetime;
      return credential.getToken(scopes, { ...options, abortSignal });
    },
  };
}
