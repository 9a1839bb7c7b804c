/**
 * Starts the app in a Functions host stand-in of its own (functionsHostProcess.ts) with the
 * given settings, and talks to it: run the timer, follow its log, stop it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { HostMessage, HostRequest } from './functionsHostProcess.js';

export interface AppLog {
  /** Every line logged so far. */
  readonly logs: string[];
  /** Resolves with the first line from index `after` on (past or future) that `match` accepts; rejects after `timeoutMs`. */
  waitForLog(match: (line: string) => boolean, after?: number, timeoutMs?: number): Promise<string>;
}

export interface HostedApp extends AppLog {
  /** Runs the `scan` timer function once; resolves with its duration (ms). */
  runTimer(): Promise<number>;
  stop(): Promise<void>;
}

/** A log to follow: `add` each line as it comes. */
export function followLog(): AppLog & { add(line: string): void } {
  const logs: string[] = [];
  const listeners = new Set<(line: string) => void>();
  return {
    logs,
    add(line) {
      logs.push(line);
      for (const l of listeners) l(line);
    },
    waitForLog(match, after = 0, timeoutMs = 120_000) {
      const past = logs.slice(after).find(match);
      if (past !== undefined) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const listener = (line: string): void => {
          if (!match(line)) return;
          listeners.delete(listener);
          clearTimeout(timer);
          resolve(line);
        };
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`no such log line within ${timeoutMs} ms; last lines:\n${logs.slice(-10).join('\n')}`));
        }, timeoutMs);
        listeners.add(listener);
      });
    },
  };
}

/**
 * The child's errors, shown here, without the warnings @azure/functions prints outside a real
 * host ("Switching ... to test mode", "Skipping call to register function"): the stand-in calls
 * the handlers itself.
 */
function forwardStderr(child: ChildProcess): void {
  createInterface({ input: child.stderr as Readable }).on('line', (line) => {
    if (!/^WARNING: .*(test mode|Failed to detect the Azure Functions runtime)/.test(line)) process.stderr.write(`${line}\n`);
  });
}

const entry = join(dirname(fileURLToPath(import.meta.url)), 'functionsHostProcess.js');

export async function startHostedApp(env: Record<string, string>): Promise<HostedApp> {
  const child: ChildProcess = fork(entry, [], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  forwardStderr(child);
  const log = followLog();
  let timerDone: ((message: { ms: number; error?: string }) => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the app's host process exited with ${code}`)));
    child.on('message', (message: HostMessage) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'log') log.add(message.line);
      else timerDone?.(message);
    });
  });
  const request = (r: HostRequest) => child.send(r);
  return {
    logs: log.logs,
    waitForLog: log.waitForLog,
    runTimer() {
      return new Promise((resolve, reject) => {
        timerDone = ({ ms, error }) => (error ? reject(new Error(`the timer run failed: ${error}`)) : resolve(ms));
        request({ type: 'timer' });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      request({ type: 'stop' });
      await exited;
    },
  };
}
