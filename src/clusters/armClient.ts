/**
 * The ARM client for AKS clusters (`@azure/arm-containerservice`), held to two rules whatever
 * ARM answers: the ARM token goes only to the ARM origin (ARM_ENDPOINT), and every request has
 * a timeout and can be cancelled.
 *
 * The SDK follows a list's `nextLink` as given, to any host, and sends those page requests
 * without the caller's `abortSignal`; pipeline policies see every request, so the rules sit
 * there.
 */
import { ContainerServiceClient } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/identity';
import { isRestError, RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { Config } from '../config/config.js';
import { formatDuration } from '../util/duration.js';
import { clip } from '../util/text.js';

/** How long one ARM request may take until its answer's headers arrive. */
export const ARM_REQUEST_TIMEOUT_MS = 30_000;

/**
 * The SDK asks for the public cloud's ARM scope whatever the endpoint; sovereign clouds (and
 * the emulator) need the scope of their own ARM host.
 */
export function armScope(armEndpoint: string): string {
  return `${new URL(armEndpoint).origin}/.default`;
}

export interface ArmClientOptions {
  /** Cancels every request of this client, the pages of a list included (discovery's budget). */
  signal?: AbortSignal;
}

/** An ARM client for one subscription, at ARM_ENDPOINT with that cloud's scope. */
export function createArmClient(config: Pick<Config, 'armEndpoint'>, credential: TokenCredential, subscriptionId: string, options: ArmClientOptions = {}): ContainerServiceClient {
  const client = new ContainerServiceClient(credential, subscriptionId, { endpoint: config.armEndpoint, credentials: { scopes: [armScope(config.armEndpoint)] } });
  // Before the bearer token policy, so that the token request is cancelled with the request.
  if (options.signal) client.pipeline.addPolicy(cancelledWithPolicy(options.signal), { phase: 'Serialize' });
  // Last, so that they see every request as it is sent: retries and redirects included.
  client.pipeline.addPolicy(armOriginOnlyPolicy(new URL(config.armEndpoint).origin), { afterPhase: 'Sign' });
  client.pipeline.addPolicy(attemptTimeoutPolicy(ARM_REQUEST_TIMEOUT_MS), { afterPhase: 'Sign' });
  return client;
}

function cancelledWithPolicy(signal: AbortSignal): PipelinePolicy {
  return {
    name: 'acrAksSyncCancelledWith',
    sendRequest(request, next) {
      request.abortSignal = request.abortSignal instanceof AbortSignal ? AbortSignal.any([request.abortSignal, signal]) : signal;
      return next(request);
    },
  };
}

/**
 * A time limit on each attempt, with a timer of its own rather than `request.timeout`: the
 * library's HTTP client (@typespec/ts-http-runtime 0.3) leaves that timer running when a request
 * is cancelled, and a pending timer keeps the process alive.
 */
function attemptTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'acrAksSyncAttemptTimeout',
    async sendRequest(request, next) {
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), timeoutMs);
      timer.unref();
      const own = request.abortSignal;
      request.abortSignal = own instanceof AbortSignal ? AbortSignal.any([own, timeout.signal]) : timeout.signal;
      try {
        return await next(request);
      } finally {
        clearTimeout(timer);
        request.abortSignal = own; // a retry gets a limit of its own
      }
    },
  };
}

/** Refuses, before anything is sent, a request to another origin than ARM's (a `nextLink` elsewhere). */
export function armOriginOnlyPolicy(armOrigin: string): PipelinePolicy {
  return {
    name: 'acrAksSyncArmOriginOnly',
    sendRequest(request, next) {
      const origin = new URL(request.url).origin;
      if (origin !== armOrigin) {
        throw new RestError(`refused to send the ARM token to ${clip(origin)}: ARM answered with a link to another host than ARM_ENDPOINT (${armOrigin})`, {
          code: 'ForeignOrigin',
        });
      }
      return next(request);
    },
  };
}

/** ARM's error codes, turned into what to grant where. */
export function describeArmError(error: unknown, scope: string): string {
  // The request's own timeout; a cancelled budget is reported by the caller, which knows it.
  if (error instanceof Error && error.name === 'AbortError') return `no answer from ARM within ${formatDuration(ARM_REQUEST_TIMEOUT_MS)}`;
  if (isRestError(error)) {
    const code = error.code ?? '';
    if (error.statusCode === 403 || code === 'AuthorizationFailed') {
      const action = /perform action '([^']+)'/.exec(error.message)?.[1];
      return `403 ${code || 'Forbidden'}: the identity may not ${action ? clip(action) : 'read this cluster'} on ${scope}; assign it "Azure Kubernetes Service Cluster User Role" on that cluster`;
    }
    if (error.statusCode === 404) {
      return `404 ${code || 'NotFound'}: ${scope} does not exist (deleted, or a wrong resource ID in CLUSTERS)`;
    }
    if (error.statusCode === 401) return `401 ${code || 'Unauthorized'}: ARM rejected the identity's token`;
    if (error.statusCode === undefined) return firstLine(error.message);
    return `HTTP ${error.statusCode} ${code}: ${firstLine(error.message)}`;
  }
  return error instanceof Error ? firstLine(error.message) : clip(String(error), 300);
}

function firstLine(message: string): string {
  return clip(message.split('\n')[0] ?? 'error', 300);
}
