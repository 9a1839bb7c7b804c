/**
 * One item of a pod list as the scan needs it (pure, no I/O), or why it cannot be used. Pod
 * lists are parsed as plain JSON, so nothing is known about an item's shape until it is
 * checked here: a pod with an owner reference without a name or kind, `containers` that is not
 * a list, a container without a name or no `metadata` is reported as malformed, and every other
 * pod of the cluster is still scanned.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { parseImageId } from '../images/imageReference.js';
import type { MalformedPod, PodSettingAnnotations, WorkloadRef } from '../model/workload.js';
import { keptValue } from '../overrides/overrideValues.js';
import { isSettingKey } from '../overrides/settingKeys.js';
import { clip } from '../util/text.js';
import { workloadOf } from './workloadOwner.js';

export interface PodContainer {
  name: string;
  image: string;
  runningDigest?: string;
  initContainer: boolean;
}

export interface RunningPod {
  namespace: string;
  workload: WorkloadRef;
  containers: PodContainer[];
  /** Its acr-aks-sync annotations, when it has any: every other annotation is dropped here. */
  podSettings?: PodSettingAnnotations;
}

type Json = Record<string, unknown>;

/** The pod's workload and containers, or what makes it unreadable; undefined for a pod in an excluded namespace. */
export function readRunningPod(item: unknown, excludedNamespaces: ReadonlySet<string>): RunningPod | MalformedPod | undefined {
  const metadata = asObject(asObject(item)?.metadata);
  const namespace = metadata && isName(metadata.namespace) ? metadata.namespace : '';
  if (excludedNamespaces.has(namespace)) return undefined;
  const name = metadata && isName(metadata.name) ? metadata.name : '(unnamed)';
  const malformed = (reason: string): MalformedPod => ({ namespace, name, reason });
  if (!metadata) return malformed('the pod has no metadata');
  if (!namespace) return malformed('metadata.namespace is missing');
  if (name === '(unnamed)') return malformed('metadata.name is missing');
  const ownerProblem = checkOwners(metadata.ownerReferences);
  if (ownerProblem) return malformed(ownerProblem);
  const pod = item as Json;
  const spec = asObject(pod.spec);
  if (!spec) return malformed('spec is missing');
  const status = asObject(pod.status);
  const containers: PodContainer[] = [];
  const problem =
    addContainers(containers, spec.initContainers, status?.initContainerStatuses, 'spec.initContainers', true) ??
    addContainers(containers, spec.containers, status?.containerStatuses, 'spec.containers', false);
  if (problem) return malformed(problem);
  const podSettings = settingAnnotations(metadata.annotations, containers);
  return { namespace, workload: workloadOf(pod as V1Pod), containers, ...(podSettings ? { podSettings } : {}) };
}

/** The acr-aks-sync annotations (values trimmed, blank ones left out) and the pod's container names; undefined when there are none. */
function settingAnnotations(annotations: unknown, containers: readonly PodContainer[]): PodSettingAnnotations | undefined {
  const all = asObject(annotations);
  if (!all) return undefined;
  let kept: Record<string, string> | undefined;
  for (const [key, raw] of Object.entries(all)) {
    if (typeof raw !== 'string' || !isSettingKey(key)) continue;
    const value = keptValue(raw);
    if (value !== undefined) (kept ??= {})[key] = value;
  }
  return kept ? { annotations: kept, containers: containers.map((c) => c.name) } : undefined;
}

export function isMalformed(pod: RunningPod | MalformedPod): pod is MalformedPod {
  return 'reason' in pod;
}

/** What is wrong with the owner references, if anything (Kubernetes itself checks only that kind and name are non-empty). */
function checkOwners(owners: unknown): string | undefined {
  if (owners === undefined || owners === null) return undefined;
  if (!Array.isArray(owners)) return 'metadata.ownerReferences is not a list';
  for (let i = 0; i < owners.length; i += 1) {
    const owner = asObject(owners[i]);
    if (!owner) return `metadata.ownerReferences[${i}] is not an object`;
    if (!isName(owner.kind)) return `metadata.ownerReferences[${i}] has no kind`;
    if (!isName(owner.name)) return `metadata.ownerReferences[${i}] (${clip(owner.kind)}) has no name`;
  }
  return undefined;
}

/** Adds the containers with an image, with the digest each runs, to `into`; or says what is wrong with them. */
function addContainers(into: PodContainer[], list: unknown, statuses: unknown, where: string, initContainer: boolean): string | undefined {
  if (list === undefined || list === null) return initContainer ? undefined : `${where} is missing`;
  if (!Array.isArray(list)) return `${where} is not a list`;
  for (let i = 0; i < list.length; i += 1) {
    const container = asObject(list[i]);
    if (!container) return `${where}[${i}] is not an object`;
    const { name, image } = container;
    if (!isName(name)) return `${where}[${i}] has no name`;
    if (image === undefined || image === null || image === '') continue;
    if (typeof image !== 'string') return `${where}[${i}] (${clip(name)}) has an image that is not a string`;
    const runningDigest = runningDigestOf(statuses, name);
    into.push(runningDigest ? { name, image, initContainer, runningDigest } : { name, image, initContainer });
  }
  return undefined;
}

/** The digest the runtime reports for the named container; statuses of any other shape are ignored. */
function runningDigestOf(statuses: unknown, name: string): string | undefined {
  if (!Array.isArray(statuses)) return undefined;
  for (const entry of statuses) {
    const status = asObject(entry);
    if (status?.name !== name) continue;
    return typeof status.imageID === 'string' && status.imageID ? parseImageId(status.imageID) : undefined;
  }
  return undefined;
}

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
