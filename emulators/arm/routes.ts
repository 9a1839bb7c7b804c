/**
 * The ARM emulator's routes: cluster lists (subscription or resource group, paged with an
 * absolute `nextLink`), a cluster's GET and its `listClusterUserCredential`. Like ARM: paths are
 * case-insensitive, `api-version` is required, a missing or rejected bearer token answers 401
 * `InvalidAuthenticationToken` with `WWW-Authenticate`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hang } from '../faults.js';
import { parseRequestUrl } from '../httpUtil.js';
import { armError, reply, same, type ArmContext, type ArmRequestKind } from './context.js';
import { managedClusterJson, PROVIDER, type ArmClusterSeed } from './managedClusters.js';

interface ArmRoute {
  kind: ArmRequestKind;
  sub?: string;
  rg?: string;
  name?: string;
}

type KnownRoute = ArmRoute & { sub: string };

/** `/subscriptions/{s}[/resourceGroups/{g}]/providers/Microsoft.ContainerService/managedClusters[/{n}[/listClusterUserCredential]]` */
function parseArmRoute(method: string, path: string): ArmRoute {
  const segs = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  const lower = segs.map((s) => s.toLowerCase());
  const isProvider = (i: number) => lower[i] === 'providers' && lower[i + 1] === PROVIDER.toLowerCase() && lower[i + 2] === 'managedclusters';
  if (lower[0] !== 'subscriptions' || segs.length < 2) return { kind: 'unknown' };
  const sub = segs[1] as string;
  if (segs.length === 5 && isProvider(2) && method === 'GET') return { kind: 'arm-list', sub };
  if (lower[2] !== 'resourcegroups' || segs.length < 4) return { kind: 'unknown', sub };
  const rg = segs[3] as string;
  if (!isProvider(4)) return { kind: 'unknown', sub, rg };
  if (segs.length === 7 && method === 'GET') return { kind: 'arm-list', sub, rg };
  if (segs.length === 8 && method === 'GET') return { kind: 'arm-get', sub, rg, name: segs[7] as string };
  if (segs.length === 9 && method === 'POST' && lower[8] === 'listclusterusercredential') return { kind: 'arm-credentials', sub, rg, name: segs[7] as string };
  return { kind: 'unknown', sub, rg };
}

export function handleArmRequest(ctx: ArmContext, req: IncomingMessage, res: ServerResponse): void {
  const { path, query } = parseRequestUrl(req);
  const method = req.method ?? 'GET';
  const route = parseArmRoute(method, path);
  const { kind, sub, rg } = route;
  if (ctx.hang.includes(kind)) return hang(req, res, ctx.open);
  if (kind === 'unknown' || sub === undefined) {
    reply(ctx, req, res, 'unknown', 404, armError('InvalidResourceType', `The resource type could not be found for ${method} ${path}.`));
    return;
  }
  const auth = req.headers.authorization;
  const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
  if (!token || !ctx.validateArmToken(token)) return rejectToken(ctx, req, res, kind, token);
  const apiVersion = query['api-version'];
  if (!apiVersion) {
    reply(ctx, req, res, kind, 400, armError('MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'));
    return;
  }
  if (rg !== undefined && !groupExists(ctx, sub, rg)) {
    reply(ctx, req, res, kind, 404, armError('ResourceGroupNotFound', `Resource group '${rg}' could not be found.`));
    return;
  }
  if (kind === 'arm-list') return handleList(ctx, req, res, { ...route, sub }, { path, apiVersion, skipToken: query.$skipToken });
  handleCluster(ctx, req, res, { ...route, sub }, callerOid(token, ctx.callerObjectId));
}

function rejectToken(ctx: ArmContext, req: IncomingMessage, res: ServerResponse, kind: ArmRequestKind, token: string | undefined): void {
  const message = token ? 'The access token is invalid.' : "Authentication failed. The 'Authorization' header is missing.";
  reply(ctx, req, res, kind, 401, armError('InvalidAuthenticationToken', message), {
    'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/${ctx.tenantId}", error="invalid_token", error_description="The access token is invalid."`,
  });
}

function groupExists(ctx: ArmContext, sub: string, rg: string): boolean {
  return ctx.clusters.some((c) => same(c.subscriptionId, sub) && same(c.resourceGroup, rg)) || ctx.extraGroups.some((g) => same(g.subscriptionId, sub) && same(g.name, rg));
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

/** One page of clusters the caller may see; `listNextLink` sends the next link elsewhere. */
function handleList(ctx: ArmContext, req: IncomingMessage, res: ServerResponse, route: KnownRoute, page: { path: string; apiVersion: string; skipToken: string | undefined }): void {
  const { sub, rg } = route;
  const visible = ctx.clusters.filter((c) => same(c.subscriptionId, sub) && (rg === undefined || same(c.resourceGroup, rg)) && c.deny !== 'get');
  const skip = Math.max(0, Number.parseInt(page.skipToken ?? '0', 10) || 0);
  const body: { value: unknown[]; nextLink?: string } = { value: visible.slice(skip, skip + ctx.pageSize).map(managedClusterJson) };
  const redirect = ctx.listNextLink;
  if (redirect?.to === 'self') body.nextLink = `${ctx.endpoint}${req.url ?? page.path}`;
  else if (skip + ctx.pageSize < visible.length) {
    const params = new URLSearchParams({ 'api-version': page.apiVersion, $skipToken: String(skip + ctx.pageSize) });
    body.nextLink = `${redirect?.to === 'origin' ? redirect.origin : ctx.endpoint}${page.path}?${params.toString()}`;
  }
  reply(ctx, req, res, route.kind, 200, body);
}

/** A cluster's GET or its user kubeconfig; `deny` answers 403, `hang` never answers. */
function handleCluster(ctx: ArmContext, req: IncomingMessage, res: ServerResponse, route: KnownRoute, oid: string): void {
  const { kind, sub, rg, name } = route;
  const cluster = ctx.clusters.find((c) => same(c.subscriptionId, sub) && same(c.resourceGroup, rg as string) && same(c.name, name as string));
  if (!cluster) {
    const message = `The Resource '${PROVIDER}/managedClusters/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`;
    reply(ctx, req, res, kind, 404, armError('ResourceNotFound', message));
    return;
  }
  if (cluster.hang === (kind === 'arm-get' ? 'get' : 'credentials')) return hang(req, res, ctx.open);
  if (kind === 'arm-get') {
    if (cluster.deny === 'get') return forbidden(ctx, req, res, kind, oid, `${PROVIDER}/managedClusters/read`, cluster);
    reply(ctx, req, res, kind, 200, managedClusterJson(cluster));
    return;
  }
  if (cluster.deny === 'credentials') return forbidden(ctx, req, res, kind, oid, `${PROVIDER}/managedClusters/listClusterUserCredential/action`, cluster);
  reply(ctx, req, res, kind, 200, { kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(cluster.kubeconfig, 'utf8').toString('base64') }] });
}

function forbidden(ctx: ArmContext, req: IncomingMessage, res: ServerResponse, kind: ArmRequestKind, oid: string, action: string, c: ArmClusterSeed): void {
  const scope = `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/${PROVIDER}/managedClusters/${c.name}`;
  const message = `The client '${oid}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`;
  reply(ctx, req, res, kind, 403, armError('AuthorizationFailed', message));
}
