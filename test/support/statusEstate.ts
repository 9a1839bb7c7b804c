/**
 * The estate behind the status page tests: the sandbox of `npm run demo` (drift, stale digest,
 * pending, errors), a cluster whose pods carry hostile names (HTML in an owner name and in a
 * namespace's channel label), and a cluster that cannot be reached; scanned once through the real
 * scan path (runScan), which stores each cluster's status in Azurite's table, as the functions do.
 * `env` holds the app settings the `status` function needs to read them back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite, type Azurite } from '../../emulators/azurite.js';
import { kubeconfigYaml } from '../../emulators/kubernetes/kubeconfig.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { digestOf, startSandbox, type Sandbox } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { kubeconfigClusterSource } from '../../src/clusters/kubeconfigSource.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ScanReport } from '../../src/model/finding.js';
import { runScan } from '../../src/run/runScan.js';
import { TableStatusStore } from '../../src/status/tableStatusStore.js';

export const HOSTILE_WORKLOAD = `<img src=x onerror="document.title='pwned'">`;
export const HOSTILE_CHANNEL = '<script>document.title="pwned"</script>';
export const STATUS_TABLE = 'acrsyncstatus';

export interface StatusEstate {
  sandbox: Sandbox;
  storage: Azurite;
  report: ScanReport;
  /** App settings for the functions: the sandbox's, the storage account and the table. */
  env: Record<string, string>;
  close(): Promise<void>;
}

async function startHostileCluster(sandbox: Sandbox): Promise<KubernetesApiHandle> {
  const prod = sandbox.registry.loginServer;
  return startKubernetesApi({
    pki: ensureTestPki(),
    namespaces: [{ name: 'web', labels: { slackChannel: HOSTILE_CHANNEL } }],
    pods: [
      makePod({
        namespace: 'web',
        name: 'hostile-0',
        owner: { kind: 'StatefulSet', name: HOSTILE_WORKLOAD },
        containers: [{ name: 'cache', image: `${prod}/web/cache:prod-2`, imageID: `${prod}/web/cache@${digestOf('cache-2')}` }],
      }),
    ],
  });
}

export async function startStatusEstate(): Promise<StatusEstate> {
  const pki = ensureTestPki();
  const sandbox = await startSandbox(pki);
  const hostile = await startHostileCluster(sandbox);
  const storage = await startAzurite();
  const hostilePath = join(sandbox.dir, 'hostile.yaml');
  writeFileSync(hostilePath, hostile.kubeconfig({ contextName: 'hostile-aks', clusterName: 'hostile-aks' }));
  const offlinePath = join(sandbox.dir, 'offline.yaml');
  writeFileSync(offlinePath, kubeconfigYaml('https://127.0.0.1:1', pki, 'token', { clusterName: 'offline-aks' }));
  const env: Record<string, string> = {
    ...sandbox.env,
    CLUSTERS: '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/sandbox-aks',
    AzureWebJobsStorage: storage.connectionString,
    STATE_TABLE: STATUS_TABLE,
  };
  const savedEnv = { ...process.env };
  Object.assign(process.env, sandbox.env); // the managed identity endpoint, for DefaultAzureCredential
  let report: ScanReport;
  try {
    const sources = [sandbox.kubeconfigPath, hostilePath, offlinePath].map((path) => kubeconfigClusterSource({ path }));
    const statusStore = new TableStatusStore({ connectionString: storage.connectionString, tableName: STATUS_TABLE });
    ({ report } = await runScan(loadConfig(env), sources, { logger: silentLogger, dryRun: true, statusStore }));
  } finally {
    process.env = savedEnv;
  }
  return {
    sandbox,
    storage,
    report,
    env,
    async close() {
      await Promise.all([sandbox.close(), hostile.close(), storage.close()]);
    },
  };
}
