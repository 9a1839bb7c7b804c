/**
 * Routes one request to the Kubernetes API emulator, in kube-apiserver's order: authentication
 * first (even for unknown paths), then the route and method, RBAC, any injected fault, and the
 * list page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { gzipBomb, hang } from '../faults.js';
import { logRequest, parseRequestUrl } from '../httpUtil.js';
import { sendListText, sendStatus } from './answers.js';
import type { KubernetesContext } from './context.js';
import { listPage } from './listing.js';
import { status, type KubernetesAuth, type KubernetesFault, type ListRequest, type ListRoute } from './model.js';

/** `/api/v1/namespaces`, `/api/v1/pods` and `/api/v1/namespaces/{ns}/pods`; undefined for any other path. */
function parseListRoute(path: string): ListRoute | undefined {
  if (path === '/api/v1/namespaces' || path === '/api/v1/namespaces/') return { resource: 'namespaces' };
  if (path === '/api/v1/pods' || path === '/api/v1/pods/') return { resource: 'pods' };
  const nsPods = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/?$/.exec(path);
  return nsPods ? { resource: 'pods', namespace: decodeURIComponent(nsPods[1] ?? '') } : undefined;
}

/** The authorizer's verdict on the request's client certificate or bearer token (false without either). */
function authenticate(ctx: KubernetesContext, req: IncomingMessage, route: ListRoute | undefined): { verdict: boolean | 'forbidden'; clientCertCN: string | undefined } {
  const socket = req.socket as TLSSocket;
  let clientCertCN: string | undefined;
  if (socket.authorized) {
    const cn = socket.getPeerCertificate().subject?.CN;
    clientCertCN = Array.isArray(cn) ? cn[0] : cn;
  }
  const authz = req.headers.authorization;
  const bearerToken = authz && /^bearer /i.test(authz) ? authz.slice(7).trim() : undefined;
  const auth: KubernetesAuth = { resource: route?.resource ?? 'pods' };
  if (bearerToken !== undefined) auth.bearerToken = bearerToken;
  if (clientCertCN !== undefined) auth.clientCertCN = clientCertCN;
  if (route?.namespace !== undefined) auth.namespace = route.namespace;
  const verdict = bearerToken === undefined && clientCertCN === undefined ? false : ctx.authorize(auth);
  return { verdict, clientCertCN };
}

function forbiddenMessage(route: ListRoute, clientCertCN: string | undefined): string {
  const user = clientCertCN ?? 'system:serviceaccount-or-aad-user';
  const scope = route.namespace === undefined ? 'at the cluster scope' : `in the namespace "${route.namespace}"`;
  return `${route.resource} is forbidden: User "${user}" cannot list resource "${route.resource}" in API group "" ${scope}`;
}

export function handleKubernetesRequest(ctx: KubernetesContext, req: IncomingMessage, res: ServerResponse): void {
  const { path, query } = parseRequestUrl(req);
  const route = parseListRoute(path);
  const kind = route ? (route.resource === 'pods' ? 'pods-page' : 'namespaces-page') : 'other';
  const { verdict, clientCertCN } = authenticate(ctx, req, route);
  if (verdict === false) return sendStatus(ctx, req, res, kind, 401, status(401, 'Unauthorized', 'Unauthorized'));
  if (!route) return sendStatus(ctx, req, res, kind, 404, status(404, 'NotFound', 'the server could not find the requested resource', {}));
  if (req.method !== 'GET') {
    return sendStatus(ctx, req, res, kind, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {}));
  }
  if (verdict === 'forbidden') return sendStatus(ctx, req, res, kind, 403, status(403, 'Forbidden', forbiddenMessage(route, clientCertCN), { kind: route.resource }));
  const listKind = kind as ListRequest['kind'];
  ctx.listRequests[listKind] += 1;
  const fault = ctx.fault?.({ kind: listKind, number: ctx.listRequests[listKind], query });
  if (fault && answerFault(ctx, req, res, route, listKind, fault)) return;
  const answer = listPage(ctx, route, query);
  if (answer.code === 200) sendListText(ctx, req, res, kind, answer.text, fault);
  else sendStatus(ctx, req, res, kind, answer.code, answer.body);
}

/** Answers with a fault that replaces the whole answer; false for the body faults, which cut the real page short (answers.ts). */
function answerFault(ctx: KubernetesContext, req: IncomingMessage, res: ServerResponse, route: ListRoute, kind: ListRequest['kind'], fault: KubernetesFault): boolean {
  if ('status' in fault) {
    const reason = fault.status === 429 ? 'TooManyRequests' : fault.status === 503 ? 'ServiceUnavailable' : 'InternalError';
    const body = status(fault.status, reason, `the server is unable to handle the request (${reason})`);
    sendStatus(ctx, req, res, kind, fault.status, body, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    return true;
  }
  if ('hang' in fault) {
    hang(req, res, ctx.open);
    return true;
  }
  if ('gzipBombBytes' in fault) {
    logRequest(ctx.requests, req, kind, 200);
    const head = `{"kind":"${route.resource === 'pods' ? 'PodList' : 'NamespaceList'}","apiVersion":"v1","metadata":{"resourceVersion":"${ctx.objects.rv}","padding":"`;
    ctx.bombs.push(gzipBomb(res, head, fault.gzipBombBytes));
    return true;
  }
  return false;
}
