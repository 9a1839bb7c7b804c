/**
 * A Slack credential that is an unresolved Key Vault reference (the platform hands the literal
 * `@Microsoft.KeyVault(...)` text to the app): the handlers still scan, say that notifications are
 * off and why without repeating the reference, fail the invocation so monitoring sees it, and the
 * owed alerts go out once the credential resolves.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scanTimerHandler } from '../../src/functions/scan.js';
import { scanNowHandler } from '../../src/functions/scanNow.js';
import type { ScanReport } from '../../src/model/finding.js';
import { startThreeClusterEstate, type ThreeClusterEstate } from '../support/estate.js';

const UNRESOLVED = '@Microsoft.KeyVault(SecretUri=https://kv-acrsync-x1.vault.azure.net/secrets/slack-webhook-url)';
const TIMER = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

let estate: ThreeClusterEstate;
const savedEnv = { ...process.env };
let logs: string[] = [];

function context(): InvocationContext {
  return new InvocationContext({ invocationId: 'test', functionName: 'scan', logHandler: (level, ...args) => logs.push(`${level} ${args.join(' ')}`) });
}

function get(query: string): HttpRequest {
  return new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/scanNow${query}` });
}

beforeAll(async () => {
  estate = await startThreeClusterEstate();
  for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTERS|REGISTRIES|TAG_PATTERN|GRACE_PERIOD|ACR_|EXCLUDED_)/.test(key)) delete process.env[key];
  Object.assign(process.env, estate.env, { SLACK_WEBHOOK_URL: UNRESOLVED });
});
afterAll(async () => {
  process.env = savedEnv;
  await estate?.close();
});
beforeEach(() => {
  logs = [];
});

describe('a Slack credential that is an unresolved Key Vault reference', () => {
  it('the timer scans every cluster, sends nothing, marks the summary and fails naming the vault, the secret and the causes', async () => {
    const before = estate.slack.messages.length;
    await expect(scanTimerHandler(TIMER, context())).rejects.toThrow(/Slack notifications are off: SLACK_WEBHOOK_URL .*vault kv-acrsync-x1, secret slack-webhook-url/);
    expect(logs.filter((l) => l.includes('cluster scanned'))).toHaveLength(3);
    expect(logs.filter((l) => l.includes('scan finished') && l.includes('notifications=off'))).toHaveLength(1);
    const error = logs.find((l) => l.startsWith('error ') && l.includes('Slack notifications are off'));
    expect(error).toMatch(/Key Vault Secrets User.*keyVaultReferenceIdentity.*does not exist.*network rules/);
    expect(logs.join('\n')).not.toContain('SecretUri');
    expect(estate.slack.messages.length).toBe(before);
  });

  it('scanNow answers the report with the reason and status 500, or 200 on a dry run', async () => {
    const real = await scanNowHandler(get(''), context());
    expect(real.status).toBe(500);
    const body = real.jsonBody as ScanReport & { notifications: string; notificationsOff: string };
    expect(body.summary).toMatchObject({ clusters: 3, drift: 2 });
    expect(body.notifications).toBe('off');
    expect(body.notificationsOff).toContain('secret slack-webhook-url');
    expect(JSON.stringify(body)).not.toContain('SecretUri');
    const dry = await scanNowHandler(get('?dryRun=true'), context());
    expect(dry.status).toBe(200);
    expect((dry.jsonBody as { notifications: string }).notifications).toBe('off');
  });

  it('sends the owed alerts on the first scan after the reference resolves', async () => {
    const before = estate.slack.messages.length;
    process.env.SLACK_WEBHOOK_URL = estate.env.SLACK_WEBHOOK_URL;
    await scanTimerHandler(TIMER, context());
    expect(estate.slack.messages.length).toBeGreaterThan(before);
    expect(logs.some((l) => l.includes('scan finished') && !l.includes('notifications=off'))).toBe(true);
  });
});
