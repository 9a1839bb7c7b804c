/** A cluster reached through a kubeconfig file and its own credential (the CLI's `--kubeconfig`). */
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSource } from './clusterSource.js';

export interface KubeconfigSourceOptions {
  /** The kubeconfig file. */
  path: string;
  /** Its context to use (default: the current context). */
  context?: string;
  /** What reports call the cluster (default: the context name). */
  clusterName?: string;
}

/** Reads the file now; throws naming the file, and the contexts it has, when it cannot be used. */
export function kubeconfigClusterSource({ path, context, clusterName }: KubeconfigSourceOptions): ClusterSource {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (error) {
    throw new Error(`cannot read kubeconfig ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new Error(`kubeconfig ${path} has no context "${context}" (contexts: ${known})`);
    }
    kc.setCurrentContext(context);
  }
  const current = kc.getCurrentContext();
  if (!current) throw new Error(`kubeconfig ${path} has no current context; pass --context`);
  return {
    name: clusterName ?? current,
    connect: async () => ({ kubeConfig: kc }),
  };
}
