/**
 * CLUSTERS: which AKS clusters to scan.
 *
 * Entries are separated by commas or newlines; surrounding whitespace and blank entries are
 * ignored. An entry is either
 *
 * - an AKS resource ID, `/subscriptions/S/resourceGroups/G/providers/Microsoft.ContainerService/managedClusters/N`
 *   (segment names case-insensitive, as ARM treats them), optionally prefixed with an alias
 *   that names the cluster in reports: `prod-aks=/subscriptions/…`; or
 * - `subscription:S`, every AKS cluster of a subscription, optionally only those with a tag:
 *   `subscription:S?tag=key:value`.
 */
import { QUOTED_VALUE_MAX, cutText, quoteValue } from '../util/text.js';

export interface ResourceClusterTarget {
  kind: 'resource';
  /** Canonical resource ID (segment names in ARM's usual casing, no trailing slash). */
  resourceId: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** The alias when one was given, else the cluster name. */
  displayName: string;
}

export interface SubscriptionClusterTarget {
  kind: 'subscription';
  subscriptionId: string;
  /** Only clusters carrying this Azure tag. */
  tag?: { key: string; value: string };
}

export type ClusterTarget = ResourceClusterTarget | SubscriptionClusterTarget;

export const CLUSTER_RESOURCE_ID_EXAMPLE =
  'prod-aks=/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod';
export const CLUSTER_SUBSCRIPTION_EXAMPLE = 'subscription:00000000-0000-0000-0000-000000000000?tag=env:prod';

export interface ClusterTargetProblem {
  /** The entry as written (trimmed). */
  entry: string;
  message: string;
  /** A well-formed entry of the kind the bad one seems to be. */
  example: string;
}

export class ClusterTargetsError extends Error {
  readonly problems: readonly ClusterTargetProblem[];

  constructor(problems: readonly ClusterTargetProblem[]) {
    super(problems.map((p) => `${describeEntry(p.entry)}: ${p.message} (e.g. ${p.example})`).join('\n'));
    this.name = 'ClusterTargetsError';
    this.problems = problems;
  }
}

