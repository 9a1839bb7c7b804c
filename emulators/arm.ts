/**
 * Azure Resource Manager emulator (HTTPS) for the parts of Microsoft.ContainerService that
 * `@azure/arm-containerservice` 25.3 calls here:
 *
 * - `GET  /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.ContainerService/managedClusters/{n}` (kind `arm-get`)
 * - `POST .../managedClusters/{n}/listClusterUserCredential` (kind `arm-credentials`)
 * - `GET  /subscriptions/{s}/providers/Microsoft.ContainerService/managedClusters` and the
 *   resource-group variant, paged with an absolute `nextLink` (kind `arm-list`)
 *
 * Like ARM: paths are case-insensitive, `api-version` is required, a missing or rejected bearer
 * token answers 401 `InvalidAuthenticationToken` with `WWW-Authenticate`, `deny` answers 403
 * `AuthorizationFailed`, unknown clusters/resource groups answer 404 `ResourceNotFound` /
 * `ResourceGroupNotFound`. Error bodies are `{ error: { code, message } }`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hang, OpenRequests } from './faults.js';
import { logRequest, parseRequestUrl, sendJson, startHttpsServer } from './httpUtil.js';
import type { RequestLogEntry, ServerPki } from './httpUtil.js';

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

export interface ArmEmulatorOptions {
  pki: ServerPki;
  /** Decides whether a bearer token is an acceptable ARM token. */
  validateArmToken: (token: string) => boolean;
  clusters: ArmClusterSeed[];
  /** Resource groups that exist without clusters (those with clusters always exist). */
  resourceGroups?: Array<{ subscriptionId: string; name: string }>;
  latencyMs?: number;
  /** Host in `endpoint`; default `127.0.0.1`. */
  host?: 'localhost' | '127.0.0.1';
  /** Clusters per list page (default 2). */
  listPageSize?: number;
  /** Tenant shown in the 401 `WWW-Authenticate` authorization_uri. */
  tenantId?: string;
  /** Object id named in 403 messages when the bearer token is not a JWT with an `oid` claim. */
  callerObjectId?: string;
  /** Requests of these kinds are accepted and never answered (faults.ts `hang`). */
  hang?: ArmRequestKind[];
  /**
   * Where a cluster list's `nextLink` points instead of the next page: `self`, the page just
   * read (a list that never ends), or the same path on another `origin` (a host that must not
   * receive the ARM token).
   */
  listNextLink?: { to: 'self' } | { to: 'origin'; origin: string };
}

export type ArmRequestKind = 'arm-get' | 'arm-credentials' | 'arm-list' | 'unknown';

export interface ArmEmulator {
  /** `https://HOST:PORT`, to pass as `{ endpoint }` to ContainerServiceClient. */
  endpoint: string;
  /** Every request in arrival order; failures keep their kind and carry their status. */
  requests: RequestLogEntry[];
  /** Replaces the set of clusters. */
  setClusters(clusters: ArmClusterSeed[]): void;
  /** Requests held open by `hang`. */
  open: OpenRequests;
  close(): Promise<void>;
}

const PROVIDER = 'Microsoft.ContainerService';
const DEFAULT_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const DEFAULT_CALLER = '00000000-0000-0000-0000-00000000c0de';

function armError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

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

function managedClusterJson(c: ArmClusterSeed): Record<string, unknown> {
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

/** The `oid` claim when the token is a JWT that carries one. */
function callerOid(token: string | undefined, fallback: string): string {
  const payload = token?.split('.')[1];
  if (!payload) return fallback;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { oid?: unknown };
    return typeof claims.oid === 'string' ? claims.oid : fallback;
  } catch {
    return fallback;
  }
}

