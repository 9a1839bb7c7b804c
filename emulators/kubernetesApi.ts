/**
 * Emulates the parts of a Kubernetes API server (an AKS control plane) that acr-aks-sync
 * reads, over HTTPS with the test CA:
 *   GET /api/v1/namespaces                 (kind `namespaces-page`)
 *   GET /api/v1/pods                       (kind `pods-page`, all namespaces)
 *   GET /api/v1/namespaces/{ns}/pods       (kind `pods-page`)
 * with `limit` / `continue` paging (opaque continue tokens that expire like etcd compaction
 * does: 410 Expired), `fieldSelector` (status.phase, metadata.name, metadata.namespace,
 * spec.nodeName with `=`, `==`, `!=`) and simple `labelSelector`s (`k=v`, `k!=v`, `k`, `!k`).
 *
 * Authentication like kube-apiserver: a client certificate that chains to the cluster CA
 * (local accounts) or a bearer token. `authorize` decides; the default accepts the static
 * `token` and any CA-signed client certificate. Unauthenticated requests get 401, and an
 * `authorize` that returns 'forbidden' gives 403 (authenticated but no RBAC permission).
 *
 * Items are served in the order given (real API servers return etcd key order,
 * namespace/name; clients must not depend on either). Paging keeps a reference to the
 * array that was current when the list started, so a `setPods()` during a paged list does
 * not tear it (like a consistent snapshot at the list's resourceVersion). A page costs
 * O(limit) for unfiltered lists; filtered lists scan only up to the next match.
 *
 * Like kube-apiserver (APIResponseCompression), a list answer larger than 128 KiB is
 * gzip-compressed when the client accepts gzip (`compressAbove` changes the threshold).
 *
 * The parts, in kubernetes/: the objects served and continue tokens (objects.ts), list pages
 * (listing.ts, selectors.ts), how answers are written (answers.ts), the routing with
 * authentication and faults (router.ts), kubeconfigs (kubeconfig.ts) and pods (pods.ts).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { OpenRequests, type GzipBomb } from './faults.js';
import { startHttpsServer, type RequestLogEntry } from './httpUtil.js';
import type { KubernetesContext } from './kubernetes/context.js';
import { kubeconfigYaml } from './kubernetes/kubeconfig.js';
import type { KubeconfigOptions, KubernetesAuthorizer, KubernetesFault, ListRequest, NamespaceSpec } from './kubernetes/model.js';
import { ClusterObjects, ContinueTokens } from './kubernetes/objects.js';
import { handleKubernetesRequest } from './kubernetes/router.js';
import type { TestPki } from './testPki.js';

export type { KubeconfigOptions, KubernetesAuth, KubernetesAuthorizer, KubernetesFault, ListRequest, NamespaceSpec } from './kubernetes/model.js';
export { makePod, type MakePodContainer, type MakePodOptions } from './kubernetes/pods.js';

export interface KubernetesApiOptions {
  pki: TestPki;
  /** Static bearer token accepted by the default authorizer (random if omitted). */
  token?: string;
  authorize?: KubernetesAuthorizer;
  namespaces: NamespaceSpec[];
  pods: V1Pod[];
  latencyMs?: number;
  /** Continue tokens older than this get 410 Expired (default 5 minutes, etcd's compaction interval). */
  continueTokenTtlMs?: number;
  /**
   * Answers larger than this many bytes are gzip-compressed for clients that accept gzip
   * (default 128 KiB, kube-apiserver's threshold); `Infinity` never compresses.
   */
  compressAbove?: number;
  /**
   * The pods are never changed in place (only replaced with setPods): each pod's JSON is then
   * serialised once and reused by every page that holds it, so that a benchmark measures the
   * client, not the emulator's serialisation.
   */
  immutablePods?: boolean;
  /**
   * List answers are written in two parts, `afterBytes` and the rest, `ms` apart: a slow
   * transfer, for showing what a client does while a page is still arriving.
   */
  pauseBody?: { afterBytes: number; ms: number };
  /**
   * A fault for a list request, asked for each one in arrival order (after authentication):
   * undefined answers normally. See `KubernetesFault`.
   */
  fault?: (request: ListRequest) => KubernetesFault | undefined;
  /** Every continued pod list page names the continue token it was asked with: a listing that never ends. */
  repeatContinueToken?: boolean;
}

export interface KubernetesApiHandle {
  url: string;
  token: string;
  requests: RequestLogEntry[];
  setPods(pods: V1Pod[]): void;
  setNamespaces(namespaces: NamespaceSpec[]): void;
  /** Every continue token issued so far now answers 410 Expired. */
  expireContinueTokens(): void;
  /** Current list resourceVersion (bumped by setPods / setNamespaces). */
  resourceVersion(): string;
  /** Kubeconfig YAML for this server (default user: the static token). */
  kubeconfig(options?: KubeconfigOptions): string;
  writeKubeconfig(path: string, options?: KubeconfigOptions): void;
  /** Requests held open by `hang` and `stallAfterBytes` faults. */
  open: OpenRequests;
  /** The gzip bombs served so far, with how much each produced. */
  bombs: GzipBomb[];
  close(): Promise<void>;
}

function createContext(options: KubernetesApiOptions, token: string): KubernetesContext {
  return {
    objects: new ClusterObjects(options.pods, options.namespaces, options.immutablePods ?? false),
    continues: new ContinueTokens(options.continueTokenTtlMs ?? 5 * 60_000),
    repeatContinueToken: options.repeatContinueToken ?? false,
    requests: [],
    authorize: options.authorize ?? ((auth) => auth.clientCertCN !== undefined || auth.bearerToken === token),
    open: new OpenRequests(),
    bombs: [],
    listRequests: { 'pods-page': 0, 'namespaces-page': 0 },
    fault: options.fault,
    compressAbove: options.compressAbove ?? 128 * 1024,
    pauseBody: options.pauseBody,
  };
}

export async function startKubernetesApi(options: KubernetesApiOptions): Promise<KubernetesApiHandle> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const ctx = createContext(options, token);
  const started = await startHttpsServer(options.pki, (req, res) => handleKubernetesRequest(ctx, req, res), {
    requestCert: true,
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
  });
  const kubeconfig = (opts: KubeconfigOptions = {}): string => kubeconfigYaml(started.url, options.pki, token, opts);
  return {
    url: started.url,
    token,
    requests: ctx.requests,
    setPods: (next) => ctx.objects.setPods(next),
    setNamespaces: (next) => ctx.objects.setNamespaces(next),
    expireContinueTokens: () => ctx.continues.expireAll(),
    resourceVersion: () => String(ctx.objects.rv),
    kubeconfig,
    writeKubeconfig(path, opts) {
      writeFileSync(path, kubeconfig(opts), { mode: 0o600 });
    },
    open: ctx.open,
    bombs: ctx.bombs,
    close: started.close,
  };
}
