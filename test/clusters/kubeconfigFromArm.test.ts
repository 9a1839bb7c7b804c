import { describe, expect, it } from 'vitest';
import { clusterKubeConfig } from '../../src/clusters/kubeconfigFromArm.js';

const FQDN = 'prod-aks-1a2b.hcp.westeurope.azmk8s.io';
const HOSTS = { fqdn: FQDN };

/** A user kubeconfig as ARM returns it, with the given cluster and user fields (YAML flow maps). */
function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{ name: prod-aks, cluster: ${JSON.stringify({ server: `https://${FQDN}:443`, 'certificate-authority-data': 'Q0E=', ...cluster })} }]`,
    'contexts: [{ name: prod-aks, context: { cluster: prod-aks, user: clusterUser_rg_prod-aks } }]',
    'current-context: prod-aks',
    `users: [{ name: clusterUser_rg_prod-aks, user: ${JSON.stringify(user)} }]`,
  ].join('\n');
}

const entra = { credential: { getToken: () => Promise.resolve(null) }, signal: new AbortController().signal };

describe('clusterKubeConfig (what is taken from the kubeconfig ARM returns)', () => {
  it('takes the server, the CA and a static token or inline client certificate', () => {
    const withToken = clusterKubeConfig(kubeconfig({}, { token: 'static' }), HOSTS);
    expect(withToken.getCurrentCluster()).toMatchObject({ server: `https://${FQDN}`, caData: 'Q0E=', skipTLSVerify: false });
    expect(withToken.getCurrentUser()).toMatchObject({ token: 'static' });
    const withCert = clusterKubeConfig(kubeconfig({}, { 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5', token: 'static' }), HOSTS);
    expect(withCert.getCurrentUser()).toMatchObject({ certData: 'Y2VydA==', keyData: 'a2V5', token: 'static' });
  });

  it('ignores the user of an Entra cluster (it wants kubelogin) and never keeps its exec block', () => {
    const kc = clusterKubeConfig(kubeconfig({}, { exec: { command: 'kubelogin', args: ['get-token'] } }), HOSTS, entra);
    expect(kc.getCurrentUser()?.exec).toBeUndefined();
    expect(kc.getCurrentCluster()?.server).toBe(`https://${FQDN}`);
  });

  it.each([
    ['exec', { exec: { command: 'sh', args: ['-c', 'id'] } }],
    ['auth-provider', { 'auth-provider': { name: 'azure' } }],
    ['token-file', { 'token-file': '/var/run/secrets/token' }],
    ['client-certificate', { 'client-certificate': '/etc/cert.pem', 'client-key-data': 'a2V5' }],
    ['client-key', { 'client-certificate-data': 'Y2VydA==', 'client-key': '/etc/key.pem' }],
    ['username', { username: 'admin', password: 'secret' }],
    ['as', { token: 'static', as: 'system:admin' }],
  ])('refuses a local-account user with "%s", naming it', (field, user) => {
    expect(() => clusterKubeConfig(kubeconfig({}, user), HOSTS)).toThrow(`the user kubeconfig from ARM has a user with "${field}", which is never run or read from ARM's kubeconfig`);
  });

  it('refuses a user with no credential it accepts', () => {
    expect(() => clusterKubeConfig(kubeconfig({}, {}), HOSTS)).toThrow('has a user with neither a token nor client-certificate-data and client-key-data');
  });

  it.each([
    ['insecure-skip-tls-verify', { 'insecure-skip-tls-verify': true }],
    ['certificate-authority', { 'certificate-authority': '/etc/ca.pem' }],
    ['tls-server-name', { 'tls-server-name': 'elsewhere.example' }],
    ['proxy-url', { 'proxy-url': 'http://proxy.example:3128' }],
  ])('refuses a cluster entry with "%s", for Entra clusters too', (field, cluster) => {
    expect(() => clusterKubeConfig(kubeconfig(cluster, { token: 'static' }), HOSTS, entra)).toThrow(`sets "${field}" for the cluster, which is not accepted from ARM`);
  });

  it('refuses a server on another host than the FQDN or private FQDN, and one without TLS', () => {
    expect(() => clusterKubeConfig(kubeconfig({ server: 'https://attacker.example:443' }, { token: 'static' }), HOSTS, entra)).toThrow(
      `the user kubeconfig from ARM names the API server attacker.example, which is not the cluster's FQDN as ARM reports it (${FQDN}); no credential is sent there`,
    );
    expect(() => clusterKubeConfig(kubeconfig({ server: `http://${FQDN}:80` }, { token: 'static' }), HOSTS)).toThrow('names an API server that is not HTTPS');
    expect(() => clusterKubeConfig(kubeconfig({}, { token: 'static' }), {})).toThrow('as ARM reports it (none)');
  });

  it('accepts the private FQDN, whatever the case and a trailing dot', () => {
    const privateFqdn = 'prod-aks-1a2b.privatelink.westeurope.azmk8s.io';
    const kc = clusterKubeConfig(kubeconfig({ server: `https://${privateFqdn.toUpperCase()}.:443` }, { token: 'static' }), { privateFqdn });
    expect(kc.getCurrentCluster()?.server).toContain(privateFqdn);
  });

  it('refuses YAML it cannot read and a kubeconfig that is not one', () => {
    expect(() => clusterKubeConfig('clusters: [', HOSTS)).toThrow('the user kubeconfig from ARM is not valid YAML');
    expect(() => clusterKubeConfig('just text', HOSTS)).toThrow('names no cluster for its current context');
    expect(() => clusterKubeConfig(`# ${'x'.repeat(300 * 1024)}`, HOSTS)).toThrow('is larger than 256 KiB');
  });
});
