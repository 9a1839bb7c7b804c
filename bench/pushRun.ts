/**
 * Runs the push scenario: the estate behind the emulators (harness.ts), its registries writing
 * ImagePushed events into an Azurite queue as an Event Grid subscription does, the app in a
 * Functions host stand-in (`startApp`: a process of its own for `npm run bench`, this process in
 * a test) with PUSH_CHECKS on, and a Slack webhook receiver that notes when each alert arrives.
 * The timer scans once (the push index); then the planned pushes go out over time, with no
 * timer run in between, and each check's alert is timed against its push.
 */
import type { AppLog } from '../emulators/functionsHostClient.js';
import { startAzurite, type Azurite } from '../emulators/azurite.js';
import { startSlackWebhookReceiver, type SlackWebhookReceiver } from '../emulators/slackWebhook.js';
import { startBenchHarness, type BenchHarness, type HarnessOptions, type RequestCounts } from './harness.js';
import type { EstateModel } from './estate.js';
import type { PlannedPush } from './pushScenario.js';

export const BENCH_PUSH_QUEUE = 'acrsync-pushes';

/** The app as the scenario drives it. */
export interface PushBenchApp extends AppLog {
  runTimer(): Promise<number>;
  stop(): Promise<void>;
}

export interface PushRunOptions {
  estate: EstateModel;
  harness: Omit<HarnessOptions, 'eventGrid'>;
  pushes: readonly PlannedPush[];
  gracePeriodMs: number;
  /** Starts the app with these settings (its whole environment besides PATH and HOME). */
  startApp(env: Record<string, string>): Promise<PushBenchApp>;
  log(line: string): void;
}

/** One cluster's check of one push: when its alert reached Slack (undefined: never). */
export interface CheckResult {
  push: PlannedPush;
  cluster: string;
  pushedAt: number;
  alertAt: number | undefined;
}

export interface PushRunResult {
  timerScanMs: number;
  checks: CheckResult[];
  /** Clusters the imagePushed function scheduled, per push (from its log lines). */
  scheduled: string[][];
  counts: RequestCounts;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Pushes each planned tag at its offset; resolves with the push times ACR's events carry. */
async function pushAll(harness: BenchHarness, pushes: readonly PlannedPush[], log: (line: string) => void): Promise<number[]> {
  const start = Date.now();
  const times: number[] = [];
  for (const p of pushes) {
    await sleep(start + p.offsetMs - Date.now());
    const registry = harness.registries[p.repository.registry];
    if (!registry) throw new Error(`no registry ${p.repository.registry}`);
    const event = await registry.pushTag(p.repository.name, { name: p.tag, digest: p.digest });
    times.push(Date.parse(event.data.timestamp));
    log(`+${((Date.now() - start) / 1000).toFixed(1)}s pushed ${p.repository.name}:${p.tag} (run by ${p.clusters.length} cluster(s))`);
  }
  return times;
}

/** Waits for every expected check's log line, then times each check's first Slack message about the pushed tag. */
async function collect(app: PushBenchApp, slack: SlackWebhookReceiver, pushes: readonly PlannedPush[], times: number[], marks: { logs: number; slack: number }, timeoutMs: number): Promise<Omit<PushRunResult, 'timerScanMs' | 'counts'>> {
  const scheduled = await Promise.all(
    pushes.map(async (p) => {
      const line = await app.waitForLog((l) => l.includes('push checks scheduled') && l.includes(`repository=${p.repository.name} `) && l.includes(`tag=${p.tag} `), marks.logs, timeoutMs);
      return (/ clusters=(\S*)/.exec(line)?.[1] ?? '').split(',').filter(Boolean).sort();
    }),
  );
  const checks: CheckResult[] = [];
  await Promise.all(
    pushes.flatMap((p, i) =>
      p.clusters.map(async (cluster) => {
        await app.waitForLog((l) => l.includes(`push check done cluster=${cluster} `) && l.includes(`/${p.repository.name} tag=${p.tag} `), marks.logs, timeoutMs);
        const index = slack.messages.findIndex((m, k) => k >= marks.slack && String(m.text).includes(`AKS cluster ${cluster} is running`) && String(m.text).includes(`instead of ${p.repository.name}:${p.tag} `));
        checks.push({ push: p, cluster, pushedAt: times[i] as number, alertAt: index < 0 ? undefined : slack.receivedAt[index] });
      }),
    ),
  );
  return { scheduled, checks };
}

export async function runPushScenario(options: PushRunOptions): Promise<PushRunResult> {
  const { log } = options;
  const closers: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];
  try {
    const storage: Azurite = await startAzurite({ services: ['table', 'queue'] });
    closers.push(storage);
    const slack = await startSlackWebhookReceiver();
    closers.push(slack);
    const harness = await startBenchHarness(options.estate, { ...options.harness, eventGrid: { connectionString: storage.connectionString, queueName: BENCH_PUSH_QUEUE } });
    closers.push(harness);
    const app = await options.startApp({
      ...harness.env,
      AzureWebJobsStorage: storage.connectionString,
      SLACK_WEBHOOK_URL: slack.url,
      SLACK_CHANNEL: 'platform-alerts',
      PUSH_CHECKS: 'true',
      PUSH_QUEUE: BENCH_PUSH_QUEUE,
      GRACE_PERIOD: `${Math.round(options.gracePeriodMs / 1000)}s`,
    });
    closers.push(app);
    const timerScanMs = await app.runTimer();
    log(`timer scan (and push index): ${Math.round(timerScanMs)} ms, ${slack.messages.length} Slack messages`);
    const marks = { logs: app.logs.length, slack: slack.messages.length };
    const mark = harness.mark();
    const times = await pushAll(harness, options.pushes, log);
    const collected = await collect(app, slack, options.pushes, times, marks, options.gracePeriodMs + 120_000);
    return { timerScanMs, ...collected, counts: harness.counts(mark) };
  } finally {
    for (const c of closers.reverse()) await ('stop' in c ? c.stop() : c.close());
  }
}
