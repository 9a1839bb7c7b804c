/** The kubeconfig YAML a client needs to reach the Kubernetes API emulator. */
import type { TestPki } from '../testPki.js';
import type { KubeconfigOptions } from './model.js';

/** Kubeconfig YAML for the server at `serverUrl` (default user: the static `token`). */
export function kubeconfigYaml(serverUrl: string, pki: TestPki, token: string, opts: KubeconfigOptions = {}): string {
  const clusterName = opts.clusterName ?? 'aks-emulator';
  const contextName = opts.contextName ?? clusterName;
  const userName = `clusterUser_emulator_${clusterName}`;
  const q = (s: string) => JSON.stringify(s);
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const user = opts.user ?? { token };
  const userLines: string[] = [];
  if (user.clientCert) {
    userLines.push(`    client-certificate-data: ${b64(pki.clientCertPem)}`, `    client-key-data: ${b64(pki.clientKeyPem)}`);
  }
  if (user.token !== undefined) userLines.push(`    token: ${q(user.token)}`);
  // JSON is valid YAML (flow style), so the exec block can be written as-is.
  if (user.exec !== undefined) userLines.push(`    exec: ${JSON.stringify(user.exec)}`);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(pki.caPem)}`,
    `    server: ${q(serverUrl)}`,
    `  name: ${q(clusterName)}`,
    'contexts:',
    '- context:',
    `    cluster: ${q(clusterName)}`,
    `    user: ${q(userName)}`,
    `  name: ${q(contextName)}`,
    `current-context: ${q(contextName)}`,
    'preferences: {}',
    'users:',
    `- name: ${q(userName)}`,
    userLines.length > 0 ? '  user:' : '  user: {}',
    ...userLines,
    '',
  ].join('\n');
}
