/**
 * Cluster inventory through the Kubernetes API: namespaces (for the Slack channel label) and
 * running pods across all namespaces, page by page, folded into workload containers.
 */
import type { KubeConfig, V1ContainerStatus, V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../log/logger.js';
import { createClusterAgent } from './clusterAgent.js';
import { parseImageId } from './imageReference.js';
import { KubernetesRequestError, type RequestLimits } from './kubernetesRequest.js';
import { listPages, runningPodPages, type ListPageOptions } from './listPages.js';
import { workloadOf } from './workloadOwner.js';
import { WorkloadFolder, type NamespaceInfo, type WorkloadContainer } from './workloads.js';

export const DEFAULT_PAGE_SIZE = 500;
/** How many times a listing restarts after its continue token expired (410 Gone). */
const MAX_LIST_RESTARTS = 3;

export interface InventoryOptions {
  excludedNamespaces: ReadonlySet<string>;
  pageSize?: number;
  logger: Logger;
  /** Called with each image the first time it is seen, so registry lookups can start early. */
  onNewImage?: (image: string) => void;
  /** Cancels the listing: a cluster over its time budget stops listing. */
  signal?: AbortSignal;
  /** When the cluster's time budget ends (ms since the epoch); see ListPageOptions. */
  deadline?: number;
  /** Limits of each request (kubernetesRequest.ts); the defaults otherwise. */
  requestLimits?: RequestLimits;
}

export interface ClusterInventory {
  namespaces: Map<string, NamespaceInfo>;
  workloads: WorkloadContainer[];
  /** Running pods in scanned (non-excluded) namespaces. */
  pods: number;
}

/** Reads one cluster, reached with `kc` (a kubeconfig's current context). */
export async function readClusterInventory(kc: KubeConfig, options: InventoryOptions): Promise<ClusterInventory> {
  // Independent lists, read together: the namespace list costs no round trip of its own.
  const agent = createClusterAgent();
  const pageOptions: ListPageOptions = {
    pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
    agent,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
    ...(options.requestLimits ? { limits: options.requestLimits } : {}),
  };
  try {
    const [namespaces, folder] = await Promise.all([listNamespaces(kc, options, pageOptions), listRunningPods(kc, options, pageOptions)]);
    return { namespaces, workloads: folder.workloads(), pods: folder.pods };
  } finally {
    agent.release();
  }
}

async function listNamespaces(kc: KubeConfig, options: InventoryOptions, pageOptions: ListPageOptions): Promise<Map<string, NamespaceInfo>> {
  return withListRestarts('namespaces', options, async () => {
    const namespaces = new Map<string, NamespaceInfo>();
    for await (const items of listPages<V1Namespace>(kc, '/api/v1/namespaces', {}, pageOptions)) {
      options.signal?.throwIfAborted();
      for (const ns of items) {
        const name = ns.metadata?.name;
        if (name) namespaces.set(name, { name, labels: ns.metadata?.labels ?? {} });
      }
    }
    return namespaces;
  });
}

async function listRunningPods(kc: KubeConfig, options: InventoryOptions, pageOptions: ListPageOptions): Promise<WorkloadFolder> {
  return withListRestarts('pods', options, async () => {
    const folder = new WorkloadFolder();
    let page = 0;
    for await (const items of runningPodPages(kc, pageOptions)) {
      options.signal?.throwIfAborted();
      page += 1;
      for (const pod of items) {
        const namespace = pod.metadata?.namespace;
        if (!namespace || options.excludedNamespaces.has(namespace)) continue;
        const newImages = folder.add({ namespace, workload: workloadOf(pod), containers: containersOf(pod) });
        for (const image of newImages) options.onNewImage?.(image);
      }
      options.logger.debug('pods page read', { page, items: items.length, podsSoFar: folder.pods });
    }
    return folder;
  });
}

function containersOf(pod: V1Pod): Array<{ name: string; image: string; runningDigest?: string; initContainer: boolean }> {
  const digestOf = (statuses: V1ContainerStatus[] | undefined, name: string): string | undefined => {
    const imageId = statuses?.find((s) => s.name === name)?.imageID;
    return imageId ? parseImageId(imageId) : undefined;
  };
  const result: Array<{ name: string; image: string; runningDigest?: string; initContainer: boolean }> = [];
  for (const c of pod.spec?.initContainers ?? []) {
    if (!c.image) continue;
    const runningDigest = digestOf(pod.status?.initContainerStatuses, c.name);
    result.push({ name: c.name, image: c.image, initContainer: true, ...(runningDigest ? { runningDigest } : {}) });
  }
  for (const c of pod.spec?.containers ?? []) {
    if (!c.image) continue;
    const runningDigest = digestOf(pod.status?.containerStatuses, c.name);
    result.push({ name: c.name, image: c.image, initContainer: false, ...(runningDigest ? { runningDigest } : {}) });
  }
  return result;
}

/** A continue token can expire mid-listing (410 Gone); the only remedy is a fresh listing. */
async function withListRestarts<T>(what: string, options: InventoryOptions, list: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await list();
    } catch (error) {
      if (error instanceof KubernetesRequestError && error.code === 410 && attempt < MAX_LIST_RESTARTS) {
        options.logger.warn(`continue token expired while listing ${what}; restarting the listing`, { attempt: attempt + 1 });
        continue;
      }
      throw error;
    }
  }
}
