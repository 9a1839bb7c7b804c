/**
 * The three-cluster estate with PUSH_CHECKS on, for one test file: the Functions host stand-in
 * runs `imagePushed` on PUSH_QUEUE and `scanCluster` on SCAN_QUEUE against the estate's storage,
 * and the registry writes an ImagePushed event there for each `pushTag`, as Event Grid would.
 * CLUSTERS names the two clusters the identity may read; GRACE_PERIOD is 2s so checks come soon
 * (or `gracePeriod`: a long one keeps the checks a file schedules on the queue, to be counted).
 */
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll } from 'vitest';
import { startFunctionsHost, type FunctionsHost } from '../../emulators/functionsHost.js';
import { imagePushedQueueHandler } from '../../src/functions/imagePushed.js';
import { scanTimerHandler } from '../../src/functions/scan.js';
import { scanClusterQueueHandler } from '../../src/functions/scanCluster.js';
import { ESTATE_PUSH_QUEUE, resourceId, startThreeClusterEstate, type ThreeClusterEstate } from './estate.js';

export const PUSH_SCAN_QUEUE = 'push-checks';
export const GRACE_MS = 2_000;

export interface PushFixture {
  estate: ThreeClusterEstate;
  host: FunctionsHost;
  env: Record<string, string>;
  /** A context whose lines go to the host's log, for calling a handler directly. */
  context(functionName: string): InvocationContext;
  /** Runs the timer function once (an inline scan of both clusters, which writes the push index). */
  runTimer(): Promise<void>;
  /** The Slack messages so far, as JSON text. */
  slackTexts(): string[];
}

export function usePushFixture(gracePeriod = '2s'): PushFixture {
  const savedEnv = { ...process.env };
  const fixture = {} as PushFixture;
  beforeAll(async () => {
    const estate = await startThreeClusterEstate();
    const env = {
      ...estate.env,
      CLUSTERS: [`orders=${resourceId('orders-rg', 'orders-aks')}`, resourceId('billing-rg', 'billing-aks')].join(','),
      PUSH_CHECKS: 'true',
      PUSH_QUEUE: ESTATE_PUSH_QUEUE,
      SCAN_QUEUE: PUSH_SCAN_QUEUE,
      STATE_TABLE: 'pushstate',
      GRACE_PERIOD: gracePeriod,
    };
    for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTERS|REGISTRIES|TAG_PATTERN|GRACE_PERIOD|ACR_|EXCLUDED_|SCAN_|STATE_|PUSH_)/.test(key)) delete process.env[key];
    Object.assign(process.env, env);
    const host = startFunctionsHost({
      connectionString: estate.storage.connectionString,
      functions: [
        { name: 'imagePushed', queueName: ESTATE_PUSH_QUEUE, handler: imagePushedQueueHandler },
        { name: 'scanCluster', queueName: PUSH_SCAN_QUEUE, handler: scanClusterQueueHandler },
      ],
      maxPollingIntervalMs: 250,
    });
    const context = (functionName: string) => new InvocationContext({ invocationId: 'test', functionName, logHandler: (level, ...args) => host.logs.push(`${level} ${functionName} ${args.join(' ')}`) });
    const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
    Object.assign(fixture, {
      estate,
      host,
      env,
      context,
      runTimer: () => scanTimerHandler(timer, context('scan')),
      slackTexts: () => estate.slack.messages.map((m) => JSON.stringify(m)),
    });
  });
  afterAll(async () => {
    process.env = savedEnv;
    await fixture.host?.stop();
    await fixture.estate?.close();
  });
  return fixture;
}
