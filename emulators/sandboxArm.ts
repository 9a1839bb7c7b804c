/**
 * The sandbox's cluster reached through ARM, as the function app reaches its clusters (CLUSTERS
 * names resource IDs): an ARM emulator with one local-account cluster whose user kubeconfig is
 * the sandbox's Kubernetes API. For the demo's push part and the push tests that use the sandbox.
 */
import { startArmEmulator, type ArmEmulator } from './arm.js';
import { normaliseResource } from './managedIdentity.js';
import type { Sandbox } from './sandbox.js';
import type { TestPki } from './testPki.js';

const SUBSCRIPTION = '0de70000-0000-4000-8000-00000000de70';

export interface SandboxArm {
  arm: ArmEmulator;
  /** The app settings that reach the cluster through it: ARM_ENDPOINT and CLUSTERS. */
  env: { ARM_ENDPOINT: string; CLUSTERS: string };
  close(): Promise<void>;
}

export async function startSandboxArm(sandbox: Sandbox, pki: TestPki): Promise<SandboxArm> {
  let armResource = '';
  const arm = await startArmEmulator({
    pki,
    validateArmToken: (token) => sandbox.identity.validate(token, armResource),
    clusters: [{ subscriptionId: SUBSCRIPTION, resourceGroup: 'sandbox-rg', name: sandbox.clusterName, aadEnabled: false, kubeconfig: sandbox.kubernetes.kubeconfig({ clusterName: sandbox.clusterName }) }],
  });
  armResource = normaliseResource(arm.endpoint);
  const resourceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/sandbox-rg/providers/Microsoft.ContainerService/managedClusters/${sandbox.clusterName}`;
  return { arm, env: { ARM_ENDPOINT: arm.endpoint, CLUSTERS: `${sandbox.clusterName}=${resourceId}` }, close: () => arm.close() };
}
