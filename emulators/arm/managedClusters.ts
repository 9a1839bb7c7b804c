/**
 * The managed clusters the ARM emulator serves, as `Microsoft.ContainerService/managedClusters`
 * resources in ARM's JSON.
 */

export interface ArmClusterSeed {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Default `westeurope`. */
  location?: string;
  tags?: Record<string, string>;
  /**
   * Public API server FQDN; default: the host of the kubeconfig's `server` (as in Azure, where
   * the user kubeconfig names the cluster's FQDN), unless the cluster is private-only.
   */
  fqdn?: string;
  /** Set for private clusters (also sets `apiServerAccessProfile.enablePrivateCluster`). */
  privateFqdn?: string;
  aadEnabled: boolean;
  enableAzureRBAC?: boolean;
  disableLocalAccounts?: boolean;
  /** Default `1.31.2`. */
  kubernetesVersion?: string;
  /** Kubeconfig YAML returned (base64) by listClusterUserCredential. */
  kubeconfig: string;
  /** Answer 403 AuthorizationFailed for that call (`get` also hides the cluster from lists). */
  deny?: 'get' | 'credentials';
  /** Accept that call for this cluster and never answer it (faults.ts `hang`). */
  hang?: 'get' | 'credentials';
}

export const PROVIDER = 'Microsoft.ContainerService';
export const DEFAULT_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** A short stable hex string (for default FQDNs and ids). */
function hashHex(s: string, len: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0').repeat(Math.ceil(len / 8)).slice(0, len);
}

function clusterId(c: ArmClusterSeed): string {
  return `/subscriptions/${c.subscriptionId}/resourcegroups/${c.resourceGroup}/providers/${PROVIDER}/managedClusters/${c.name}`;
}

export function managedClusterJson(c: ArmClusterSeed): Record<string, unknown> {
  const location = c.location ?? 'westeurope';
  const dnsPrefix = `${c.name}-dns`;
  const hash = hashHex(clusterId(c), 8);
  const fqdn = c.fqdn ?? (c.privateFqdn ? undefined : (kubeconfigServerHost(c.kubeconfig) ?? `${dnsPrefix}-${hash}.hcp.${location}.azmk8s.io`));
  const version = c.kubernetesVersion ?? '1.31.2';
  return {
    id: clusterId(c),
    location,
    name: c.name,
    type: `${PROVIDER}/ManagedClusters`,
    tags: c.tags ?? {},
    sku: { name: 'Base', tier: 'Standard' },
    kind: 'Base',
    identity: { type: 'SystemAssigned', principalId: randomUUIDFrom(`${clusterId(c)}/identity`), tenantId: DEFAULT_TENANT },
    properties: {
      provisioningState: 'Succeeded',
      powerState: { code: 'Running' },
      kubernetesVersion: version,
      currentKubernetesVersion: version,
      dnsPrefix,
      ...(fqdn ? { fqdn, azurePortalFQDN: `${dnsPrefix}-${hash}.portal.hcp.${location}.azmk8s.io` } : {}),
      ...(c.privateFqdn ? { privateFQDN: c.privateFqdn } : {}),
      agentPoolProfiles: [
        {
          name: 'nodepool1',
          count: 3,
          vmSize: 'Standard_D4ds_v5',
          osDiskSizeGB: 128,
          osDiskType: 'Ephemeral',
          maxPods: 110,
          type: 'VirtualMachineScaleSets',
          provisioningState: 'Succeeded',
          powerState: { code: 'Running' },
          orchestratorVersion: version,
          currentOrchestratorVersion: version,
          mode: 'System',
          osType: 'Linux',
          osSKU: 'AzureLinux',
        },
      ],
      nodeResourceGroup: `MC_${c.resourceGroup}_${c.name}_${location}`,
      enableRBAC: true,
      supportPlan: 'KubernetesOfficial',
      networkProfile: { networkPlugin: 'azure', networkPluginMode: 'overlay', podCidr: '10.244.0.0/16', serviceCidr: '10.0.0.0/16', dnsServiceIP: '10.0.0.10', outboundType: 'loadBalancer', loadBalancerSku: 'standard' },
      ...(c.aadEnabled ? { aadProfile: { managed: true, enableAzureRBAC: c.enableAzureRBAC ?? false, tenantID: DEFAULT_TENANT } } : {}),
      disableLocalAccounts: c.disableLocalAccounts ?? false,
      ...(c.privateFqdn ? { apiServerAccessProfile: { enablePrivateCluster: true, privateDNSZone: 'system' } } : {}),
      oidcIssuerProfile: { enabled: false },
      maxAgentPools: 100,
    },
  };
}

/** The host of the first `server:` in a kubeconfig's YAML. */
function kubeconfigServerHost(kubeconfig: string): string | undefined {
  const server = /^\s*server:\s*"?([^"\s]+)"?\s*$/m.exec(kubeconfig)?.[1];
  try {
    return server ? new URL(server).hostname : undefined;
  } catch {
    return undefined;
  }
}

/** A UUID-shaped string derived from `s`, so ids stay stable between calls. */
function randomUUIDFrom(s: string): string {
  const h = hashHex(s, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

