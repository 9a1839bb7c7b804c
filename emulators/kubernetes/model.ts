/** The Kubernetes API emulator's vocabulary, shared by its parts (kubernetesApi.ts exports it). */

export interface KubernetesAuth {
  bearerToken?: string;
  /** CN of a client certificate that chains to the test CA. */
  clientCertCN?: string;
  /** What is being listed, for authorizers that model RBAC. */
  resource: 'namespaces' | 'pods';
  /** Namespace for namespaced lists. */
  namespace?: string;
}

/** true: allowed; false: 401 Unauthorized; 'forbidden': 403 Forbidden. */
export type KubernetesAuthorizer = (auth: KubernetesAuth) => boolean | 'forbidden';

export interface NamespaceSpec {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** One list request, as `KubernetesApiOptions.fault` sees it. */
export interface ListRequest {
  kind: 'pods-page' | 'namespaces-page';
  /** 1 for the first request of this kind, 2 for the next, and so on. */
  number: number;
  query: Record<string, string>;
}

/**
 * `status`: an error answer (a Status object, with `Retry-After` when given); `hang`: accepted,
 * never answered; `stallAfterBytes`: the answer stops after that many bytes and the connection
 * stays open; `truncateAfterBytes`: the connection closes after that many bytes; `gzipBombBytes`:
 * a gzip answer that inflates to that many bytes (faults.ts).
 */
export type KubernetesFault =
  | { status: number; retryAfter?: string }
  | { hang: true }
  | { stallAfterBytes: number }
  | { truncateAfterBytes: number }
  | { gzipBombBytes: number };

export interface KubeconfigOptions {
  user?: { token?: string; clientCert?: boolean; exec?: object };
  contextName?: string;
  clusterName?: string;
}

/** A list route: the resource, and the namespace of a namespaced list. */
export interface ListRoute {
  resource: 'namespaces' | 'pods';
  namespace?: string;
}

/** A Kubernetes `Status` object, as kube-apiserver answers errors. */
export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** A request the API server answers 400 BadRequest, with this message. */
export class BadRequest extends Error {}
