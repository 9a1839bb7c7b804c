/**
 * Emulates the App Service / Azure Functions managed identity endpoint: the local HTTP
 * endpoint named by the env vars IDENTITY_ENDPOINT and IDENTITY_HEADER that
 * `@azure/identity` (through MSAL) calls as
 *   GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=<resource>[&client_id=<id>]
 *   X-IDENTITY-HEADER: $IDENTITY_HEADER
 * and that answers `{ access_token, expires_on, resource, token_type, client_id }`.
 *
 * Tokens are random opaque strings bound to the (normalised) resource they were issued for;
 * the other emulators (ACR, ARM, Kubernetes) call `validate(token, resource)` to accept them.
 *
 * ONE ENDPOINT PER PROCESS. MSAL (inside @azure/identity 4.x) keeps process-wide static state:
 *  - `ManagedIdentityClient.identitySource` is created on the first token request and keeps the
 *    IDENTITY_ENDPOINT / IDENTITY_HEADER values read *at that moment* for the life of the process;
 *  - `ManagedIdentityApplication.nodeStorage` is one token cache for the process, keyed by identity
 *    (client id, or "system assigned") and resource, not by endpoint.
 * So, like App Service itself, this module runs a single HTTP endpoint per process (same URL and
 * same IDENTITY_HEADER every time, never closed, unref'd so it does not keep the process alive).
 * Each `startManagedIdentityEndpoint()` call returns a fresh *view* with its own configuration,
 * request log and `tokensIssued`; the most recently started view that is still open answers the
 * requests. Tokens live in one registry for the endpoint, so a token MSAL cached from an earlier
 * view still validates in a later one (it was issued by the same endpoint) until it expires or
 * `expireTokens()` is called. Set IDENTITY_ENDPOINT / IDENTITY_HEADER (from `env`) before the
 * first credential in the process asks for a token.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { hang, OpenRequests } from './faults.js';
import { answerAfter, logRequest, parseRequestUrl, sendJson, startHttpServer } from './httpUtil.js';
import type { RequestLogEntry, StartedServer } from './httpUtil.js';

export interface ManagedIdentityOptions {
  /** Client id of a user-assigned identity attached to the app. */
  clientId?: string;
  /**
   * Whether the app also has a system-assigned identity (requests without `client_id`).
   * Default: true when no `clientId` is given, false otherwise (an app with only a
   * user-assigned identity, where the real endpoint rejects requests without `client_id`).
   */
  systemAssigned?: boolean;
  /** Lifetime of issued tokens in seconds (default 3600). */
  tokenLifetimeSeconds?: number;
  /**
   * The X-IDENTITY-HEADER secret this view expects. Default: the process-wide secret (the one
   * in `env`). Give another value to make clients that hold the process secret get 401.
   */
  header?: string;
  latencyMs?: number;
  /** Accept every token request and never answer it (faults.ts `hang`): an identity endpoint that hangs. */
  hang?: boolean;
}

export interface IssuedToken {
  resource: string;
  token: string;
  clientId?: string;
}

export interface ManagedIdentityEndpoint {
  /** The IDENTITY_ENDPOINT value: `http://127.0.0.1:PORT/msi/token` (same for every view in a process). */
  endpoint: string;
  /** The X-IDENTITY-HEADER secret this view expects. */
  header: string;
  /** Values for IDENTITY_ENDPOINT / IDENTITY_HEADER (the header this view expects). */
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** Client id reported for the system-assigned identity (stable within the process). */
  systemClientId: string;
  requests: RequestLogEntry[];
  tokensIssued: IssuedToken[];
  /** True only for an unexpired token issued by this endpoint for exactly this resource (after normalisation). */
  validate(token: string, resource: string): boolean;
  /** Requests held open by `hang`. */
  open: OpenRequests;
  /** Makes every token issued so far invalid (as if expired). */
  expireTokens(): void;
  /** Closes this view; the process-wide endpoint stays up (unref'd, with unref'd connections). */
  close(): Promise<void>;
}

/** `https://x/.default`, `https://x/` and `https://x` all name the same resource. */
export function normaliseResource(resource: string): string {
  let r = resource.trim();
  if (r.endsWith('/.default')) r = r.slice(0, -'/.default'.length);
  while (r.endsWith('/')) r = r.slice(0, -1);
  return r.toLowerCase();
}

const TOKEN_PATH = '/msi/token';
const UNKNOWN_IDENTITY = 'Unable to load the proper Managed Identity.';

interface View {
  options: ManagedIdentityOptions;
  header: string;
  systemAssigned: boolean;
  requests: RequestLogEntry[];
  tokensIssued: IssuedToken[];
  open: OpenRequests;
}

