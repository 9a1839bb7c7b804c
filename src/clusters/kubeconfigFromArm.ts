/**
 * The user kubeconfig ARM returns for an AKS cluster is an answer from outside, trusted only as
 * far as it must be. From it are taken the API server URL, its CA and, for local-account
 * clusters, a static token or an inline client certificate; nothing else:
 *
 * - nothing from it is ever run or read from disk: `exec` and `auth-provider` users, token and
 *   certificate file paths, a CA file, impersonation and basic auth are refused;
 * - the identity's AKS token (Entra clusters) and the kubeconfig's own credential (local
 *   accounts) go only to the cluster's FQDN or private FQDN as `managedClusters.get` reports
 *   them, over TLS verified with the kubeconfig's CA: a server on another host, plain HTTP,
 *   `insecure-skip-tls-verify`, `tls-server-name` and `proxy-url` are refused.
 *
 * The YAML is parsed here with the parser `@kubernetes/client-node` uses, and the `KubeConfig`
 * is built from the checked values: the library's own loader reads `token-file` paths while
 * loading, before anything could be checked.
 */
import { load } from 'js-yaml';
import { KubeConfig, type User } from '@kubernetes/client-node';
import type { TokenCredential } from '@azure/identity';
import { clip } from '../util/text.js';

/** The AKS server application's scope: the same in every cloud. */
export const AKS_SERVER_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
/** A real user kubeconfig is a few kilobytes; more is not one. */
const MAX_KUBECONFIG_BYTES = 256 * 1024;
const ENTRA_USER = 'acr-aks-sync-entra-identity';

const REFUSED_CLUSTER_FIELDS = ['certificate-authority', 'insecure-skip-tls-verify', 'tls-server-name', 'proxy-url'];
const REFUSED_USER_FIELDS = ['exec', 'auth-provider', 'token-file', 'tokenFile', 'client-certificate', 'client-key', 'username', 'password', 'as', 'as-uid', 'as-groups', 'as-user-extra'];

/** What `managedClusters.get` says about where the cluster's API server is. */
export interface ArmClusterHosts {
  fqdn?: string;
  privateFqdn?: string;
}

/** How requests to an Entra cluster get the identity's token. */
export interface EntraAccess {
  credential: TokenCredential;
  /** Cancels a token request (the cluster's budget). */
  signal: AbortSignal;
}

type YamlMap = Record<string, unknown>;

/**
 * The `KubeConfig` to reach the cluster: its server and CA, with the identity's token (`entra`)
 * or the kubeconfig's own static credential. Throws an Error naming what was refused.
 */
export function clusterKubeConfig(kubeconfigYaml: string, hosts: ArmClusterHosts, entra?: EntraAccess): KubeConfig {
  if (kubeconfigYaml.length > MAX_KUBECONFIG_BYTES) throw refused(`is larger than ${MAX_KUBECONFIG_BYTES / 1024} KiB`);
  let document: unknown;
  try {
    document = load(kubeconfigYaml);
  } catch {
    throw refused('is not valid YAML');
  }
  const config = asMap(document) ?? {};
  const contextName = typeof config['current-context'] === 'string' ? config['current-context'] : undefined;
  const context = asMap(named(config.contexts, contextName)?.context);
  const clusterEntry = named(config.clusters, context?.cluster);
  const cluster = asMap(clusterEntry?.cluster);
  if (!context || !cluster) throw refused('names no cluster for its current context');
  const server = checkedServer(cluster, hosts);
  const caData = cluster['certificate-authority-data'];
  if (typeof caData !== 'string' || caData === '') throw refused('gives no certificate-authority-data for the API server');
  const kubeCluster = { name: 'aks', server, caData, skipTLSVerify: false };
  const kc = new KubeConfig();
  if (entra) {
    kc.loadFromOptions({ clusters: [kubeCluster], users: [{ name: ENTRA_USER }], contexts: [{ name: 'aks', cluster: 'aks', user: ENTRA_USER }], currentContext: 'aks' });
    kc.addAuthenticator({
      isAuthProvider: (user: User) => user.name === ENTRA_USER,
      applyAuthentication: async (_user, opts) => {
        const token = await entra.credential.getToken(AKS_SERVER_SCOPE, { abortSignal: entra.signal });
        if (!token) throw new Error('the identity returned no token for the AKS server scope');
        opts.headers = { ...(opts.headers ?? {}), Authorization: `Bearer ${token.token}` };
      },
    });
    return kc;
  }
  const user = { name: 'aks-local-account', ...staticCredential(asMap(named(config.users, context.user)?.user)) };
  kc.loadFromOptions({ clusters: [kubeCluster], users: [user], contexts: [{ name: 'aks', cluster: 'aks', user: user.name }], currentContext: 'aks' });
  return kc;
}

/** The server URL, when it is HTTPS on the cluster's own FQDN or private FQDN. */
function checkedServer(cluster: YamlMap, hosts: ArmClusterHosts): string {
  for (const field of REFUSED_CLUSTER_FIELDS) {
    if (cluster[field] !== undefined && cluster[field] !== false) throw refused(`sets "${field}" for the cluster, which is not accepted from ARM`);
  }
  const server = cluster.server;
  let url: URL;
  try {
    url = new URL(String(server));
  } catch {
    throw refused(`names no valid API server URL (${clip(String(server))})`);
  }
  if (url.protocol !== 'https:') throw refused(`names an API server that is not HTTPS (${clip(url.origin)})`);
  const host = normalHost(url.hostname);
  const allowed = [hosts.fqdn, hosts.privateFqdn].filter((h): h is string => Boolean(h)).map(normalHost);
  if (!allowed.includes(host)) {
    const known = allowed.length ? allowed.join(' or ') : 'none';
    throw refused(`names the API server ${clip(url.hostname)}, which is not the cluster's FQDN as ARM reports it (${known}); no credential is sent there`);
  }
  return url.href.replace(/\/+$/, '');
}

/** A local account's static credential: a token, or an inline client certificate and key. */
function staticCredential(user: YamlMap | undefined): Omit<User, 'name'> {
  if (!user) throw refused('has no user for its current context');
  for (const field of REFUSED_USER_FIELDS) {
    if (user[field] !== undefined && user[field] !== null) throw refused(`has a user with "${field}", which is never run or read from ARM's kubeconfig; only a token or client-certificate-data and client-key-data are accepted`);
  }
  const token = user.token;
  const certData = user['client-certificate-data'];
  const keyData = user['client-key-data'];
  if (typeof certData === 'string' && typeof keyData === 'string') return { certData, keyData, ...(typeof token === 'string' ? { token } : {}) };
  if (typeof token === 'string' && token !== '') return { token };
  throw refused('has a user with neither a token nor client-certificate-data and client-key-data');
}

function refused(what: string): Error {
  return new Error(`the user kubeconfig from ARM ${what}`);
}

function asMap(value: unknown): YamlMap | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as YamlMap) : undefined;
}

/** The entry called `name` of a kubeconfig list (`clusters`, `contexts`, `users`). */
function named(list: unknown, name: unknown): YamlMap | undefined {
  if (!Array.isArray(list) || typeof name !== 'string') return undefined;
  return list.map(asMap).find((entry) => entry?.name === name);
}

function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
}
