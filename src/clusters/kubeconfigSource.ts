/** A cluster reached through a kubeconfig file and its own credential (the CLI's `--kubeconfig`). */
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSource } from './clusterSource.js';

export function kubeconfigClusterSource(path: string, options: { context?: string; clusterName?: string }): ClusterSource {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (error) {
    throw new Error(`cannot read kubeconfig ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (options.context) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new Error(`kubeconfig ${path} has no context "${options.context}" (contexts: ${known})`);
    }
    kc.setCurrentContext(options.context);
  }
  const context = kc.getCurrentContext();
  if (!context) throw new Error(`kubeconfig ${path} has no current context; pass --context`);
  return {
    name: options.clusterName ?? context,
    connect: async () => kc,
  };
}
