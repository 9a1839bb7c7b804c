/**
 * One page of a namespace or pod list, as kube-apiserver answers it: `limit` / `continue`
 * paging, selectors, `remainingItemCount` for unfiltered lists. Items are served in the order
 * given; a page costs O(limit) for unfiltered lists, and filtered lists scan only up to the next
 * match.
 */
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { BadRequest, status, type ListRoute, type NamespaceSpec } from './model.js';
import type { ClusterObjects, ContinueTokens, ContinuedList } from './objects.js';
import { listPredicate, type Predicate } from './selectors.js';

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

/** A page as JSON text, or an error Status. */
export type ListAnswer = { code: 200; text: string } | { code: 400 | 410; body: Record<string, unknown> };

export interface ListContext {
  objects: ClusterObjects;
  continues: ContinueTokens;
  /** Every continued pod list page names the continue token it was asked with. */
  repeatContinueToken: boolean;
}

export function listPage(ctx: ListContext, route: ListRoute, query: Record<string, string>): ListAnswer {
  try {
    const limit = parseLimit(query.limit);
    const listPath = route.namespace === undefined ? route.resource : `${route.resource}@${route.namespace}`;
    const list = query.continue ? ctx.continues.resolve(query.continue, listPath) : { source: freshSource(ctx.objects, route), rv: ctx.objects.rv, start: 0 };
    if (list === 'expired') return { code: 410, body: status(410, 'Expired', EXPIRED_MESSAGE) };
    const predicate = listPredicate(route.resource, query);
    const { items, next } = collectPage(list, limit, predicate);
    const metadata: Record<string, unknown> = { resourceVersion: String(list.rv) };
    if (next < list.source.length && query.continue && ctx.repeatContinueToken) {
      metadata.continue = query.continue;
    } else if (next < list.source.length) {
      metadata.continue = ctx.continues.issue(list.source, listPath, list.rv, next);
      if (!predicate) metadata.remainingItemCount = list.source.length - next;
    }
    return { code: 200, text: listJson(ctx.objects, route.resource, metadata, items) };
  } catch (err) {
    if (err instanceof BadRequest) return { code: 400, body: status(400, 'BadRequest', err.message) };
    throw err;
  }
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  if (!/^-?\d+$/.test(raw)) throw new BadRequest(`limit: Invalid value: "${raw}"`);
  return Math.max(0, Number(raw));
}

function freshSource(objects: ClusterObjects, route: ListRoute): readonly unknown[] {
  if (route.resource === 'namespaces') return objects.namespaces;
  return route.namespace === undefined ? objects.pods : objects.podsIn(route.namespace);
}

/** The page's items from `list.start`, and where the next page starts. */
function collectPage(list: ContinuedList, limit: number, predicate: Predicate<unknown> | undefined): { items: unknown[]; next: number } {
  const { source } = list;
  const items: unknown[] = [];
  let i = list.start;
  const max = limit > 0 ? limit : Number.POSITIVE_INFINITY;
  for (; i < source.length && items.length < max; i++) {
    const item = source[i];
    if (!predicate || predicate(item)) items.push(item);
  }
  // Skip ahead to the next match so the last page never ends with an empty "continue" page.
  if (predicate) while (i < source.length && !predicate(source[i])) i++;
  return { items, next: i };
}

/** Field order as kube-apiserver writes a list: kind, apiVersion, metadata, items. */
function listJson(objects: ClusterObjects, resource: ListRoute['resource'], metadata: Record<string, unknown>, items: unknown[]): string {
  const rv = String(metadata.resourceVersion);
  const itemsJson = resource === 'pods' ? items.map((p) => objects.podJson(p as V1Pod)) : (items as NamespaceSpec[]).map((n) => JSON.stringify(namespaceObject(n, rv)));
  const kindName = resource === 'pods' ? 'PodList' : 'NamespaceList';
  return `{"kind":"${kindName}","apiVersion":"v1","metadata":${JSON.stringify(metadata)},"items":[${itemsJson.join(',')}]}`;
}

function namespaceObject(ns: NamespaceSpec, rv: string): V1Namespace {
  return {
    metadata: {
      name: ns.name,
      uid: `ns-${ns.name}`,
      resourceVersion: rv,
      creationTimestamp: new Date('2024-01-01T00:00:00Z'),
      labels: { 'kubernetes.io/metadata.name': ns.name, ...ns.labels },
      ...(ns.annotations ? { annotations: { ...ns.annotations } } : {}),
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}
