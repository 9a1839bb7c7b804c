/**
 * The delivery tests' harness: alert state in Azurite through the real @azure/data-tables,
 * Slack through the real @slack/web-api (bot token) against the chat.postMessage emulator,
 * a settable clock, and retry waits recorded instead of slept.
 */
import { startSlackApi, type SlackApiEmulator, type SlackPost } from '../../emulators/slackApi.js';
import { deliverAlerts, type DeliveryOptions, type DeliveryResult } from '../../src/alerts/deliver.js';
import type { StoredAlert } from '../../src/alerts/state/stateStore.js';
import type { TableStateStore } from '../../src/alerts/state/tableStateStore.js';
import type { Finding, ScanReport } from '../../src/model/finding.js';
import type { SectionBlock } from '../../src/notify/slackBlocks.js';
import { WebApiSender } from '../../src/notify/webApiSender.js';
import { cluster, fakeSleep, finding, HOUR, recordingLogger, report, TestClock } from './alertFixtures.js';
import { useAzuriteTables, type AzuriteTables } from './azuriteTables.js';

export const BOT_TOKEN = 'xoxb-1111111111-2222222222222-abcdefghijklmnopqrstuvwx';

export interface Harness {
  slack: SlackApiEmulator;
  store: TableStateStore;
  clock: TestClock;
  waits: number[];
  logger: ReturnType<typeof recordingLogger>;
  scan(scanReport: ScanReport, over?: Partial<DeliveryOptions>): Promise<DeliveryResult>;
  state(clusterName?: string): Promise<StoredAlert[]>;
}

/** Call at the top of a test file: Azurite for the file, and `harness()` for each test (its own table and Slack). */
export function useDeliveryHarness(tablePrefix: string): (over?: Partial<DeliveryOptions>) => Promise<Harness> {
  const tables = useAzuriteTables(tablePrefix);
  return (over = {}) => harness(tables, over);
}

async function harness(tables: AzuriteTables, over: Partial<DeliveryOptions>): Promise<Harness> {
  const slack = await startSlackApi({
    botToken: BOT_TOKEN,
    channels: [
      { name: 'platform-alerts' },
      { name: 'team-a' },
      { name: 'team-b' },
      { name: 'archived-team', archived: true },
      { name: 'private-team', member: false },
    ],
  });
  tables.afterTest(() => slack.close());
  const store = tables.newStore();
  const clock = new TestClock();
  const { sleep, waits } = fakeSleep();
  const logger = recordingLogger();
  const sender = new WebApiSender({ botToken: BOT_TOKEN, apiUrl: slack.apiUrl, logger });
  return {
    slack,
    store,
    clock,
    waits,
    logger,
    scan: (scanReport, more = {}) =>
      deliverAlerts(scanReport, {
        store,
        sender,
        defaultChannel: 'platform-alerts',
        repeatIntervalMs: 6 * HOUR,
        notifyResolved: true,
        logger,
        now: clock.now,
        sleep,
        ...over,
        ...more,
      }),
    state: async (clusterName = 'prod-aks') => (await store.load([clusterName])).alerts,
  };
}

export function fieldTexts(post: SlackPost | undefined): string[][] {
  return ((post?.blocks ?? []) as SectionBlock[]).filter((b) => b.type === 'section' && b.fields).map((b) => (b.fields ?? []).map((f) => f.text));
}

export function header(post: SlackPost | undefined): string {
  const block = (post?.blocks ?? [])[0] as { type: string; text: { text: string } } | undefined;
  return block?.type === 'header' ? block.text.text : '';
}

/** Workload names listed by a post, in order. */
export function listed(post: SlackPost | undefined): string[] {
  return fieldTexts(post).map((fields) => /\/([^`\s]+)` ·/.exec(fields[2] ?? '')?.[1] ?? '?');
}

export const api = finding({ name: 'api' });
export const prod = (...findings: Finding[]) => report(cluster('prod-aks', findings));
