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
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { V1Container, V1ContainerStatus, V1Namespace, V1Pod } from '@kubernetes/client-node';
import { gzipBomb, hang, OpenRequests, stallBody, truncateBody, type GzipBomb } from './faults.js';
import { logRequest, parseRequestUrl, sendJson, startHttpsServer } from './httpUtil.js';
import type { RequestLogEntry } from './httpUtil.js';
import type { TestPki } from './testPki.js';

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
}

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

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
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

class BadRequest extends Error {}

type Predicate<T> = (item: T) => boolean;

function fieldValue(pod: V1Pod, field: string): string | undefined {
  switch (field) {
    case 'status.phase':
      return pod.status?.phase ?? '';
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    default:
      return undefined;
  }
}

function parseFieldSelector<T>(selector: string | undefined, get: (item: T, field: string) => string | undefined, probe: T): Predicate<T> | undefined {
  if (!selector) return undefined;
  const terms = selector.split(',').map((term) => {
    const m = /^\s*([^!=\s]+)\s*(==|=|!=)\s*([^,]*?)\s*$/.exec(term);
    if (!m) throw new BadRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, field = '', op, value = ''] = m;
    if (get(probe, field) === undefined) throw new BadRequest(`field label not supported: ${field}`);
    return (item: T) => (op === '!=' ? get(item, field) !== value : get(item, field) === value);
  });
  return (item) => terms.every((t) => t(item));
}

