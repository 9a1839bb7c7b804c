/**
 * An HTTP client (for an Azure SDK's `httpClient` option) that gives each request a time limit,
 * for the clients whose own options cannot: the identity's (MSAL passes no timeout on) and the
 * Storage table and queue clients (their `timeout` settings only ask the server to give up). The
 * limit is this client's own unref'd timer, not `request.timeout`: the library's client
 * (@typespec/ts-http-runtime 0.3) leaves that timer running when a request fails or is cancelled,
 * and a pending timer keeps the process alive.
 */
import { createDefaultHttpClient, RestError, type HttpClient } from '@azure/core-rest-pipeline';

export interface TimedHttpClientOptions {
  timeoutMs: number;
  /** What did not answer, for the error (e.g. "the storage service"). */
  what: string;
  /** Another signal that ends the request (the token request it serves). */
  alsoEndedBy?: () => AbortSignal | undefined;
  /** False: a request that ran out of time fails as cancelled, which the SDKs' retry policies do not retry. Default true. */
  retryableTimeout?: boolean;
}

/**
 * Requests that end after `timeoutMs` with a RestError of code ETIMEDOUT (which the SDKs' retry
 * policies treat as a transient network error), or when the caller's or `alsoEndedBy`'s signal aborts.
 */
export function timedHttpClient({ timeoutMs, what, alsoEndedBy, retryableTimeout = true }: TimedHttpClientOptions, client: HttpClient = createDefaultHttpClient()): HttpClient {
  return {
    async sendRequest(request) {
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), timeoutMs);
      timer.unref();
      // A retry sends the same request again: its own signal is put back afterwards.
      const own = request.abortSignal;
      const signals = [own, alsoEndedBy?.(), timeout.signal].filter((s): s is AbortSignal => s instanceof AbortSignal);
      request.abortSignal = AbortSignal.any(signals);
      try {
        return await client.sendRequest(request);
      } catch (error) {
        if (retryableTimeout && timeout.signal.aborted && !signals.some((s) => s !== timeout.signal && s.aborted)) {
          throw new RestError(`${what} did not answer within ${timeoutMs / 1000}s`, { code: 'ETIMEDOUT', request });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        request.abortSignal = own;
      }
    },
  };
}
