/** The ACR emulator's injected faults that replace a whole answer (acrFaults.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dribble, gzipBomb, stall, type AcrFault } from '../acrFaults.js';
import { logRequest } from '../httpUtil.js';
import { acrErrors, REGISTRY_HEADERS, reply, type AcrContext, type AcrRequestKind } from './context.js';

/** The ACR error code of an injected status. */
function errorCode(status: number): string {
  return status === 429 ? 'TOOMANYREQUESTS' : status === 503 ? 'SERVICE_UNAVAILABLE' : status >= 500 ? 'UNKNOWN' : 'DENIED';
}

/**
 * Answers `req` with a fault that replaces the whole answer; false for the tag page faults,
 * which change the real page (dataRoutes.ts `handleTagList`).
 */
export function answerFault(ctx: AcrContext, req: IncomingMessage, res: ServerResponse, kind: AcrRequestKind, fault: AcrFault): boolean {
  const headers = { ...REGISTRY_HEADERS };
  switch (fault.kind) {
    case 'status':
      reply(ctx, req, res, 'failed', fault.status, acrErrors(errorCode(fault.status), `injected fault (${fault.status})`), fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
      return true;
    case 'stall':
      logRequest(ctx.requests, req, kind, 200);
      stall(res, headers);
      return true;
    case 'slow-body':
      logRequest(ctx.requests, req, kind, 200);
      dribble(res, JSON.stringify({ registry: ctx.loginServer, imageName: 'slow', tags: [], padding: ' '.repeat(2_000) }), fault.bytesPerSecond, headers);
      return true;
    case 'gzip-bomb':
      logRequest(ctx.requests, req, kind, 200);
      gzipBomb(res, fault.inflatedBytes, headers, (bytes) => (ctx.faults.inflatedBytesGenerated += bytes));
      return true;
    case 'empty-object':
      reply(ctx, req, res, kind, 200, {});
      return true;
    default:
      return false;
  }
}