function parseLabelSelector<T>(selector: string | undefined, labelsOf: (item: T) => Record<string, string> | undefined): Predicate<T> | undefined {
  if (!selector) return undefined;
  const terms = selector.split(',').map((raw) => {
    const term = raw.trim();
    let m = /^([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(term);
    if (m) {
      const [, key = '', op, value = ''] = m;
      return (labels: Record<string, string>) => (op === '!=' ? labels[key] !== value : labels[key] === value);
    }
    m = /^(!?)([A-Za-z0-9./_-]+)$/.exec(term);
    if (m) {
      const [, not, key = ''] = m;
      return (labels: Record<string, string>) => (key in labels) !== (not === '!');
    }
    throw new BadRequest(`unable to parse requirement: ${term} (this emulator supports k=v, k!=v, k, !k)`);
  });
  return (item) => {
    const labels = labelsOf(item) ?? {};
    return terms.every((t) => t(labels));
  };
}

function namespaceObject(ns: NamespaceSpec, rv: string): V1Namespace {
  return {
    metadata: {
      name: ns.name,
      uid: `ns-${ns.name}`,
      resourceVersion: rv,
      creationTimestamp: new Date('2024-01-01T00:00:00Z'),
      labels: { 'kubernetes.io/metadata.name': ns.name, ...ns.labels },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

interface ContinueState {
  source: readonly unknown[];
  listPath: string;
  rv: number;
  createdAt: number;
  expired: boolean;
}

export async function startKubernetesApi(options: KubernetesApiOptions): Promise<KubernetesApiHandle> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const authorize: KubernetesAuthorizer = options.authorize ?? ((auth) => auth.clientCertCN !== undefined || auth.bearerToken === token);
  const ttlMs = options.continueTokenTtlMs ?? 5 * 60_000;
  const requests: RequestLogEntry[] = [];
  let rv = 1000;
  let pods: readonly V1Pod[] = options.pods;
  let namespaces: readonly NamespaceSpec[] = options.namespaces;
  // Namespace -> pods index for namespaced lists, built lazily per pods array.
  let podsByNamespace: { of: readonly V1Pod[]; index: Map<string, V1Pod[]> } | undefined;
  const continues = new Map<string, ContinueState>();

  const podsIn = (ns: string): readonly V1Pod[] => {
    if (podsByNamespace?.of !== pods) {
      const index = new Map<string, V1Pod[]>();
      for (const pod of pods) {
        const key = pod.metadata?.namespace ?? 'default';
        let list = index.get(key);
        if (!list) index.set(key, (list = []));
        list.push(pod);
      }
      podsByNamespace = { of: pods, index };
    }
    return podsByNamespace.index.get(ns) ?? [];
  };

  const pruneContinues = () => {
    const now = Date.now();
    // Forget long-dead tokens so a long benchmark does not grow the map without bound.
    for (const [id, c] of continues) if (now - c.createdAt > ttlMs + 60_000) continues.delete(id);
  };

  const compressAbove = options.compressAbove ?? 128 * 1024;
  const podJsonCache = new WeakMap<V1Pod, string>();
  const podJson = (pod: V1Pod): string => {
    if (!options.immutablePods) return JSON.stringify(pod);
    let json = podJsonCache.get(pod);
    if (json === undefined) podJsonCache.set(pod, (json = JSON.stringify(pod)));
    return json;
  };
  if (options.immutablePods) for (const pod of pods) podJson(pod);

  const open = new OpenRequests();
  const bombs: GzipBomb[] = [];
  const listRequests = { 'pods-page': 0, 'namespaces-page': 0 };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const { path, query } = parseRequestUrl(req);
    let kind = 'other';
    let bodyFault: KubernetesFault | undefined = undefined; // set below, once the request is authorised
    const reply = (code: number, body: unknown) => {
      logRequest(requests, req, kind, code);
      sendJson(res, code, body);
    };
    const replyText = (code: number, text: string) => {
      logRequest(requests, req, kind, code);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (bodyFault && 'stallAfterBytes' in bodyFault) return stallBody(res, code, headers, text, bodyFault.stallAfterBytes, open);
      if (bodyFault && 'truncateAfterBytes' in bodyFault) return truncateBody(res, code, headers, text, bodyFault.truncateAfterBytes);
      if (Buffer.byteLength(text) > compressAbove && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        const gzipped = gzipSync(text);
        const entry = requests[requests.length - 1];
        if (entry) entry.contentEncoding = 'gzip';
        res.writeHead(code, { ...headers, 'content-encoding': 'gzip', 'content-length': gzipped.length });
        res.end(gzipped);
        return;
      }
      res.writeHead(code, { ...headers, 'content-length': Buffer.byteLength(text) });
      const pause = options.pauseBody;
      if (!pause || text.length <= pause.afterBytes) {
        res.end(text);
        return;
      }
      res.write(text.slice(0, pause.afterBytes));
      setTimeout(() => res.end(text.slice(pause.afterBytes)), pause.ms);
    };

    let resource: 'namespaces' | 'pods' | undefined;
    let namespace: string | undefined;
    const nsPods = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/?$/.exec(path);
    if (path === '/api/v1/namespaces' || path === '/api/v1/namespaces/') resource = 'namespaces';
    else if (path === '/api/v1/pods' || path === '/api/v1/pods/') resource = 'pods';
    else if (nsPods) {
      resource = 'pods';
      namespace = decodeURIComponent(nsPods[1] ?? '');
    }
    if (resource) kind = resource === 'pods' ? 'pods-page' : 'namespaces-page';

    // Authentication comes first, as in kube-apiserver (even for unknown paths).
    const socket = req.socket as TLSSocket;
    let clientCertCN: string | undefined;
    if (socket.authorized) {
      const cn = socket.getPeerCertificate().subject?.CN;
      clientCertCN = Array.isArray(cn) ? cn[0] : cn;
    }
    const authz = req.headers.authorization;
    const bearerToken = authz && /^bearer /i.test(authz) ? authz.slice(7).trim() : undefined;
    const auth: KubernetesAuth = { resource: resource ?? 'pods' };
    if (bearerToken !== undefined) auth.bearerToken = bearerToken;
    if (clientCertCN !== undefined) auth.clientCertCN = clientCertCN;
    if (namespace !== undefined) auth.namespace = namespace;
    const verdict = bearerToken === undefined && clientCertCN === undefined ? false : authorize(auth);
    if (verdict === false) return reply(401, status(401, 'Unauthorized', 'Unauthorized'));

    if (!resource) return reply(404, status(404, 'NotFound', 'the server could not find the requested resource', {}));
    if (req.method !== 'GET') {
      return reply(405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {}));
    }
    if (verdict === 'forbidden') {
      const user = clientCertCN ?? 'system:serviceaccount-or-aad-user';
      const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
      return reply(403, status(403, 'Forbidden', `${resource} is forbidden: User "${user}" cannot list resource "${resource}" in API group "" ${scope}`, { kind: resource }));
    }
    const listKind = kind as ListRequest['kind'];
    listRequests[listKind] += 1;
    const fault = options.fault?.({ kind: listKind, number: listRequests[listKind], query });
    if (fault && 'status' in fault) {
      logRequest(requests, req, kind, fault.status);
      const reason = fault.status === 429 ? 'TooManyRequests' : fault.status === 503 ? 'ServiceUnavailable' : 'InternalError';
      return sendJson(res, fault.status, status(fault.status, reason, `the server is unable to handle the request (${reason})`), fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }
    if (fault && 'hang' in fault) return hang(req, res, open);
    if (fault && 'gzipBombBytes' in fault) {
      logRequest(requests, req, kind, 200);
      const head = `{"kind":"${resource === 'pods' ? 'PodList' : 'NamespaceList'}","apiVersion":"v1","metadata":{"resourceVersion":"${rv}","padding":"`;
      bombs.push(gzipBomb(res, head, fault.gzipBombBytes));
      return;
    }
    bodyFault = fault;

    try {
      const limitRaw = query.limit;
      let limit = 0;
      if (limitRaw !== undefined && limitRaw !== '') {
        if (!/^-?\d+$/.test(limitRaw)) throw new BadRequest(`limit: Invalid value: "${limitRaw}"`);
        limit = Math.max(0, Number(limitRaw));
      }

      const listPath = namespace === undefined ? resource : `${resource}@${namespace}`;
      let source: readonly unknown[];
      let start = 0;
      let listRv = rv;
      const cont = query.continue;
      if (cont) {
        let decoded: { v?: string; rv?: number; start?: number; id?: string };
        try {
          decoded = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')) as typeof decoded;
        } catch {
          throw new BadRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
        }
        if (decoded.v !== 'meta.k8s.io/v1' || typeof decoded.id !== 'string' || typeof decoded.start !== 'number') {
          throw new BadRequest('continue key is not valid: server does not recognize this encoded key');
        }
        const state = continues.get(decoded.id);
        if (!state || state.expired || Date.now() - state.createdAt > ttlMs) {
          return reply(410, status(410, 'Expired', EXPIRED_MESSAGE));
        }
        if (state.listPath !== listPath) throw new BadRequest('continue key is not valid: key does not match the requested list');
        source = state.source;
        start = decoded.start;
        listRv = state.rv;
      } else if (resource === 'namespaces') {
        source = namespaces;
      } else {
        source = namespace === undefined ? pods : podsIn(namespace);
      }

      let predicate: Predicate<unknown> | undefined;
      if (resource === 'pods') {
        const field = parseFieldSelector<V1Pod>(query.fieldSelector, fieldValue, {});
        const label = parseLabelSelector<V1Pod>(query.labelSelector, (p) => p.metadata?.labels);
        if (field || label) predicate = (p) => (field ? field(p as V1Pod) : true) && (label ? label(p as V1Pod) : true);
      } else {
        const field = parseFieldSelector<NamespaceSpec>(query.fieldSelector, (n, f) => (f === 'metadata.name' ? n.name : f === 'status.phase' ? 'Active' : undefined), { name: '' });
        const label = parseLabelSelector<NamespaceSpec>(query.labelSelector, (n) => ({ 'kubernetes.io/metadata.name': n.name, ...n.labels }));
        if (field || label) predicate = (n) => (field ? field(n as NamespaceSpec) : true) && (label ? label(n as NamespaceSpec) : true);
      }

      const items: unknown[] = [];
      let i = start;
      const max = limit > 0 ? limit : Number.POSITIVE_INFINITY;
      for (; i < source.length && items.length < max; i++) {
        const item = source[i];
        if (!predicate || predicate(item)) items.push(item);
      }
      // Skip ahead to the next match so the last page never ends with an empty "continue" page.
      if (predicate) while (i < source.length && !predicate(source[i])) i++;

      const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
      if (i < source.length && cont && options.repeatContinueToken) {
        metadata.continue = cont;
      } else if (i < source.length) {
        pruneContinues();
        const id = randomUUID();
        continues.set(id, { source, listPath, rv: listRv, createdAt: Date.now(), expired: false });
        metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: listRv, start: i, id })).toString('base64');
        if (!predicate) metadata.remainingItemCount = source.length - i;
      }
      const rvString = String(listRv);
      // Field order as kube-apiserver writes a list: kind, apiVersion, metadata, items.
      const itemsJson =
        resource === 'pods' ? items.map((p) => podJson(p as V1Pod)) : (items as NamespaceSpec[]).map((n) => JSON.stringify(namespaceObject(n, rvString)));
      const kindName = resource === 'pods' ? 'PodList' : 'NamespaceList';
      return replyText(200, `{"kind":"${kindName}","apiVersion":"v1","metadata":${JSON.stringify(metadata)},"items":[${itemsJson.join(',')}]}`);
    } catch (err) {
      if (err instanceof BadRequest) return reply(400, status(400, 'BadRequest', err.message));
      throw err;
    }
  };

  const started = await startHttpsServer(options.pki, handler, {
    requestCert: true,
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
  });

  const kubeconfig = (opts: KubeconfigOptions = {}): string => {
    const clusterName = opts.clusterName ?? 'aks-emulator';
    const contextName = opts.contextName ?? clusterName;
    const userName = `clusterUser_emulator_${clusterName}`;
    const q = (s: string) => JSON.stringify(s);
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const user = opts.user ?? { token };
    const userLines: string[] = [];
    if (user.clientCert) {
      userLines.push(`    client-certificate-data: ${b64(options.pki.clientCertPem)}`, `    client-key-data: ${b64(options.pki.clientKeyPem)}`);
    }
    if (user.token !== undefined) userLines.push(`    token: ${q(user.token)}`);
    // JSON is valid YAML (flow style), so the exec block can be written as-is.
    if (user.exec !== undefined) userLines.push(`    exec: ${JSON.stringify(user.exec)}`);
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- cluster:',
      `    certificate-authority-data: ${b64(options.pki.caPem)}`,
      `    server: ${q(started.url)}`,
      `  name: ${q(clusterName)}`,
      'contexts:',
      '- context:',
      `    cluster: ${q(clusterName)}`,
      `    user: ${q(userName)}`,
      `  name: ${q(contextName)}`,
      `current-context: ${q(contextName)}`,
      'preferences: {}',
      'users:',
      `- name: ${q(userName)}`,
      userLines.length > 0 ? '  user:' : '  user: {}',
      ...userLines,
      '',
    ].join('\n');
  };

  return {
    url: started.url,
    token,
    requests,
    setPods(next) {
      pods = next;
      rv++;
    },
    setNamespaces(next) {
      namespaces = next;
      rv++;
    },
    expireContinueTokens() {
      for (const c of continues.values()) c.expired = true;
    },
    resourceVersion: () => String(rv),
    kubeconfig,
    writeKubeconfig(path, opts) {
      writeFileSync(path, kubeconfig(opts), { mode: 0o600 });
    },
    open,
    bombs,
    close: started.close,
  };
}

