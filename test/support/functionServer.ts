/**
 * Serves one HTTP function's handler on 127.0.0.1 the way the Functions host calls it: each
 * request becomes an `HttpRequest` with its method, URL and headers, and the handler's answer
 * (status, headers, body or JSON body) is written back. For tests that need a real browser in
 * front of a function.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { HttpResponseInit } from '@azure/functions';

export interface FunctionServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Log lines the handler wrote, `<level> <line>`. */
  logs: string[];
  close(): Promise<void>;
}

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

export async function serveFunction(name: string, handler: HttpHandler): Promise<FunctionServer> {
  const logs: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const request = new HttpRequest({ method: req.method ?? 'GET', url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, headers });
      const context = new InvocationContext({ invocationId: 'browser', functionName: name, logHandler: (level, ...args) => logs.push(`${level} ${args.join(' ')}`) });
      const answer = await handler(request, context);
      const body = answer.jsonBody !== undefined ? JSON.stringify(answer.jsonBody) : String(answer.body ?? '');
      const type = answer.jsonBody !== undefined ? { 'Content-Type': 'application/json' } : {};
      res.writeHead(answer.status ?? 200, { ...type, ...(answer.headers as Record<string, string> | undefined) });
      res.end(body);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