function describeEntry(entry: string): string {
  return `cluster entry ${quoteValue(entry)}`;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** ARM: 1-90 letters, digits, `_`, `.`, `(`, `)`, `-`; must not end with `.`. */
const RESOURCE_GROUP = /^[\p{L}\p{N}_.()-]{1,90}$/u;
/** AKS: 1-63 letters, digits, `_`, `-`; starts and ends with a letter or digit. */
const CLUSTER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;
const ALIAS = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const SUBSCRIPTION_PREFIX = /^subscription:/i;

/** Splits a comma- or newline-separated list, trimming entries and dropping blank ones. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\r\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

type EntryResult = { target: ClusterTarget } | { message: string; example: string };

function parseSubscriptionEntry(entry: string): EntryResult {
  const example = CLUSTER_SUBSCRIPTION_EXAMPLE;
  const body = entry.replace(SUBSCRIPTION_PREFIX, '');
  const question = body.indexOf('?');
  const subscriptionId = (question === -1 ? body : body.slice(0, question)).trim();
  if (subscriptionId.length === 0) return { message: 'the subscription ID is missing', example };
  if (!GUID.test(subscriptionId)) return { message: `subscription ID ${quoteValue(subscriptionId)} is not a GUID`, example };
  if (question === -1) return { target: { kind: 'subscription', subscriptionId } };

  const query = body.slice(question + 1);
  const equals = query.indexOf('=');
  const parameter = equals === -1 ? query : query.slice(0, equals);
  if (parameter.trim().toLowerCase() !== 'tag' || equals === -1) {
    return { message: `only a "?tag=key:value" filter is supported after the subscription ID, not ${quoteValue(`?${query}`)}`, example };
  }
  const filter = query.slice(equals + 1);
  const colon = filter.indexOf(':');
  const key = colon === -1 ? '' : filter.slice(0, colon).trim();
  const value = colon === -1 ? '' : filter.slice(colon + 1).trim();
  if (colon === -1 || key.length === 0 || value.length === 0) {
    return { message: `tag filter ${quoteValue(filter)} must be key:value with both parts non-empty`, example };
  }
  return { target: { kind: 'subscription', subscriptionId, tag: { key, value } } };
}

const EXPECTED_SEGMENTS = ['subscriptions', 'resourcegroups', 'providers', 'microsoft.containerservice', 'managedclusters'];

function parseResourceEntry(entry: string): EntryResult {
  const example = CLUSTER_RESOURCE_ID_EXAMPLE;
  let alias: string | undefined;
  let resourceId = entry;
  const equals = entry.indexOf('=');
  if (equals !== -1) {
    alias = entry.slice(0, equals).trim();
    resourceId = entry.slice(equals + 1).trim();
    if (SUBSCRIPTION_PREFIX.test(resourceId)) {
      return { message: 'an alias names one cluster; it cannot be given to a subscription:… entry', example };
    }
    if (!ALIAS.test(alias)) {
      return {
        message: `alias ${quoteValue(alias)} must be 1-63 letters, digits, ".", "_" or "-", starting and ending with a letter or digit`,
        example,
      };
    }
  }
  if (!resourceId.startsWith('/')) {
    return {
      message: 'expected an AKS resource ID starting with /subscriptions/, or subscription:<subscription ID> for a whole subscription',
      example,
    };
  }
  const segments = resourceId.replace(/\/+$/, '').split('/').slice(1);
  if (segments.length === 2 && segments[0]?.toLowerCase() === 'subscriptions') {
    return {
      message: 'this is a subscription, not a cluster; write subscription:<subscription ID> to scan all its clusters',
      example: CLUSTER_SUBSCRIPTION_EXAMPLE,
    };
  }
  const [, subscriptionId, , resourceGroup, , namespace, type, name] = segments;
  const keywordsMatch = segments.length === 8 && [0, 2, 4, 5, 6].every((index, i) => segments[index]?.toLowerCase() === EXPECTED_SEGMENTS[i]);
  if (!keywordsMatch || subscriptionId === undefined || resourceGroup === undefined || name === undefined) {
    const isAksType = `${namespace}/${type}`.toLowerCase() === 'microsoft.containerservice/managedclusters';
    if (segments.length === 8 && segments[4]?.toLowerCase() === 'providers' && !isAksType) {
      return { message: `resource type ${cutText(`${namespace}/${type}`, QUOTED_VALUE_MAX)} is not an AKS cluster (Microsoft.ContainerService/managedClusters)`, example };
    }
    return {
      message: 'is not an AKS resource ID of the form /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>',
      example,
    };
  }
  if (!GUID.test(subscriptionId)) return { message: `subscription ID ${quoteValue(subscriptionId)} is not a GUID`, example };
  if (!RESOURCE_GROUP.test(resourceGroup) || resourceGroup.endsWith('.')) {
    return { message: `resource group name ${quoteValue(resourceGroup)} is not valid`, example };
  }
  if (!CLUSTER_NAME.test(name)) return { message: `cluster name ${quoteValue(name)} is not a valid AKS cluster name`, example };
  return {
    target: {
      kind: 'resource',
      resourceId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`,
      subscriptionId,
      resourceGroup,
      name,
      displayName: alias ?? name,
    },
  };
}

function parseEntry(entry: string): EntryResult {
  return SUBSCRIPTION_PREFIX.test(entry) ? parseSubscriptionEntry(entry) : parseResourceEntry(entry);
}

function identity(target: ClusterTarget): string {
  return target.kind === 'resource'
    ? `resource:${target.resourceId.toLowerCase()}`
    : `subscription:${target.subscriptionId.toLowerCase()}?${target.tag ? `${target.tag.key}:${target.tag.value}` : ''}`;
}

/**
 * The targets in a CLUSTERS value, in order. Throws `ClusterTargetsError` listing every bad
 * entry (with an example of a good one), and duplicates: the same cluster or subscription
 * twice, or two clusters with the same display name (compared case-insensitively, since
 * display names key reports and state).
 */
export function parseClusterTargets(value: string): ClusterTarget[] {
  const targets: ClusterTarget[] = [];
  const problems: ClusterTargetProblem[] = [];
  const seenIdentity = new Map<string, string>();
  const seenDisplayName = new Map<string, string>();
  for (const entry of splitList(value)) {
    const result = parseEntry(entry);
    if (!('target' in result)) {
      problems.push({ entry, message: result.message, example: result.example });
      continue;
    }
    const { target } = result;
    const id = identity(target);
    const sameTarget = seenIdentity.get(id);
    if (sameTarget !== undefined) {
      problems.push({
        entry,
        message: `lists the same ${target.kind === 'resource' ? 'cluster' : 'subscription'} as ${quoteValue(sameTarget)}`,
        example: target.kind === 'resource' ? CLUSTER_RESOURCE_ID_EXAMPLE : CLUSTER_SUBSCRIPTION_EXAMPLE,
      });
      continue;
    }
    seenIdentity.set(id, entry);
    if (target.kind === 'resource') {
      const key = target.displayName.toLowerCase();
      const sameName = seenDisplayName.get(key);
      if (sameName !== undefined) {
        problems.push({
          entry,
          message: `display name ${quoteValue(target.displayName)} is already used by ${quoteValue(sameName)}; give one of them an alias (alias=/subscriptions/…)`,
          example: CLUSTER_RESOURCE_ID_EXAMPLE,
        });
        continue;
      }
      seenDisplayName.set(key, entry);
    }
    targets.push(target);
  }
  if (problems.length > 0) throw new ClusterTargetsError(problems);
  return targets;
}