export interface MakePodContainer {
  name: string;
  image: string;
  /** Resolved image as the kubelet reports it, e.g. `registry/repo@sha256:...`. Default: derived from `image`. */
  imageID?: string;
}

export interface MakePodOptions {
  namespace: string;
  name: string;
  phase?: string;
  /** Controller owner; a ReplicaSet named `<deploy>-<hash>` also gets the `pod-template-hash` label. */
  owner?: { kind: string; name: string };
  labels?: Record<string, string>;
  containers: MakePodContainer[];
  initContainers?: MakePodContainer[];
  nodeName?: string;
}

function fakeDigest(seed: string): string {
  // Deterministic, realistic-looking digest (not a real content hash).
  let h = 0x811c9dc5;
  const out: string[] = [];
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    out.push(h.toString(16).padStart(8, '0'));
  }
  return `sha256:${out.join('')}`;
}

/** `registry/repo:tag` or `registry/repo@sha256:...` -> `registry/repo` (a tag after the last `/` only). */
function repositoryOf(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

function containerStatus(c: MakePodContainer, phase: string, init: boolean): V1ContainerStatus {
  const at = c.image.indexOf('@');
  const digestRef = at >= 0 ? `${repositoryOf(c.image)}${c.image.slice(at)}` : `${repositoryOf(c.image)}@${fakeDigest(c.image)}`;
  const startedAt = new Date('2024-06-01T12:00:00Z');
  const base = { name: c.name, image: c.image, restartCount: 0 };
  // Not pulled yet: the kubelet reports no imageID and no container.
  if (phase === 'Pending' && !init) {
    return { ...base, imageID: c.imageID ?? '', ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } };
  }
  const containerID = `containerd://${randomBytes(32).toString('hex')}`;
  const running = phase === 'Running' && !init;
  return {
    ...base,
    imageID: c.imageID ?? digestRef,
    containerID,
    ready: running,
    started: running,
    state: running
      ? { running: { startedAt } }
      : { terminated: { exitCode: phase === 'Failed' && !init ? 1 : 0, reason: phase === 'Failed' && !init ? 'Error' : 'Completed', startedAt, finishedAt: startedAt, containerID } },
  };
}

