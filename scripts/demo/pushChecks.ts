/**
 * The push part of `npm run demo`: the sandbox cluster reached through ARM, as the function app
 * reaches it, and the app in a Functions host stand-in with PUSH_CHECKS on and a 15-second grace
 * period. The timer scans once (and writes the push index); then two tags are pushed to the
 * emulated ACR, whose ImagePushed events go to the push queue as Event Grid delivers them; the
 * imagePushed function schedules a check of the cluster for each, visible at push + grace. The
 * search team rolls out its new tag within the grace period and hears nothing; payments-worker
 * does not, and its alert reaches Slack at push + grace. Nothing polls faster and no timer runs
 * in between. Last, pushes to a repository that a namespace with settings of its own runs show
 * that its tag pattern and grace period decide what is checked and when. The app sends its metrics
 * to an emulated Application Insights of its own, whose detection latency the demo prints.
 */
import { MONITOR_RESOURCE, startAppInsightsIngestion, type AppInsightsIngestion, type MetricPoint } from '../../emulators/appInsights.js';
import type { Azurite } from '../../emulators/azurite.js';
import { startHostedApp, type HostedApp } from '../../emulators/functionsHostClient.js';
import { digestOf, type Sandbox } from '../../emulators/sandbox.js';
import { startSandboxArm, type SandboxArm } from '../../emulators/sandboxArm.js';
import type { TestPki } from '../../emulators/testPki.js';

export const DEMO_PUSH_QUEUE = 'acrsync-pushes';
const GRACE_SECONDS = 15;

/** The clock time of `at` (UTC, to the tenth of a second) and how long after `t0` it was. */
function stamp(t0: number, at = Date.now()): string {
  return `${new Date(at).toISOString().slice(11, 21)}Z  push${at >= t0 ? '+' : '-'}${(Math.abs(at - t0) / 1000).toFixed(1).padStart(4)}s`;
}

/** The part of a log line after `<level> <function> `. */
const body = (line: string): string => line.replace(/^\w+ \w+ /, '');

function startApp(sandbox: Sandbox, storage: Azurite, arm: SandboxArm, appInsights: AppInsightsIngestion): Promise<HostedApp> {
  return startHostedApp({
    ...sandbox.env,
    ...arm.env,
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.connectionString,
    AzureWebJobsStorage: storage.connectionString,
    PUSH_CHECKS: 'true',
    PUSH_QUEUE: DEMO_PUSH_QUEUE,
    GRACE_PERIOD: `${GRACE_SECONDS}s`,
  });
}

