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
 *
 * The parts, in arm/: the managed cluster resources (managedClusters.ts) and the routes (routes.ts).
 */
import type { ArmContext, ArmRequestKind } from './arm/context.js';
import { DEFAULT_TENANT, type ArmClusterSeed } from './arm/managedClusters.js';
import { handleArmRequest } from './arm/routes.js';
import { OpenRequests } from './faults.js';
import { startHttpsServer, type RequestLogEntry, type ServerPki } from './httpUtil.js';

export type { ArmRequestKind } from './arm/context.js';
export type { ArmClusterSeed } from './arm/managedClusters.js';

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

const DEFAULT_CALLER = '00000000-0000-0000-0000-00000000c0de';

export async function startArmEmulator(options: ArmEmulatorOptions): Promise<ArmEmulator> {
  const ctx: ArmContext = {
    endpoint: '',
    requests: [],
    clusters: [...options.clusters],
    extraGroups: options.resourceGroups ?? [],
    pageSize: options.listPageSize ?? 2,
    tenantId: options.tenantId ?? DEFAULT_TENANT,
    callerObjectId: options.callerObjectId ?? DEFAULT_CALLER,
    validateArmToken: options.validateArmToken,
    hang: options.hang ?? [],
    listNextLink: options.listNextLink,
    open: new OpenRequests(),
  };
  const server = await startHttpsServer(options.pki, (req, res) => handleArmRequest(ctx, req, res), options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs });
  ctx.endpoint = `https://${options.host ?? '127.0.0.1'}:${server.port}`;
  return {
    endpoint: ctx.endpoint,
    requests: ctx.requests,
    setClusters(next) {
      ctx.clusters = [...next];
    },
    open: ctx.open,
    close: () => server.close(),
  };
}
