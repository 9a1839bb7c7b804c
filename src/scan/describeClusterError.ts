import { KubernetesRequestError } from '../inventory/kubernetesRequest.js';
import { clip } from '../util/text.js';

/** Kubernetes errors carry the HTTP status and name the request; turn them into a reason a person can act on. */
export function describeClusterError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 401) return 'Kubernetes API answered 401 Unauthorized: the credential was rejected';
  if (code === 403) {
    return 'Kubernetes API answered 403 Forbidden: the identity may not list namespaces and pods (grant Azure Kubernetes Service RBAC Reader on the cluster, or apply infra/k8s-rbac.yaml on clusters with Kubernetes RBAC)';
  }
  if (error instanceof KubernetesRequestError) return error.message;
  if (typeof code === 'number') return `Kubernetes API answered HTTP ${code}`;
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message;
    // Our own reasons are bounded where they quote outside text; this is a safety net.
    const message = clip(error.message.split('\n')[0] ?? 'unknown error', 1000);
    return detail ? `${message} (${clip(detail)})` : message;
  }
  return clip(String(error), 1000);
}
