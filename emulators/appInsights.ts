/**
 * Emulates the ingestion endpoint of an Application Insights resource with local authentication
 * off, as the Azure Monitor exporter uses it: `POST {IngestionEndpoint}/v2.1/track` with a JSON
 * array of telemetry envelopes (gzip when Content-Encoding says so) and an Entra bearer token
 * for `https://monitor.azure.com`; the answer is `{itemsReceived, itemsAccepted, errors}`.
 * A request without a token the `validateToken` callback accepts gets 401, as the real resource
 * answers when it accepts Entra tokens only; an envelope for another instrumentation key is
 * refused in `errors`. Over HTTPS with the test CA (the SDK sends tokens over TLS only).
 *
 * `metrics()` flattens the accepted metric envelopes into points, as `customMetrics` rows:
 * name, value (the sum for a histogram), count, and the dimensions.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { logRequest, parseRequestUrl, sendJson, startHttpsServer, type RequestLogEntry, type ServerPki } from './httpUtil.js';

export const MONITOR_RESOURCE = 'https://monitor.azure.com';

export interface AppInsightsOptions {
  pki: ServerPki;
  /** Whether an Entra token may write to this resource (e.g. `identity.validate(token, MONITOR_RESOURCE)`). */
  validateToken: (token: string) => boolean;
}

export interface TelemetryEnvelope {
  name: string;
  iKey?: string;
  time: string;
  tags?: Record<string, string>;
  data?: { baseType?: string; baseData?: { metrics?: Array<{ name: string; value: number; count?: number; min?: number; max?: number }>; properties?: Record<string, unknown> } };
}

export interface MetricPoint {
  name: string;
  value: number;
  count: number;
  dimensions: Record<string, string>;
  /** The envelope's cloud role (the SDK resource's service.name). */
  role: string | undefined;
}

export interface AppInsightsIngestion {
  /** APPLICATIONINSIGHTS_CONNECTION_STRING for this resource. */
  connectionString: string;
  instrumentationKey: string;
  /** Accepted envelopes, in arrival order. */
  envelopes: TelemetryEnvelope[];
  /** Bearer tokens received, valid or not. */
  tokens: string[];
  requests: RequestLogEntry[];
  metrics(): MetricPoint[];
  /** The metric points of each accepted track request, in arrival order (a CLI run sends one). */
  batches(): MetricPoint[][];
  /** The next `count` track requests get `status` (a 503, say), nothing accepted. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

function readBuffer(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function pointsOf(envelope: TelemetryEnvelope): MetricPoint[] {
  const base = envelope.data?.baseType === 'MetricData' ? envelope.data.baseData : undefined;
  const dimensions = Object.fromEntries(Object.entries(base?.properties ?? {}).map(([k, v]) => [k, String(v)]));
  return (base?.metrics ?? []).map((m) => ({ name: m.name, value: m.value, count: m.count ?? 1, dimensions, role: envelope.tags?.['ai.cloud.role'] }));
}

export async function startAppInsightsIngestion(options: AppInsightsOptions): Promise<AppInsightsIngestion> {
  const instrumentationKey = randomUUID();
  const envelopes: TelemetryEnvelope[] = [];
  const accepted: TelemetryEnvelope[][] = [];
  const tokens: string[] = [];
  const requests: RequestLogEntry[] = [];
  let failing = { count: 0, status: 503 };

  async function track(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBuffer(req);
    const body = /gzip/i.test(String(req.headers['content-encoding'] ?? '')) ? gunzipSync(raw) : raw;
    const items = JSON.parse(body.toString('utf8')) as TelemetryEnvelope[];
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (token) tokens.push(token);
    const answer = (status: number, accepted: number, errors: unknown[]) => {
      logRequest(requests, req, 'track', status);
      sendJson(res, status, { itemsReceived: items.length, itemsAccepted: accepted, errors });
    };
    if (!token || !options.validateToken(token)) {
      return answer(401, 0, items.map((_, index) => ({ index, statusCode: 401, message: 'Authorization is required: this resource accepts Microsoft Entra tokens only' })));
    }
    if (failing.count > 0) {
      failing = { ...failing, count: failing.count - 1 };
      return answer(failing.status, 0, items.map((_, index) => ({ index, statusCode: failing.status, message: 'emulated failure' })));
    }
    const errors: unknown[] = [];
    const batch: TelemetryEnvelope[] = [];
    items.forEach((item, index) => {
      if (item.iKey === instrumentationKey) batch.push(item);
      else errors.push({ index, statusCode: 400, message: 'Invalid instrumentation key' });
    });
    envelopes.push(...batch);
    accepted.push(batch);
    return answer(errors.length ? 206 : 200, items.length - errors.length, errors);
  }

  const server = await startHttpsServer(options.pki, async (req, res) => {
    const { path } = parseRequestUrl(req);
    if (req.method === 'POST' && /^\/+v2(\.1)?\/track$/.test(path)) return track(req, res);
    logRequest(requests, req, 'unknown', 404);
    sendJson(res, 404, { error: 'not found' });
  });
  return {
    connectionString: `InstrumentationKey=${instrumentationKey};IngestionEndpoint=${server.url}/;LiveEndpoint=${server.url}/`,
    instrumentationKey,
    envelopes,
    tokens,
    requests,
    metrics: () => envelopes.flatMap(pointsOf),
    batches: () => accepted.map((batch) => batch.flatMap(pointsOf)),
    failNext(count, status) {
      failing = { count, status };
    },
    close: () => server.close(),
  };
}
