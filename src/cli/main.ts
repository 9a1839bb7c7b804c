/**
 * `acr-aks-sync scan`: one scan from the command line, of the clusters in CLUSTERS or of one
 * cluster reached through a kubeconfig. Exit codes: 0 no drift, 1 drift or stale digest,
 * 2 configuration error, something that could not be scanned, or alerts that could not be
 * delivered.
 */
import { parseArgs } from 'node:util';
import { deliveryProblem, type DeliveryResult } from '../alerts/deliveryResult.js';
import { createStateStore } from '../alerts/state/createStateStore.js';
import type { ClusterSource, ClusterSourceDeps } from '../clusters/clusterSource.js';
import { clusterSources } from '../clusters/clusterSources.js';
import type { KubeconfigSourceOptions } from '../clusters/kubeconfigSource.js';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { ScanReport } from '../model/finding.js';
import { runScan } from '../run/runScan.js';
import { flushTelemetry, startTelemetry } from '../run/telemetry.js';
import { MemoryStatusStore } from '../status/statusStore.js';
import { printReport, type OutputFormat } from './output.js';
import { ProgressLine } from './progress.js';

export const EXIT_OK = 0;
export const EXIT_DRIFT = 1;
export const EXIT_FAILURE = 2;

const USAGE = `Usage: acr-aks-sync scan [options]

Scans the AKS clusters in CLUSTERS (or one cluster through --kubeconfig), compares every
running image with the newest tag in ACR matching TAG_PATTERN, and alerts Slack.

Options:
  --kubeconfig PATH          scan the cluster of this kubeconfig instead of CLUSTERS
  --context NAME             kubeconfig context (default: the current context)
  --cluster-name NAME        name used in messages (default: the context name)
  --output table|json|html   report format (default: table); html is the status page of this
                             scan (redirect it to a file: --output html > status.html)
  --dry-run                  send nothing to Slack (and change no alert state)
  --state FILE               remember alerts in this JSON file between runs: say each drift
                             once, remind every NOTIFY_REPEAT_INTERVAL, tell when it is resolved
                             (without it, every drift found is reported and nothing is kept)
  --registries LIST          overrides REGISTRIES
  --tag-pattern GLOB         overrides TAG_PATTERN
  --grace-period DURATION    overrides GRACE_PERIOD
  --max-results N            overrides ACR_MAX_RESULTS
  --excluded-namespaces LIST overrides EXCLUDED_NAMESPACES
  --slack-channel NAME       overrides SLACK_CHANNEL
  --debug                    verbose logs on stderr (ACR_SYNC_DEBUG=true)
  -h, --help                 this help

Configuration comes from the environment variables documented in the README; flags override them.
On a terminal, a progress line on stderr shows the scan's progress (not with --output json or html).
With APPLICATIONINSIGHTS_CONNECTION_STRING set, the scan's metrics go to that Application Insights
resource, with your Azure login.
Exit codes: 0 no drift, 1 drift or stale digest found, 2 configuration error, a cluster or
registry that could not be scanned, or alerts that could not be delivered.`;

/** Flags that stand in for environment variables. */
const FLAG_TO_VARIABLE: Record<string, string> = {
  registries: 'REGISTRIES',
  'tag-pattern': 'TAG_PATTERN',
  'grace-period': 'GRACE_PERIOD',
  'max-results': 'ACR_MAX_RESULTS',
  'excluded-namespaces': 'EXCLUDED_NAMESPACES',
  'slack-channel': 'SLACK_CHANNEL',
};

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/** What the command line asks for. */
interface ScanCommand {
  /** The flags as given, some standing in for environment variables (FLAG_TO_VARIABLE). */
  flags: Record<string, unknown>;
  kubeconfig: KubeconfigSourceOptions | undefined;
  output: OutputFormat;
  dryRun: boolean;
  statePath: string | undefined;
}

export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const command = parseCommand(argv, io);
  if (typeof command === 'number') return command;
  const config = loadCommandConfig(commandEnvironment(env, command.flags), command, io);
  if (typeof config === 'number') return config;
  // Only on a terminal, and only above a table: JSON and HTML are for other programs and files.
  const progress = command.output === 'table' && io.stderr.isTTY ? new ProgressLine(io.stderr) : undefined;
  const logger = createLogger((level, line) => (progress ? progress.log(`${level.padEnd(5)} ${line}\n`) : io.stderr.write(`${level.padEnd(5)} ${line}\n`)), config.debug);
  // Every token request of the command ends with it, so no request to a hung identity
  // endpoint keeps the process alive after the report.
  const lifetime = new AbortController();
  try {
    return await scanCommand(config, command, { env, logger, io, lifetime: lifetime.signal, ...(progress ? { progress } : {}) });
  } finally {
    lifetime.abort(new Error('the command is over'));
  }
}

