/**
 * What the Kubernetes API emulator serves: namespaces and pods with a list resourceVersion
 * (bumped by each replacement), a namespace index for namespaced lists, and the continue tokens
 * of paged lists, which expire like etcd compaction does.
 */
import { randomUUID } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { BadRequest, type NamespaceSpec } from './model.js';

export class ClusterObjects {
  rv = 1000;
  // Namespace -> pods index for namespaced lists, built lazily per pods array.
  private podsByNamespace: { of: readonly V1Pod[]; index: Map<string, V1Pod[]> } | undefined;
  private readonly podJsonCache = new WeakMap<V1Pod, string>();

  /** `immutablePods`: each pod's JSON is serialised once and reused (KubernetesApiOptions.immutablePods). */
  constructor(
    public pods: readonly V1Pod[],
    public namespaces: readonly NamespaceSpec[],
    private readonly immutablePods: boolean,
  ) {
    if (immutablePods) for (const pod of pods) this.podJson(pod);
  }

  setPods(next: readonly V1Pod[]): void {
    this.pods = next;
    this.rv++;
  }

  setNamespaces(next: readonly NamespaceSpec[]): void {
    this.namespaces = next;
    this.rv++;
  }

  podsIn(ns: string): readonly V1Pod[] {
    if (this.podsByNamespace?.of !== this.pods) {
      const index = new Map<string, V1Pod[]>();
      for (const pod of this.pods) {
        const key = pod.metadata?.namespace ?? 'default';
        let list = index.get(key);
        if (!list) index.set(key, (list = []));
        list.push(pod);
      }
      this.podsByNamespace = { of: this.pods, index };
    }
    return this.podsByNamespace.index.get(ns) ?? [];
  }

  podJson(pod: V1Pod): string {
    if (!this.immutablePods) return JSON.stringify(pod);
    let json = this.podJsonCache.get(pod);
    if (json === undefined) this.podJsonCache.set(pod, (json = JSON.stringify(pod)));
    return json;
  }
}

/** A paged list in progress: the array it started from (a consistent snapshot) and its resourceVersion. */
export interface ContinuedList {
  source: readonly unknown[];
  rv: number;
  start: number;
}

interface ContinueState {
  source: readonly unknown[];
  listPath: string;
  rv: number;
  createdAt: number;
  expired: boolean;
}

export class ContinueTokens {
  private readonly continues = new Map<string, ContinueState>();

  constructor(private readonly ttlMs: number) {}

  /** Every token issued so far now answers 410 Expired. */
  expireAll(): void {
    for (const c of this.continues.values()) c.expired = true;
  }

  /** An opaque token that continues the list of `listPath` over `source` at `start`. */
  issue(source: readonly unknown[], listPath: string, rv: number, start: number): string {
    this.prune();
    const id = randomUUID();
    this.continues.set(id, { source, listPath, rv, createdAt: Date.now(), expired: false });
    return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start, id })).toString('base64');
  }

  /** The list `token` continues; 'expired' for 410. Throws BadRequest for a token that is not one of ours or not for this list. */
  resolve(token: string, listPath: string): ContinuedList | 'expired' {
    let decoded: { v?: string; rv?: number; start?: number; id?: string };
    try {
      decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as typeof decoded;
    } catch {
      throw new BadRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    }
    if (decoded.v !== 'meta.k8s.io/v1' || typeof decoded.id !== 'string' || typeof decoded.start !== 'number') {
      throw new BadRequest('continue key is not valid: server does not recognize this encoded key');
    }
    const state = this.continues.get(decoded.id);
    if (!state || state.expired || Date.now() - state.createdAt > this.ttlMs) return 'expired';
    if (state.listPath !== listPath) throw new BadRequest('continue key is not valid: key does not match the requested list');
    return { source: state.source, rv: state.rv, start: decoded.start };
  }

  /** Forgets long-dead tokens so a long benchmark does not grow the map without bound. */
  private prune(): void {
    const now = Date.now();
    for (const [id, c] of this.continues) if (now - c.createdAt > this.ttlMs + 60_000) this.continues.delete(id);
  }
}
