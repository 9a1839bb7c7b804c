import { parseClusterTargets, type ResourceClusterTarget } from '../config/clusterTargets.js';

/**
 * One AKS resource ID (an ARM listing's cluster, a queue message's) as a target, read by the
 * CLUSTERS parser so that there is one reading of a resource ID; undefined when it is not one.
 */
export function parseAksResourceId(resourceId: string): ResourceClusterTarget | undefined {
  try {
    const [target] = parseClusterTargets(resourceId);
    return target?.kind === 'resource' ? target : undefined;
  } catch {
    return undefined;
  }
}