/** The command line as a scan command, or the exit code after help or a usage error. */
function parseCommand(argv: string[], io: CliIo): ScanCommand | number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'cluster-name': { type: 'string' },
        output: { type: 'string', default: 'table' },
        'dry-run': { type: 'boolean', default: false },
        state: { type: 'string' },
        debug: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        ...Object.fromEntries(Object.keys(FLAG_TO_VARIABLE).map((f) => [f, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    io.stderr.write(`acr-aks-sync: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_FAILURE;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals[0] !== 'scan' || positionals.length > 1) {
    io.stderr.write(`acr-aks-sync: expected the command "scan"${positionals.length ? `, got "${positionals.join(' ')}"` : ''}\n\n${USAGE}\n`);
    return EXIT_FAILURE;
  }
  return scanCommandOf(values, io);
}

/** The parsed flags as a scan command, or EXIT_FAILURE after saying which flag is wrong. */
function scanCommandOf(values: Record<string, unknown>, io: CliIo): ScanCommand | number {
  const output = values.output;
  if (output !== 'table' && output !== 'json' && output !== 'html') {
    io.stderr.write(`acr-aks-sync: --output must be "table", "json" or "html", got "${String(output)}"\n`);
    return EXIT_FAILURE;
  }
  const statePath = values.state as string | undefined;
  if (statePath !== undefined && statePath.trim() === '') {
    io.stderr.write('acr-aks-sync: --state needs a file path\n');
    return EXIT_FAILURE;
  }
  const path = values.kubeconfig as string | undefined;
  const kubeconfig = path
    ? {
        path,
        ...(values.context ? { context: values.context as string } : {}),
        ...(values['cluster-name'] ? { clusterName: values['cluster-name'] as string } : {}),
      }
    : undefined;
  return { flags: values, kubeconfig, output, dryRun: values['dry-run'] as boolean, statePath };
}

/** The environment with the flags that stand in for variables applied. */
function commandEnvironment(env: Record<string, string | undefined>, flags: Record<string, unknown>): Record<string, string | undefined> {
  const effective: Record<string, string | undefined> = { ...env };
  for (const [flag, variable] of Object.entries(FLAG_TO_VARIABLE)) {
    const value = flags[flag];
    if (typeof value === 'string') effective[variable] = value;
  }
  if (flags.debug) effective.ACR_SYNC_DEBUG = 'true';
  return effective;
}

/** The configuration (CLUSTERS is optional with --kubeconfig), or EXIT_FAILURE after printing the error. */
function loadCommandConfig(env: Record<string, string | undefined>, command: ScanCommand, io: CliIo): Config | number {
  try {
    return loadConfig(env, { requireClusters: !command.kubeconfig });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`acr-aks-sync: configuration error\n${error.message}\n`);
    return EXIT_FAILURE;
  }
}

/** What a scan command runs with, besides the configuration and the command line. */
interface CommandContext {
  env: Record<string, string | undefined>;
  logger: Logger;
  io: CliIo;
  /** Aborted when the command is over. */
  lifetime: AbortSignal;
  progress?: ProgressLine;
}

/** Builds the sources, scans, prints the report and the delivery, sends the metrics, and answers the exit code. */
async function scanCommand(config: Config, command: ScanCommand, { env, logger, io, lifetime, progress }: CommandContext): Promise<number> {
  const credential = createAzureCredential(config, lifetime);
  const sources = await commandSources(config, command, { credential, logger, signal: lifetime }, io);
  if (typeof sources === 'number') return sources;
  const telemetry = await startTelemetry(env, config, logger, { offlineStorage: false });
  // The CLI's own status page (--output html) is built from this scan alone; nothing is kept.
  const statusStore = new MemoryStatusStore();
  const { report, notifications } = await runScan(config, sources, {
    logger,
    credential,
    dryRun: command.dryRun,
    statusStore,
    ...(progress ? { observer: progress } : {}),
    ...(command.statePath !== undefined ? { stateStore: createStateStore({ kind: 'file', path: command.statePath }) } : {}),
  });
  progress?.finish();
  await printReport(report, command.output, io.stdout, statusStore);
  if (notifications) reportDelivery(notifications, logger, io);
  await flushTelemetry(telemetry, logger, 'shutdown');
  return exitCodeFor(report, notifications);
}

/** The clusters of CLUSTERS, or of --kubeconfig; EXIT_FAILURE after saying why they cannot be reached. */
async function commandSources(config: Config, command: ScanCommand, deps: ClusterSourceDeps, io: CliIo): Promise<ClusterSource[] | number> {
  try {
    return await clusterSources(config, deps, command.kubeconfig ? { kubeconfig: command.kubeconfig } : undefined);
  } catch (error) {
    io.stderr.write(`acr-aks-sync: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  }
}

/** The alert delivery on stderr: the counts, and what could not be delivered. */
function reportDelivery(notifications: DeliveryResult, logger: Logger, io: CliIo): void {
  logger.info('Slack notifications', {
    sent: notifications.sent,
    new: notifications.new,
    reminders: notifications.reminders,
    resolved: notifications.resolved,
    failed: notifications.failed,
    stateErrors: notifications.stateErrors,
    ...(notifications.error ? { error: notifications.error } : {}),
  });
  const problem = deliveryProblem(notifications);
  if (problem) io.stderr.write(`acr-aks-sync: alerts could not all be delivered (the next scan retries): ${problem}\n`);
}

/** 2 wins over 1: an incomplete scan, or alerts that could not be delivered, make the answer incomplete. */
export function exitCodeFor(report: ScanReport, notifications: DeliveryResult | null = null): number {
  if (report.summary.clustersFailed > 0 || report.summary.error > 0) return EXIT_FAILURE;
  if (notifications && deliveryProblem(notifications) !== null) return EXIT_FAILURE;
  if (report.summary.drift > 0 || report.summary['stale-digest'] > 0) return EXIT_DRIFT;
  return EXIT_OK;
}
