/**
 * The smallest estates, for tests about lifetimes and time budgets rather than findings: a
 * Kubernetes API serving one untracked pod (apps/web-0, nginx), alone or behind ARM as two
 * Entra-enabled clusters, one of which ARM never answers for.
 */
import { startAcrRegistry, type AcrRegistryEmulator } from '../../emulators/acrRegistry.js';
import { startArmEmulator, type ArmEmulator, type ArmRequestKind } from '../../emulators/arm.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle, type KubernetesApiOptions } from '../../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ACR_RESOURCE } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { AKS_RESOURCE, SUBSCRIPTION } from './estate.js';

/** A Kubernetes API serving namespace `apps` with one running nginx pod, `web-0`. */
export function startOnePodCluster(options: Omit<KubernetesApiOptions, 'pki' | 'namespaces' | 'pods'> = {}): Promise<KubernetesApiHandle> {
  return startKubernetesApi({
    pki: ensureTestPki(),
    namespaces: [{ name: 'apps' }],
    pods: [makePod({ namespace: 'apps', name: 'web-0', containers: [{ name: 'web', image: 'docker.io/library/nginx:1.27' }] })],
    ...options,
  });
}

export interface StuckClusterEstate {
  identity: ManagedIdentityEndpoint;
  /** Serves both clusters; accepts the identity's AKS tokens. */
  kubernetes: KubernetesApiHandle;
  /** Accepts the identity's ACR tokens; no repositories. */
  registry: AcrRegistryEmulator;
  /** `healthy-aks` and `stuck-aks` in resource group `rg` of SUBSCRIPTION. */
  arm: ArmEmulator;
  /** The identity, ARM_ENDPOINT and REGISTRIES (CLUSTERS and CLUSTER_TIMEOUT are the test's). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The one-pod cluster behind ARM twice: `healthy-aks`, and `stuck-aks`, whose `stuck` call ARM
 * accepts and never answers; ARM also never answers requests of the kinds in `armHang`.
 */
export async function startStuckClusterEstate(stuck: 'get' | 'credentials', armHang: ArmRequestKind[] = []): Promise<StuckClusterEstate> {
  const pki = ensureTestPki();
  const identity = await startManagedIdentityEndpoint();
  const kubernetes = await startOnePodCluster({ authorize: (auth) => auth.bearerToken !== undefined && identity.validate(auth.bearerToken, AKS_RESOURCE) });
  const registry = await startAcrRegistry({ pki, validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE), repositories: {} });
  let armResource = '';
  const arm = await startArmEmulator({
    pki,
    validateArmToken: (token) => identity.validate(token, armResource),
    clusters: [
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg', name: 'healthy-aks', aadEnabled: true, kubeconfig: kubernetes.kubeconfig() },
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg', name: 'stuck-aks', aadEnabled: true, kubeconfig: kubernetes.kubeconfig(), hang: stuck },
    ],
    ...(armHang.length > 0 ? { hang: armHang } : {}),
  });
  armResource = normaliseResource(arm.endpoint);
  return {
    identity,
    kubernetes,
    registry,
    arm,
    env: { ...identity.env, ARM_ENDPOINT: arm.endpoint, REGISTRIES: registry.loginServer, ALLOW_ANY_REGISTRY_HOST: 'true' },
    async close() {
      await Promise.all([arm.close(), kubernetes.close(), registry.close(), identity.close()]);
    },
  };
}
