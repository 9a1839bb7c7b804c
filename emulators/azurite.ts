/**
 * Azurite (the Azure Storage emulator, a dev dependency) for tests: the table service and,
 * when asked, the queue service, each a child process started from
 * `node_modules/azurite/dist/src/<service>/main.js` on a free port, in memory, with telemetry
 * off. `close()` always stops them: SIGTERM to the process group, SIGKILL if it lingers, and
 * a last-resort kill when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export type AzuriteService = 'table' | 'queue';

export interface AzuriteOptions {
  /** Services to start (default: table only). */
  services?: AzuriteService[];
}

export interface Azurite {
  /** `http://127.0.0.1:PORT/devstoreaccount1` */
  tableUrl?: string;
  queueUrl?: string;
  /** Connection string for devstoreaccount1 with the started endpoints. */
  connectionString: string;
  close(): Promise<void>;
}

const azuriteRoot = dirname(createRequire(import.meta.url).resolve('azurite/package.json'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Starts one service; resolves when its port accepts connections. */
async function startService(service: AzuriteService, location: string): Promise<{ child: ChildProcess; port: number }> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const script = join(azuriteRoot, 'dist', 'src', service, 'main.js');
    const child = spawn(
      process.execPath,
      [
        script,
        '--silent',
        '--inMemoryPersistence',
        '--disableTelemetry',
        '--skipApiVersionCheck',
        `--${service}Host`,
        '127.0.0.1',
        `--${service}Port`,
        String(port),
      ],
      // Azurite's workspace is its working directory (--location cannot go with --inMemoryPersistence).
      { cwd: location, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.add(child);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => {
        for (const c of running) killGroup(c, 'SIGKILL');
      });
    }
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exited = false;
    child.once('exit', () => {
      exited = true;
      running.delete(child);
    });

    const deadline = Date.now() + 20_000;
    while (!exited && Date.now() < deadline) {
      if (await canConnect(port)) return { child, port };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    killGroup(child, 'SIGKILL');
    lastError = new Error(`Azurite ${service} did not start on port ${port}: ${output.trim().slice(-500) || (exited ? 'exited' : 'timed out')}`);
  }
  throw lastError ?? new Error(`Azurite ${service} did not start`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const services = options.services ?? ['table'];
  const location = mkdtempSync(join(tmpdir(), 'acr-aks-sync-azurite-'));
  const started: Array<{ service: AzuriteService; child: ChildProcess; port: number }> = [];
  const close = async () => {
    await Promise.all(started.map((s) => stop(s.child)));
    rmSync(location, { recursive: true, force: true });
  };
  try {
    for (const service of services) started.push({ service, ...(await startService(service, location)) });
  } catch (error) {
    await close();
    throw error;
  }
  const urlOf = (service: AzuriteService) => {
    const s = started.find((x) => x.service === service);
    return s ? `http://127.0.0.1:${s.port}/${AZURITE_ACCOUNT}` : undefined;
  };
  const tableUrl = urlOf('table');
  const queueUrl = urlOf('queue');
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    ...(tableUrl ? [`TableEndpoint=${tableUrl}`] : []),
    ...(queueUrl ? [`QueueEndpoint=${queueUrl}`] : []),
  ].join(';') + ';';
  return { ...(tableUrl ? { tableUrl } : {}), ...(queueUrl ? { queueUrl } : {}), connectionString, close };
}