export async function startArmEmulator(options: ArmEmulatorOptions): Promise<ArmEmulator> {
  const requests: RequestLogEntry[] = [];
  let clusters = [...options.clusters];
  const extraGroups = options.resourceGroups ?? [];
  const pageSize = options.listPageSize ?? 2;
  const tenantId = options.tenantId ?? DEFAULT_TENANT;
  let endpoint = '';
  const open = new OpenRequests();

  function reply(req: IncomingMessage, res: ServerResponse, kind: ArmRequestKind, status: number, body: unknown, headers: Record<string, string> = {}): void {
    logRequest(requests, req, kind, status);
    const requestId = randomUUID();
    sendJson(res, status, body, {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': req.headers['x-ms-correlation-request-id']?.toString() ?? requestId,
      'cache-control': 'no-cache',
      ...headers,
    });
  }

  function groupExists(sub: string, rg: string): boolean {
    return clusters.some((c) => same(c.subscriptionId, sub) && same(c.resourceGroup, rg)) || extraGroups.some((g) => same(g.subscriptionId, sub) && same(g.name, rg));
  }

  function forbidden(req: IncomingMessage, res: ServerResponse, kind: ArmRequestKind, oid: string, action: string, c: ArmClusterSeed): void {
    const scope = `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/${PROVIDER}/managedClusters/${c.name}`;
    reply(
      req,
      res,
      kind,
      403,
      armError(
        'AuthorizationFailed',
        `The client '${oid}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      ),
    );
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const { path, query } = parseRequestUrl(req);
    const method = req.method ?? 'GET';
    const segs = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const lower = segs.map((s) => s.toLowerCase());
    const isProvider = (i: number) => lower[i] === 'providers' && lower[i + 1] === PROVIDER.toLowerCase() && lower[i + 2] === 'managedclusters';

    let kind: ArmRequestKind = 'unknown';
    let sub: string | undefined;
    let rg: string | undefined;
    let name: string | undefined;
    if (lower[0] === 'subscriptions' && segs.length >= 2) {
      sub = segs[1];
      if (segs.length === 5 && isProvider(2) && method === 'GET') kind = 'arm-list';
      else if (lower[2] === 'resourcegroups' && segs.length >= 4) {
        rg = segs[3];
        if (isProvider(4)) {
          if (segs.length === 7 && method === 'GET') kind = 'arm-list';
          else if (segs.length === 8 && method === 'GET') {
            kind = 'arm-get';
            name = segs[7];
          } else if (segs.length === 9 && method === 'POST' && lower[8] === 'listclusterusercredential') {
            kind = 'arm-credentials';
            name = segs[7];
          }
        }
      }
    }
    if (options.hang?.includes(kind)) return hang(req, res, open);
    if (kind === 'unknown' || sub === undefined) {
      reply(req, res, 'unknown', 404, armError('InvalidResourceType', `The resource type could not be found for ${method} ${path}.`));
      return;
    }

    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    if (!token || !options.validateArmToken(token)) {
      reply(
        req,
        res,
        kind,
        401,
        armError('InvalidAuthenticationToken', token ? 'The access token is invalid.' : "Authentication failed. The 'Authorization' header is missing."),
        { 'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/${tenantId}", error="invalid_token", error_description="The access token is invalid."` },
      );
      return;
    }
    const apiVersion = query['api-version'];
    if (!apiVersion) {
      reply(req, res, kind, 400, armError('MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests."));
      return;
    }
    if (rg !== undefined && !groupExists(sub, rg)) {
      reply(req, res, kind, 404, armError('ResourceGroupNotFound', `Resource group '${rg}' could not be found.`));
      return;
    }
    const oid = callerOid(token, options.callerObjectId ?? DEFAULT_CALLER);

    if (kind === 'arm-list') {
      const visible = clusters.filter((c) => same(c.subscriptionId, sub) && (rg === undefined || same(c.resourceGroup, rg)) && c.deny !== 'get');
      const skip = Math.max(0, Number.parseInt(query.$skipToken ?? '0', 10) || 0);
      const page = visible.slice(skip, skip + pageSize);
      const body: { value: unknown[]; nextLink?: string } = { value: page.map(managedClusterJson) };
      const redirect = options.listNextLink;
      if (redirect?.to === 'self') body.nextLink = `${endpoint}${req.url ?? path}`;
      else if (skip + pageSize < visible.length) {
        const params = new URLSearchParams({ 'api-version': apiVersion, $skipToken: String(skip + pageSize) });
        body.nextLink = `${redirect?.to === 'origin' ? redirect.origin : endpoint}${path}?${params.toString()}`;
      }
      reply(req, res, kind, 200, body);
      return;
    }

    const cluster = clusters.find((c) => same(c.subscriptionId, sub) && same(c.resourceGroup, rg as string) && same(c.name, name as string));
    if (!cluster) {
      reply(
        req,
        res,
        kind,
        404,
        armError(
          'ResourceNotFound',
          `The Resource '${PROVIDER}/managedClusters/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        ),
      );
      return;
    }
    if (cluster.hang === (kind === 'arm-get' ? 'get' : 'credentials')) return hang(req, res, open);
    if (kind === 'arm-get') {
      if (cluster.deny === 'get') return forbidden(req, res, kind, oid, `${PROVIDER}/managedClusters/read`, cluster);
      reply(req, res, kind, 200, managedClusterJson(cluster));
      return;
    }
    if (cluster.deny === 'credentials') return forbidden(req, res, kind, oid, `${PROVIDER}/managedClusters/listClusterUserCredential/action`, cluster);
    reply(req, res, kind, 200, { kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(cluster.kubeconfig, 'utf8').toString('base64') }] });
  }

  const server = await startHttpsServer(options.pki, handle, options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs });
  endpoint = `https://${options.host ?? '127.0.0.1'}:${server.port}`;
  return {
    endpoint,
    requests,
    setClusters(next) {
      clusters = [...next];
    },
    open,
    close: () => server.close(),
  };
}