/** The detection latencies the app sent; each invocation sends its metrics as it ends, just after its last log line. */
async function detectionLatencies(appInsights: AppInsightsIngestion): Promise<MetricPoint[]> {
  for (let waited = 0; ; waited += 100) {
    const points = appInsights.metrics().filter((m) => m.name === 'acrsync.detection.latency');
    if (points.length > 0 || waited >= 10_000) return points;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Two pushes, one rollout within the grace period, the two checks and what reached Slack. */
async function pushAndWatch(sandbox: Sandbox, app: HostedApp): Promise<void> {
  const afterTimer = sandbox.slack.messages.length;
  const logsBefore = app.logs.length;
  const t0 = Date.now();
  await sandbox.registry.pushTag('payments/worker', { name: 'prod-790', digest: digestOf('worker-790') });
  console.log(`${stamp(t0)}  pushed payments/worker:prod-790 (payments-worker runs prod-789)`);
  await sandbox.registry.pushTag('search/query', { name: 'prod-43', digest: digestOf('query-43') });
  console.log(`${stamp(t0)}  pushed search/query:prod-43 (search-query runs prod-42); ACR's ImagePushed events are on the queue ${DEMO_PUSH_QUEUE}`);
  for (const repository of ['payments/worker', 'search/query']) {
    const line = await app.waitForLog((l) => l.includes('push checks scheduled') && l.includes(`repository=${repository}`), logsBefore);
    console.log(`${stamp(t0)}  imagePushed: ${body(line)}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  sandbox.rollOut('search-query-6c8d7f-', 'search/query:prod-43', 'query-43');
  console.log(`${stamp(t0)}  the search team rolls out prod-43, within the ${GRACE_SECONDS} s grace period; payments-worker stays on prod-789`);
  for (const repository of ['payments/worker', 'search/query']) {
    const line = await app.waitForLog((l) => l.includes('push check done') && l.includes(`repository=`) && l.includes(`/${repository} `), logsBefore);
    console.log(`${stamp(t0)}  scanCluster: ${body(line)}`);
  }
  const alerts = sandbox.slack.messages.slice(afterTimer);
  console.log(`\nSlack got ${alerts.length} message(s) after the pushes (grace period ${GRACE_SECONDS} s: due at push+${GRACE_SECONDS}.0s):`);
  alerts.forEach((message, i) => {
    const at = sandbox.slack.receivedAt[afterTimer + i] ?? Date.now();
    const late = ((at - t0) / 1000 - GRACE_SECONDS).toFixed(1);
    console.log(`${stamp(t0, at)}  (push + grace + ${late}s)  ${String(message.channel)}: ${String(message.text).split('\n').join('\n    ')}`);
  });
  console.log('search-query rolled out in time: its check found it in sync and sent nothing.');
}

/**
 * Settings of their own decide what a push schedules: web/storefront runs in staging on the
 * namespace's pattern staging-* with a 10m grace period, and in web on TAG_PATTERN (prod-*). A
 * tag neither pattern matches schedules nothing; a staging-* tag one check, at push + 10m.
 */
async function pushWithOwnSettings(sandbox: Sandbox, app: HostedApp): Promise<void> {
  const logsBefore = app.logs.length;
  const t0 = Date.now();
  await sandbox.registry.pushTag('web/storefront', { name: 'dev-7', digest: digestOf('storefront-dev-7') });
  const dropped = await app.waitForLog((l) => l.includes('push event dropped') && l.includes('dev-7'), logsBefore);
  console.log(`${stamp(t0)}  pushed web/storefront:dev-7 -> imagePushed: ${body(dropped)}`);
  await sandbox.registry.pushTag('web/storefront', { name: 'staging-43', digest: digestOf('storefront-s43') });
  const scheduled = await app.waitForLog((l) => l.includes('push checks scheduled') && l.includes('tag=staging-43 '), logsBefore);
  console.log(`${stamp(t0)}  pushed web/storefront:staging-43 -> imagePushed: ${body(scheduled)}`);
  console.log('(the check is due at push + the namespace\'s 10m grace period + 2 s; the demo does not wait for it)');
}

export async function showPushChecks(sandbox: Sandbox, storage: Azurite, pki: TestPki, heading: (text: string) => void): Promise<void> {
  const arm = await startSandboxArm(sandbox, pki);
  const appInsights = await startAppInsightsIngestion({ pki, validateToken: (token) => sandbox.identity.validate(token, MONITOR_RESOURCE) });
  let app: HostedApp | undefined;
  try {
    app = await startApp(sandbox, storage, arm, appInsights);
    heading(`Push-driven checks: the function app with PUSH_CHECKS=true and GRACE_PERIOD=${GRACE_SECONDS}s, the cluster reached through ARM`);
    const before = sandbox.slack.messages.length;
    const timerMs = await app.runTimer();
    console.log(
      `The timer scanned ${sandbox.clusterName} in ${Math.round(timerMs)} ms and wrote its push index (which repositories it runs); it sent ${sandbox.slack.messages.length - before} Slack message(s) (the app's alert table starts empty). No timer runs from here on.\n`,
    );
    await pushAndWatch(sandbox, app);
    for (const p of await detectionLatencies(appInsights)) {
      console.log(`The app sent to Application Insights: ${p.name}{cluster=${p.dimensions.cluster ?? ''}} ${(p.value / p.count).toFixed(3)} s (${p.count} detection)`);
    }
    heading('Push-driven checks follow each workload\'s settings: web/storefront runs in staging on staging-* with a 10m grace, in web on prod-*');
    await pushWithOwnSettings(sandbox, app);
  } finally {
    await app?.stop();
    await arm.close();
    await appInsights.close();
  }
}
