/**
 * The list filters the Kubernetes API emulator understands: `fieldSelector` (status.phase,
 * metadata.name, metadata.namespace, spec.nodeName with `=`, `==`, `!=`) and simple
 * `labelSelector`s (`k=v`, `k!=v`, `k`, `!k`).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { BadRequest, type ListRoute, type NamespaceSpec } from './model.js';

export type Predicate<T> = (item: T) => boolean;

function podFieldValue(pod: V1Pod, field: string): string | undefined {
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

function namespaceFieldValue(ns: NamespaceSpec, field: string): string | undefined {
  return field === 'metadata.name' ? ns.name : field === 'status.phase' ? 'Active' : undefined;
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

function parseLabelTerm(raw: string): Predicate<Record<string, string>> {
  const term = raw.trim();
  let m = /^([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(term);
  if (m) {
    const [, key = '', op, value = ''] = m;
    return (labels) => (op === '!=' ? labels[key] !== value : labels[key] === value);
  }
  m = /^(!?)([A-Za-z0-9./_-]+)$/.exec(term);
  if (m) {
    const [, not, key = ''] = m;
    return (labels) => (key in labels) !== (not === '!');
  }
  throw new BadRequest(`unable to parse requirement: ${term} (this emulator supports k=v, k!=v, k, !k)`);
}

function parseLabelSelector<T>(selector: string | undefined, labelsOf: (item: T) => Record<string, string> | undefined): Predicate<T> | undefined {
  if (!selector) return undefined;
  const terms = selector.split(',').map(parseLabelTerm);
  return (item) => {
    const labels = labelsOf(item) ?? {};
    return terms.every((t) => t(labels));
  };
}

function both<T>(field: Predicate<T> | undefined, label: Predicate<T> | undefined): Predicate<unknown> | undefined {
  if (!field && !label) return undefined;
  return (item) => (field ? field(item as T) : true) && (label ? label(item as T) : true);
}

/** The filter of a list request; undefined when it has none. Throws BadRequest for a selector it cannot parse. */
export function listPredicate(resource: ListRoute['resource'], query: Record<string, string>): Predicate<unknown> | undefined {
  if (resource === 'pods') {
    return both(parseFieldSelector<V1Pod>(query.fieldSelector, podFieldValue, {}), parseLabelSelector<V1Pod>(query.labelSelector, (p) => p.metadata?.labels));
  }
  return both(
    parseFieldSelector<NamespaceSpec>(query.fieldSelector, namespaceFieldValue, { name: '' }),
    parseLabelSelector<NamespaceSpec>(query.labelSelector, (n) => ({ 'kubernetes.io/metadata.name': n.name, ...n.labels })),
  );
}