interface SharedEndpoint {
  started: StartedServer;
  endpoint: string;
  header: string;
  systemClientId: string;
  /** token -> binding; one registry for the endpoint (see the module comment). */
  tokens: Map<string, { resource: string; expiresAtMs: number }>;
  /** Open views, oldest first; the last one answers. */
  views: View[];
}

let shared: Promise<SharedEndpoint> | undefined;

function getShared(): Promise<SharedEndpoint> {
  shared ??= (async () => {
    const state: Omit<SharedEndpoint, 'started' | 'endpoint'> = {
      header: randomBytes(24).toString('hex'),
      systemClientId: randomUUID(),
      tokens: new Map(),
      views: [],
    };
    const started = await startHttpServer((req, res) => handle(state as SharedEndpoint, req, res));
    // Never closed (MSAL keeps its URL): neither the listener nor its connections keep the process alive.
    started.server.unref();
    started.server.on('connection', (socket: Socket) => socket.unref());
    return Object.assign(state, { started, endpoint: `${started.url}${TOKEN_PATH}` });
  })();
  return shared;
}

async function handle(state: SharedEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const view = state.views.at(-1);
  if (view?.options.hang) {
    logRequest(view.requests, req, 'token', 0);
    return hang(req, res, view.open);
  }
  const latencyMs = view?.options.latencyMs ?? 0;
  if (latencyMs > 0) answerAfter(res, latencyMs);
  const log = view?.requests ?? [];
  const fail = (status: number, message: string) => {
    logRequest(log, req, 'token', status);
    sendJson(res, status, { statusCode: status, message, correlationId: randomUUID() });
  };

  const { path, query } = parseRequestUrl(req);
  if (!view) return fail(503, 'No managed identity emulator view is open.');
  if (path !== TOKEN_PATH) return fail(404, 'Not found');
  if (req.method !== 'GET') return fail(405, 'Method not allowed');
  const given = req.headers['x-identity-header'];
  if (given !== view.header) return fail(401, given === undefined ? 'Missing X-IDENTITY-HEADER.' : 'Invalid X-IDENTITY-HEADER.');
  if (query['api-version'] !== '2019-08-01') return fail(400, `Unsupported api-version '${query['api-version'] ?? ''}'.`);
  const resource = query.resource;
  if (!resource) return fail(400, 'Required query parameter resource is missing.');
  // This emulator models identities by client id only.
  if (query.mi_res_id !== undefined || query.object_id !== undefined || query.principal_id !== undefined) return fail(400, UNKNOWN_IDENTITY);

  const requestedClientId = query.client_id;
  let clientId: string;
  if (requestedClientId === undefined) {
    if (!view.systemAssigned) return fail(400, UNKNOWN_IDENTITY);
    clientId = state.systemClientId;
  } else {
    const known = [view.options.clientId, view.systemAssigned ? state.systemClientId : undefined];
    if (!known.some((c) => c !== undefined && c.toLowerCase() === requestedClientId.toLowerCase())) return fail(400, UNKNOWN_IDENTITY);
    clientId = requestedClientId;
  }

  const token = `mi.${randomBytes(32).toString('base64url')}`;
  const expiresAtMs = Date.now() + (view.options.tokenLifetimeSeconds ?? 3600) * 1000;
  state.tokens.set(token, { resource: normaliseResource(resource), expiresAtMs });
  view.tokensIssued.push(requestedClientId === undefined ? { resource, token } : { resource, token, clientId: requestedClientId });
  logRequest(log, req, 'token', 200);
  sendJson(res, 200, {
    access_token: token,
    expires_on: String(Math.floor(expiresAtMs / 1000)),
    resource,
    token_type: 'Bearer',
    client_id: clientId,
  });
}

export async function startManagedIdentityEndpoint(options: ManagedIdentityOptions = {}): Promise<ManagedIdentityEndpoint> {
  const state = await getShared();
  const view: View = {
    options: { ...options },
    header: options.header ?? state.header,
    systemAssigned: options.systemAssigned ?? options.clientId === undefined,
    requests: [],
    tokensIssued: [],
    open: new OpenRequests(),
  };
  state.views.push(view);
  return {
    endpoint: state.endpoint,
    header: view.header,
    env: { IDENTITY_ENDPOINT: state.endpoint, IDENTITY_HEADER: view.header },
    systemClientId: state.systemClientId,
    requests: view.requests,
    tokensIssued: view.tokensIssued,
    open: view.open,
    validate(token, resource) {
      const raw = token.startsWith('Bearer ') ? token.slice('Bearer '.length) : token;
      const entry = state.tokens.get(raw);
      return entry !== undefined && entry.expiresAtMs > Date.now() && entry.resource === normaliseResource(resource);
    },
    expireTokens() {
      for (const entry of state.tokens.values()) entry.expiresAtMs = 0;
    },
    close() {
      const i = state.views.indexOf(view);
      if (i >= 0) state.views.splice(i, 1);
      return Promise.resolve();
    },
  };
}
