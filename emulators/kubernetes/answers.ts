/**
 * How the Kubernetes API emulator writes an answer: Status objects as JSON; list pages gzipped
 * above `compressAbove` when the client accepts gzip (like kube-apiserver's
 * APIResponseCompression), or cut short by a body fault, or paused part-way (`pauseBody`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { stallBody, truncateBody } from '../faults.js';
import { logRequest, sendJson } from '../httpUtil.js';
import type { KubernetesContext } from './context.js';
import type { KubernetesFault } from './model.js';

export function sendStatus(ctx: KubernetesContext, req: IncomingMessage, res: ServerResponse, kind: string, code: number, body: unknown, headers: Record<string, string> = {}): void {
  logRequest(ctx.requests, req, kind, code);
  sendJson(res, code, body, headers);
}

export function sendListText(
  ctx: KubernetesContext,
  req: IncomingMessage,
  res: ServerResponse,
  kind: string,
  text: string,
  bodyFault: KubernetesFault | undefined,
): void {
  const code = 200;
  logRequest(ctx.requests, req, kind, code);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bodyFault && 'stallAfterBytes' in bodyFault) return stallBody(res, code, headers, text, bodyFault.stallAfterBytes, ctx.open);
  if (bodyFault && 'truncateAfterBytes' in bodyFault) return truncateBody(res, code, headers, text, bodyFault.truncateAfterBytes);
  if (Buffer.byteLength(text) > ctx.compressAbove && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    const gzipped = gzipSync(text);
    const entry = ctx.requests[ctx.requests.length - 1];
    if (entry) entry.contentEncoding = 'gzip';
    res.writeHead(code, { ...headers, 'content-encoding': 'gzip', 'content-length': gzipped.length });
    res.end(gzipped);
    return;
  }
  res.writeHead(code, { ...headers, 'content-length': Buffer.byteLength(text) });
  const pause = ctx.pauseBody;
  if (!pause || text.length <= pause.afterBytes) {
    res.end(text);
    return;
  }
  res.write(text.slice(0, pause.afterBytes));
  setTimeout(() => res.end(text.slice(pause.afterBytes)), pause.ms);
}
