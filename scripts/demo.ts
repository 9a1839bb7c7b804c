/**
 * `npm run demo`: starts the local emulators with a small realistic estate, runs the real CLI
 * against them (a kubeconfig, the managed-identity endpoint, HTTPS with a test CA: the same
 * code path as production), prints the report and the Slack messages the receiver got, then
 * runs a second scan to show that nothing already said is said again. Then the function app
 * with push-driven checks: a push, the check it schedules, and the alert at push + grace
 * (demo/pushChecks.ts). It ends with the status page of a last scan (a file to open in a
 * browser) and the metrics the CLI's scans sent to an emulated Application Insights, with the
 * managed identity's token.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MONITOR_RESOURCE, startAppInsightsIngestion } from '../emulators/appInsights.js';
import { startAzurite } from '../emulators/azurite.js';
import { startSandbox } from '../emulators/sandbox.js';
import { ensureTestPki } from '../emulators/testPki.js';
import type { ScanReport } from '../src/model/finding.js';
import { DEMO_PUSH_QUEUE, showPushChecks } from './demo/pushChecks.js';
import { printMetrics } from './demoMetrics.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'bin', 'acr-aks-sync.js');

/** Runs the real CLI and gives back what it printed on stdout. */
function cliOutput(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

/** Where the settings of a few findings came from, as `--output json` reports them. */
async function printProvenance(args: string[], env: Record<string, string>): Promise<void> {
  const report = JSON.parse(await cliOutput([...args, '--dry-run', '--output', 'json'], env)) as ScanReport;
  const shown = [['staging', 'storefront'], ['search', 'tokenizer'], ['payments', 'worker']];
  for (const f of report.clusters.flatMap((c) => c.findings)) {
    if (!shown.some(([namespace, container]) => f.namespace === namespace && f.container === container) || !f.settings) continue;
    console.log(`${f.namespace}/${f.workload.name} (${f.container}):`);
    for (const [name, setting] of Object.entries(f.settings)) console.log(`  ${name.padEnd(11)} ${JSON.stringify(setting.value).padEnd(18)} from ${setting.from}`);
  }
}

/** Runs the real CLI; `quiet` drops its report (the second scan only needs to show silence), a file number takes it. */
function runCli(args: string[], env: Record<string, string>, quiet: boolean | number = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const stdout = typeof quiet === 'number' ? quiet : quiet ? 'ignore' : 'inherit';
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function printMessages(messages: ReadonlyArray<Record<string, unknown>>): void {
  for (const message of messages) {
    console.log(`${String(message.channel)}  ${String(message.username)} :${String(message.icon_emoji).replace(/:/g, '')}:`);
    console.log(`  ${String(message.text).split('\n').join('\n  ')}`);
  }
}

function heading(text: string): void {
  console.log(`\n\x1b[1m== ${text}\x1b[0m`);
}

async function main(): Promise<void> {
  const pkiDir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-demo-pki-'));
  const pki = ensureTestPki(pkiDir);
  const storage = await startAzurite({ services: ['table', 'queue'] });
  const sandbox = await startSandbox(pki, new Date(), { eventGrid: { connectionString: storage.connectionString, queueName: DEMO_PUSH_QUEUE } });
  // The CLI scans' metrics go to an emulated Application Insights, as a deployed app's go to the real one.
  const appInsights = await startAppInsightsIngestion({ pki, validateToken: (token) => sandbox.identity.validate(token, MONITOR_RESOURCE) });
  const env = { ...sandbox.env, APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.connectionString };
  try {
    heading('Sandbox estate');
    console.log(`Kubernetes API ${sandbox.kubernetes.url} (cluster "${sandbox.clusterName}", namespaces payments, search, web, staging, kube-system)`);
    console.log('Settings of their own: namespace staging (annotations: tag pattern staging-*, channel staging-alerts, grace period 10m),');
    console.log('  payments-batch opted out, search-indexer\'s tokenizer container on nightly-*, web-search with a bad grace-period annotation');
    console.log(`ACR ${sandbox.registry.loginServer} and ${sandbox.privateRegistry.loginServer} (the identity may not read the second)`);
    console.log(`Slack webhook receiver ${new URL(sandbox.slack.url).host}; managed identity ${sandbox.identity.endpoint}`);

    const stateFile = join(sandbox.dir, 'alert-state.json');
    const args = ['scan', '--kubeconfig', sandbox.kubeconfigPath, '--state', stateFile];
    heading(`First scan: acr-aks-sync ${args.join(' ')}`);
    const code = await runCli(args, env);
    console.log(`(exit code ${code}: 0 no drift, 1 drift or stale digest, 2 something could not be scanned)`);

    heading(`Slack messages received (${sandbox.slack.messages.length})`);
    printMessages(sandbox.slack.messages);

    heading('Where some findings\' settings came from (acr-aks-sync scan --output json: each finding\'s "settings")');
    await printProvenance(args, sandbox.env);

    const before = sandbox.slack.messages.length;
    heading('Second scan, same estate (alerts already sent are not repeated)');
    await runCli(args, env, true);
    const repeated = sandbox.slack.messages.length - before;
    console.log(`Slack messages sent by the second scan: ${repeated}`);

    heading('The payments team rolls out prod-789; a third scan says the alert is over');
    sandbox.rollOutPaymentsWorker();
    const beforeThird = sandbox.slack.messages.length;
    await runCli(args, env, true);
    printMessages(sandbox.slack.messages.slice(beforeThird));

    await showPushChecks(sandbox, storage, pki, heading);

    const page = join(root, 'dist', 'demo', 'status-page.html');
    heading(`The status page: acr-aks-sync scan --kubeconfig ${sandbox.kubeconfigPath} --dry-run --output html > ${page}`);
    mkdirSync(dirname(page), { recursive: true });
    const file = openSync(page, 'w');
    await runCli(['scan', '--kubeconfig', sandbox.kubeconfigPath, '--dry-run', '--output', 'html'], env, file).finally(() => closeSync(file));
    console.log(`Open ${pathToFileURL(page).href} in a browser (deployed, the status function serves the same page at /api/status).`);

    heading(`Metrics the CLI's four scans sent to Application Insights (${appInsights.envelopes.length} items, each with the managed identity's token)`);
    printMetrics(appInsights.batches());
  } finally {
    await appInsights.close();
    await sandbox.close();
    await storage.close();
    rmSync(pkiDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