/** Builds a realistic V1Pod (plain object) as the API server would return it. */
export function makePod(options: MakePodOptions): V1Pod {
  const phase = options.phase ?? 'Running';
  const running = phase === 'Running';
  const labels: Record<string, string> = { ...options.labels };
  if (options.owner?.kind === 'ReplicaSet') {
    const m = /^(.+)-([a-z0-9]{5,10})$/.exec(options.owner.name);
    if (m?.[2]) {
      labels['pod-template-hash'] ??= m[2];
    }
  }
  const toContainer = (c: MakePodContainer): V1Container => ({
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  });
  const pod: V1Pod = {
    metadata: {
      name: options.name,
      namespace: options.namespace,
      uid: randomUUID(),
      resourceVersion: String(100_000 + Math.floor(Math.random() * 900_000)),
      creationTimestamp: new Date('2024-06-01T11:59:50Z'),
      labels,
      ...(options.owner
        ? { ownerReferences: [{ apiVersion: options.owner.kind === 'ReplicaSet' || options.owner.kind === 'StatefulSet' || options.owner.kind === 'DaemonSet' ? 'apps/v1' : options.owner.kind === 'Job' ? 'batch/v1' : 'v1', kind: options.owner.kind, name: options.owner.name, uid: randomUUID(), controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    spec: {
      containers: options.containers.map(toContainer),
      ...(options.initContainers ? { initContainers: options.initContainers.map(toContainer) } : {}),
      nodeName: options.nodeName ?? 'aks-nodepool1-12345678-vmss000000',
      restartPolicy: 'Always',
      serviceAccountName: 'default',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
    },
    status: {
      phase,
      ...(running ? { podIP: '10.244.0.10', hostIP: '10.224.0.4', startTime: new Date('2024-06-01T11:59:50Z') } : {}),
      qosClass: 'BestEffort',
      containerStatuses: options.containers.map((c) => containerStatus(c, phase, false)),
      ...(options.initContainers ? { initContainerStatuses: options.initContainers.map((c) => containerStatus(c, phase, true)) } : {}),
    },
  };
  return pod;
}
