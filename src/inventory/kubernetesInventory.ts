/**
 * Cluster inventory through the Kubernetes API: namespaces (for the settings their labels and
 * annotations give) and running pods across all namespaces, page by page, folded into workload
 * containers. Of a namespace's labels and annotations, and of a pod's annotations, only
 * acr-aks-sync's keys and the SLACK_CHANNEL_LABEL label are kept, so memory stays bounded
 * whatever else a cluster's objects carry.
 */
import type { KubeConfig, V1Namespace } from '@kubernetes/client-node';
import { CONFIG_DEFAULTS } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../model/clock.js';
import type { MalformedPod, NamespaceInfo, WorkloadContainer } from '../model/workload.js';
import { keptValue } from '../overrides/overrideValues.js';
import { isSettingKey } from '../overrides/settingKeys.js';
import { clip } from '../util/text.js';
import { createClusterAgent } from './clusterAgent.js';
import { KubernetesRequestError, type RequestLimits } from './kubernetesRequest.js';
import { listPages, runningPodPages, type ListPageOptions } from './listPages.js';
import { isMalformed, readRunningPod } from './runningPod.js';
import { WorkloadFolder } from './workloadFolder.js';

export const DEFAULT_PAGE_SIZE = 500;
/** How many times a listing restarts after its continue token expired (410 Gone). */
const MAX_LIST_RESTARTS = 3;

export interface InventoryOptions {
  excludedNamespaces: ReadonlySet<string>;
  pageSize?: number;
  logger: Logger;
  /** The namespace label that names a team's channel (SLACK_CHANNEL_LABEL; default `slackChannel`). */
  channelLabel?: string;
  /**
   * Called with each workload container the first time it is seen, with the namespaces read so
   * far (all of them: pods are folded once the namespace list is in), so registry lookups can
   * start early with the workload's own settings.
   */
  onNewWorkload?: (container: WorkloadContainer, namespaces: ReadonlyMap<string, NamespaceInfo>) => void;
  /** Cancels the listing: a cluster over its time budget stops listing. */
  signal?: AbortSignal;
  /** When the cluster's time budget ends (ms since the epoch); see ListPageOptions. */
  deadline?: number;
  /** The clock `deadline` is read on (default the system's). */
  now?: Clock;
  /** Limits of each request (kubernetesRequest.ts); the defaults otherwise. */
  requestLimits?: RequestLimits;
}

export interface ClusterInventory {
  namespaces: Map<string, NamespaceInfo>;
  workloads: WorkloadContainer[];
  /** Running pods in scanned (non-excluded) namespaces, malformed ones left out. */
  pods: number;
  /** Pods that could not be read (runningPod.ts), the first MAX_MALFORMED_PODS of them. */
  malformedPods: MalformedPod[];
  /** Malformed pods beyond those. */
  malformedPodsOmitted: number;
}

/** Malformed pods reported one by one; a cluster full of them must not make the report as large. */
export const MAX_MALFORMED_PODS = 100;

/** Reads one cluster, reached with `kc` (a kubeconfig's current context). */
export async function readClusterInventory(kc: KubeConfig, options: InventoryOptions): Promise<ClusterInventory> {
  // Independent lists, read together: the namespace list costs no round trip of its own.
  const agent = createClusterAgent();
  const pageOptions: ListPageOptions = {
    pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
    agent,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.requestLimits ? { limits: options.requestLimits } : {}),
  };
  try {
    // The pod list is asked for at once; its pages are folded once the namespaces are in (usually sooner: one small page).
    const namespaces = listNamespaces(kc, options, pageOptions);
    namespaces.catch(() => undefined); // awaited below, by both
    const [read, pods] = await Promise.all([namespaces, listRunningPods(kc, options, pageOptions, namespaces)]);
    return { namespaces: read, workloads: pods.folder.workloads(), pods: pods.folder.pods, malformedPods: pods.malformed, malformedPodsOmitted: pods.malformedOmitted };
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
        const metadata = (ns as Partial<V1Namespace> | null)?.metadata;
        const name = metadata?.name;
        if (typeof name === 'string' && name) namespaces.set(name, namespaceInfo(name, metadata, options.channelLabel ?? CONFIG_DEFAULTS.SLACK_CHANNEL_LABEL));
      }
    }
    return namespaces;
  });
}

async function listRunningPods(
  kc: KubeConfig,
  options: InventoryOptions,
  pageOptions: ListPageOptions,
  namespacesRead: Promise<ReadonlyMap<string, NamespaceInfo>>,
): Promise<{ folder: WorkloadFolder; malformed: MalformedPod[]; malformedOmitted: number }> {
  return withListRestarts('pods', options, async () => {
    const folder = new WorkloadFolder();
    const malformed: MalformedPod[] = [];
    let malformedOmitted = 0;
    let page = 0;
    for await (const items of runningPodPages(kc, pageOptions)) {
      // A failed namespace listing is the inventory's answer (Promise.all above), not one to restart the pod listing for.
      const namespaces = await namespacesRead.catch(() => undefined);
      if (!namespaces) throw new Error('the namespace listing failed');
      options.signal?.throwIfAborted();
      page += 1;
      for (const item of items) {
        const pod = readRunningPod(item, options.excludedNamespaces);
        if (!pod) continue;
        if (isMalformed(pod)) {
          if (malformed.length < MAX_MALFORMED_PODS) malformed.push(pod);
          else malformedOmitted += 1;
          continue;
        }
        for (const container of folder.add(pod)) options.onNewWorkload?.(container, namespaces);
      }
      options.logger.debug('pods page read', { page, items: items.length, podsSoFar: folder.pods });
    }
    if (malformed.length > 0) options.logger.warn('malformed pods skipped', { count: malformed.length + malformedOmitted, first: `${clip(malformed[0]?.namespace ?? '')}/${clip(malformed[0]?.name ?? '')}`, reason: malformed[0]?.reason });
    return { folder, malformed, malformedOmitted };
  });
}

/** A namespace with the labels and annotations settings are read from: acr-aks-sync's keys, and the channel label as it is. */
function namespaceInfo(name: string, metadata: V1Namespace['metadata'], channelLabel: string): NamespaceInfo {
  const labels = keptKeys(metadata?.labels, (key) => isSettingKey(key));
  const channel = (metadata?.labels as Record<string, unknown> | undefined)?.[channelLabel];
  if (typeof channel === 'string') labels[channelLabel] = channel;
  const annotations = keptKeys(metadata?.annotations, isSettingKey);
  return Object.keys(annotations).length > 0 ? { name, labels, annotations } : { name, labels };
}

/** The string values under the keys `keep` accepts, trimmed, blank ones left out. */
function keptKeys(values: unknown, keep: (key: string) => boolean): Record<string, string> {
  const kept: Record<string, string> = {};
  if (!values || typeof values !== 'object') return kept;
  for (const [key, raw] of Object.entries(values)) {
    if (typeof raw !== 'string' || !keep(key)) continue;
    const value = keptValue(raw);
    if (value !== undefined) kept[key] = value;
  }
  return kept;
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
