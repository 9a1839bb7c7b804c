/**
 * Every registry response is bounded in time and in size, by a pipeline policy that sits next
 * to the transport (innermost: under the retry, redirect and token policies, so each hop and
 * each 401 retry is bounded on its own).
 *
 * Why a policy that reads the body itself (read in @azure/core-rest-pipeline 1.24 /
 * @typespec/ts-http-runtime 0.3 `nodeHttpClient.js`): the pipeline sets `Accept-Encoding:
 * gzip,deflate` (decompressResponsePolicy), and the Node client pipes the response through
 * `zlib.createGunzip()` and buffers ALL of it into `bodyAsText`, with no limit: a 0.6 MB gzip
 * body that inflates to 600 MB is held whole in memory. Its `request.timeout` is cleared as soon
 * as the headers arrive, so a body that stalls is never timed out; and an error of the socket
 * does not reach the gunzip stream (`pipe` does not forward errors), so a compressed body cut
 * off midway can wait forever. Here the policy asks for the (decoded) stream instead
 * (`streamResponseStatusCodes`), counts its bytes as they arrive and stops at `maxBodyBytes`,
 * and its own timer covers headers and body together; either limit aborts the request, which
 * makes the client destroy the socket.
 */
import { isRestError, RestError, type PipelinePolicy, type PipelineRequest } from '@azure/core-rest-pipeline';
import type { Readable } from 'node:stream';
import { formatDuration } from '../util/duration.js';
import { REQUEST_TIMEOUT_MS } from './operationBudget.js';

/** Decoded size limits per kind of answer: far above what ACR sends, far below what hurts. */
export const MAX_BODY_BYTES = {
  /** A page of 1000 tags is ~300 KB. */
  tagPage: 16 * 1024 * 1024,
  /** An access token naming 50 repositories is ~5 KB; a refresh token ~2 KB. */
  token: 256 * 1024,
  /** Manifest attributes; an index with a few hundred platform references is well under 1 MB. */
  manifest: 4 * 1024 * 1024,
} as const;

/** A request that did not finish within REQUEST_TIMEOUT_MS (retried like a network error). */
export class RegistryTimeoutError extends Error {
  override readonly name = 'RegistryTimeoutError';
}

/** An answer larger than its limit (not retried: the registry would send the same again). */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

const EVERY_STATUS = new Set([Number.POSITIVE_INFINITY]);

export interface ResponseLimits {
  maxBodyBytes: number;
  timeoutMs?: number;
}

export const boundedResponsePolicyName = 'acrAksSyncBoundedResponse';

/** Bounds each answer by `limits`: the body read to its end within `maxBodyBytes`, headers and body within `timeoutMs`. */
export function boundedResponsePolicy(limits: ResponseLimits): PipelinePolicy {
  const timeoutMs = limits.timeoutMs ?? REQUEST_TIMEOUT_MS;
  return {
    name: boundedResponsePolicyName,
    async sendRequest(request, next) {
      // A caller that asked for a stream reads it itself.
      if (request.streamResponseStatusCodes?.size) return next(request);
      const outer = request.abortSignal;
      // One signal for the client: the caller's (the lookup's deadline, the run), this request's
      // time, and its size limit. (A listener costs less than AbortSignal.any, measured.)
      const cancel = new AbortController();
      const onOuterAbort = (): void => cancel.abort((outer as AbortSignal | undefined)?.reason);
      if (outer?.aborted) onOuterAbort();
      else outer?.addEventListener('abort', onOuterAbort, { once: true });
      const stage = { headers: false };
      const timer = setTimeout(() => cancel.abort(new RegistryTimeoutError(timeoutText(request, timeoutMs, stage.headers))), timeoutMs);
      timer.unref();
      request.abortSignal = cancel.signal;
      request.streamResponseStatusCodes = EVERY_STATUS;
      try {
        const response = await next(request);
        stage.headers = true;
        const body = response.readableStreamBody;
        if (body) {
          delete response.readableStreamBody;
          response.bodyAsText = await readBounded(body as Readable, limits.maxBodyBytes, cancel, request);
        }
        return response;
      } catch (error) {
        // The client reports any abort as a bare AbortError: name the limit that ended it.
        if (cancel.signal.aborted && !outer?.aborted) throw cancel.signal.reason;
        // The connection failed while the body arrived: a network error, tried again as such.
        if (stage.headers && !outer?.aborted && !isRestError(error)) {
          const code = (error as { code?: unknown }).code;
          throw new RestError(`${describeRequest(request)}: the answer was cut off (${(error as Error).message})`, { code: typeof code === 'string' ? code : 'RESPONSE_CUT_OFF', request });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onOuterAbort);
        request.abortSignal = outer;
        request.streamResponseStatusCodes = undefined;
      }
    },
  };
}

/** Reads `body` as UTF-8, failing as soon as it exceeds `maxBytes` or `cancel` aborts. */
function readBounded(body: Readable, maxBytes: number, cancel: AbortController, request: PipelineRequest): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: unknown): void => {
      body.off('data', onData).off('end', onEnd).off('error', finish);
      cancel.signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve(Buffer.concat(chunks, size).toString('utf8'));
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buffer.length;
      if (size <= maxBytes) {
        chunks.push(buffer);
        return;
      }
      // Abort first, while the client still listens: it then destroys the socket too.
      cancel.abort(new ResponseTooLargeError(`the answer to ${describeRequest(request)} was larger than ${formatBytes(maxBytes)} once decoded; stopped reading it`));
    };
    const onEnd = (): void => finish();
    // A stalled or cut-off gzip body never ends on its own: the abort ends the read.
    const onAbort = (): void => {
      body.destroy();
      finish(cancel.signal.reason);
    };
    if (cancel.signal.aborted) return onAbort();
    cancel.signal.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData).on('end', onEnd).on('error', finish);
  });
}

function timeoutText(request: PipelineRequest, timeoutMs: number, headersArrived: boolean): string {
  const what = describeRequest(request);
  return headersArrived
    ? `${what}: the answer began and then stalled (not complete within ${formatDuration(timeoutMs)})`
    : `${what}: no answer within ${formatDuration(timeoutMs)}`;
}

/** `GET host/path`, without the query (a `last=` cursor is noise in a reason). */
export function describeRequest(request: Pick<PipelineRequest, 'method' | 'url'>): string {
  const url = new URL(request.url);
  return `${request.method} ${url.host}${url.pathname}`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}
