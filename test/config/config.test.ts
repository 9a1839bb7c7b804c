import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_EXAMPLES,
  CONFIG_VARIABLES,
  ConfigError,
  DEFAULT_EXCLUDED_NAMESPACES,
  DURATION_BOUNDS,
  FUNCTION_TIMEOUT_MS,
  SECRET_VARIABLES,
  loadConfig,
  type Config,
} from '../../src/config/config.js';
import { registrationSettings } from '../../src/config/registrationSettings.js';

const SUB = '11111111-2222-3333-4444-555555555555';
const CLUSTER_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod`;
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/s3cr3tW3bh00k';
const TOKEN = 'xoxb-1234-5678-s3cr3tT0k3n';
const BASE = { REGISTRIES: 'myacr.azurecr.io' };

function configError(env: Record<string, string | undefined>, options?: { requireClusters?: boolean }): ConfigError {
  try {
    loadConfig(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig: defaults', () => {
  it('fills every default from REGISTRIES alone', () => {
    expect(loadConfig(BASE)).toEqual({
      clusters: [],
      registries: ['myacr.azurecr.io'],
      tagPattern: 'prod-*',
      gracePeriodMs: 3 * 60_000,
      acrMaxResults: 100,
      acrConcurrency: 8,
      excludedNamespaces: [...DEFAULT_EXCLUDED_NAMESPACES],
      slack: null,
      slackChannelLabel: 'slackChannel',
      debug: false,
      armEndpoint: 'https://management.azure.com',
      clusterTimeoutMs: 2 * 60_000,
      notifyRepeatIntervalMs: 6 * 3_600_000,
      notifyResolved: true,
      stateTable: 'acrsyncstate',
      scanFanout: 'inline',
      scanQueue: 'acrsync-clusters',
      pushChecks: false,
      pushQueue: 'acrsync-pushes',
      warnings: [],
      written: { REGISTRIES: 'myacr.azurecr.io' },
    } satisfies Config);
  });

  it('treats empty and blank values as unset', () => {
    const env: Record<string, string> = { ...BASE };
    for (const name of CONFIG_VARIABLES) if (name !== 'REGISTRIES') env[name] = name.length % 2 ? '' : '   ';
    expect(loadConfig(env)).toEqual(loadConfig(BASE));
  });

  it('keeps the excluded namespaces of the old script plus those AKS creates', () => {
    expect(DEFAULT_EXCLUDED_NAMESPACES).toEqual([
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'gatekeeper-system',
      'admin',
      'calico-system',
      'tigera-operator',
      'aks-command',
      'app-routing-system',
      'azure-arc',
      'dataprotection-microsoft',
      'aks-istio-system',
      'aks-istio-ingress',
      'aks-istio-egress',
    ]);
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ ...BASE, PATH: '/usr/bin', WEBSITE_SITE_NAME: 'x', FUNCTIONS_WORKER_RUNTIME: 'node' })).toEqual(loadConfig(BASE));
  });
});

describe('loadConfig: values', () => {
  it.each<[string, Record<string, string>, Partial<Config>]>([
    ['CLUSTERS', { CLUSTERS: `prod=${CLUSTER_ID}, subscription:${SUB}?tag=env:prod` }, {
      clusters: [
        { kind: 'resource', resourceId: CLUSTER_ID, subscriptionId: SUB, resourceGroup: 'rg', name: 'aks-prod', displayName: 'prod' },
        { kind: 'subscription', subscriptionId: SUB, tag: { key: 'env', value: 'prod' } },
      ],
    }],
    ['REGISTRIES list', { REGISTRIES: ' MyAcr.AzureCR.io ,\nother.azurecr.io:443\n,myacr.azurecr.io' }, {
      registries: ['myacr.azurecr.io', 'other.azurecr.io:443'],
    }],
    ['REGISTRIES localhost', { REGISTRIES: 'localhost:5000', ALLOW_ANY_REGISTRY_HOST: 'true' }, { registries: ['localhost:5000'] }],
    ['REGISTRIES index.docker.io', { REGISTRIES: 'index.docker.io', ALLOW_ANY_REGISTRY_HOST: 'yes' }, { registries: ['docker.io'] }],
    ['TAG_PATTERN', { TAG_PATTERN: 'release-[0-9]*' }, { tagPattern: 'release-[0-9]*' }],
    ['GRACE_PERIOD', { GRACE_PERIOD: '1h30m' }, { gracePeriodMs: 90 * 60_000 }],
    ['GRACE_PERIOD zero', { GRACE_PERIOD: '0' }, { gracePeriodMs: 0 }],
    ['ACR_MAX_RESULTS min', { ACR_MAX_RESULTS: '1' }, { acrMaxResults: 1 }],
    ['ACR_MAX_RESULTS max', { ACR_MAX_RESULTS: '10000' }, { acrMaxResults: 10_000 }],
    ['ACR_CONCURRENCY', { ACR_CONCURRENCY: '64' }, { acrConcurrency: 64 }],
    ['EXCLUDED_NAMESPACES', { EXCLUDED_NAMESPACES: 'kube-system, monitoring\nmonitoring' }, { excludedNamespaces: ['kube-system', 'monitoring'] }],
    ['EXCLUDED_NAMESPACES none', { EXCLUDED_NAMESPACES: ',' }, { excludedNamespaces: [] }],
    ['SLACK_CHANNEL_LABEL', { SLACK_CHANNEL_LABEL: 'example.com/slack-channel' }, { slackChannelLabel: 'example.com/slack-channel' }],
    ['ACR_SYNC_DEBUG true', { ACR_SYNC_DEBUG: 'TRUE' }, { debug: true }],
    ['ACR_SYNC_DEBUG 1', { ACR_SYNC_DEBUG: '1' }, { debug: true }],
    ['ACR_SYNC_DEBUG yes', { ACR_SYNC_DEBUG: 'Yes' }, { debug: true }],
    ['ACR_SYNC_DEBUG no', { ACR_SYNC_DEBUG: 'no' }, { debug: false }],
    ['ACR_SYNC_DEBUG 0', { ACR_SYNC_DEBUG: '0' }, { debug: false }],
    ['AZURE_CLIENT_ID', { AZURE_CLIENT_ID: 'AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee' }, { azureClientId: 'AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee' }],
    ['ARM_ENDPOINT', { ARM_ENDPOINT: 'https://management.usgovcloudapi.net/' }, { armEndpoint: 'https://management.usgovcloudapi.net' }],
    ['ARM_ENDPOINT with port', { ARM_ENDPOINT: 'https://127.0.0.1:8443' }, { armEndpoint: 'https://127.0.0.1:8443' }],
    ['SCAN_SCHEDULE', { SCAN_SCHEDULE: '0  0   9 * * Mon-Fri' }, { warnings: [] }],
    ['SCAN_SCHEDULE five fields', { SCAN_SCHEDULE: '*/5 * * * *' }, { warnings: [] }],
    ['SCAN_SCHEDULE time span', { SCAN_SCHEDULE: '00:10:00' }, { warnings: [] }],
    ['ALLOW_ANY_REGISTRY_HOST', { ALLOW_ANY_REGISTRY_HOST: 'false' }, { registries: ['myacr.azurecr.io'] }],
    ['CLUSTER_TIMEOUT at its maximum', { CLUSTER_TIMEOUT: '1h' }, { clusterTimeoutMs: 3_600_000 }],
    ['GRACE_PERIOD at its maximum', { GRACE_PERIOD: '7d' }, { gracePeriodMs: 7 * 86_400_000 }],
    ['NOTIFY_REPEAT_INTERVAL at its maximum', { NOTIFY_REPEAT_INTERVAL: '30d' }, { notifyRepeatIntervalMs: 30 * 86_400_000 }],
    ['CLUSTER_TIMEOUT', { CLUSTER_TIMEOUT: '90s' }, { clusterTimeoutMs: 90_000 }],
    ['NOTIFY_REPEAT_INTERVAL', { NOTIFY_REPEAT_INTERVAL: '1d' }, { notifyRepeatIntervalMs: 86_400_000 }],
    ['NOTIFY_REPEAT_INTERVAL zero', { NOTIFY_REPEAT_INTERVAL: '0' }, { notifyRepeatIntervalMs: 0 }],
    ['NOTIFY_RESOLVED', { NOTIFY_RESOLVED: 'false' }, { notifyResolved: false }],
    ['STATE_TABLE', { STATE_TABLE: 'State2' }, { stateTable: 'State2' }],
    ['SCAN_FANOUT', { SCAN_FANOUT: 'Queue' }, { scanFanout: 'queue' }],
    ['SCAN_QUEUE', { SCAN_QUEUE: 'scan-1' }, { scanQueue: 'scan-1' }],
    ['PUSH_CHECKS', { PUSH_CHECKS: 'true' }, { pushChecks: true }],
    ['PUSH_QUEUE', { PUSH_QUEUE: 'image-pushes' }, { pushQueue: 'image-pushes' }],
  ])('%s', (_label, env, expected) => {
    expect(loadConfig({ ...BASE, ...env })).toMatchObject(expected);
  });

  it('builds the Slack settings when a webhook is set', () => {
    const config = loadConfig({
      ...BASE,
      SLACK_WEBHOOK_URL: WEBHOOK,
      SLACK_CHANNEL: '#platform-alerts',
      SLACK_ICON_EMOJI: ':rotating_light:',
      SLACK_USERNAME: 'drift bot',
      SLACK_CHANNEL_LABEL: 'team/slack',
    });
    expect(config.slack).toEqual({
      webhookUrl: WEBHOOK,
      channel: 'platform-alerts',
      iconEmoji: 'rotating_light',
      username: 'drift bot',
    });
    expect(config.slackChannelLabel).toBe('team/slack');
  });

  it('builds the Slack settings when a bot token is set, with a normalised API URL', () => {
    const config = loadConfig({ ...BASE, SLACK_BOT_TOKEN: TOKEN, SLACK_CHANNEL: 'C0123456789', SLACK_API_URL: 'https://127.0.0.1:9443/api' });
    expect(config.slack).toEqual({
      botToken: TOKEN,
      apiUrl: 'https://127.0.0.1:9443/api/',
      channel: 'C0123456789',
      iconEmoji: 'warning',
      username: 'acr-aks-sync',
    });
    expect(config.slackChannelLabel).toBe('slackChannel');
  });

  it.each([
    ['http://localhost:3000/hook'],
    ['http://127.0.0.1:3000/hook'],
    ['http://[::1]:3000/hook'],
    ['https://example.com/hook'],
  ])('accepts the webhook URL %s', (url) => {
    expect(loadConfig({ ...BASE, SLACK_WEBHOOK_URL: url, SLACK_CHANNEL: 'alerts' }).slack?.webhookUrl).toBe(url);
  });

  it('keeps SLACK_API_URL that already ends with a slash', () => {
    expect(loadConfig({ ...BASE, SLACK_BOT_TOKEN: TOKEN, SLACK_CHANNEL: 'a', SLACK_API_URL: 'http://localhost:8080/api/' }).slack?.apiUrl).toBe(
      'http://localhost:8080/api/',
    );
  });

  it('has no Slack settings without webhook or token, even with a channel', () => {
    expect(loadConfig({ ...BASE, SLACK_CHANNEL: 'alerts' }).slack).toBeNull();
  });
});

describe('loadConfig: CLUSTERS requirement', () => {
  it('requires CLUSTERS only when asked to', () => {
    expect(loadConfig(BASE, { requireClusters: false }).clusters).toEqual([]);
    const error = configError(BASE, { requireClusters: true });
    expect(error.issues).toEqual([
      { variable: 'CLUSTERS', message: expect.stringContaining('is required'), example: CONFIG_EXAMPLES.CLUSTERS },
    ]);
    expect(configError({ ...BASE, CLUSTERS: ' , ' }, { requireClusters: true }).issues[0]?.variable).toBe('CLUSTERS');
    expect(loadConfig({ ...BASE, CLUSTERS: CLUSTER_ID }, { requireClusters: true }).clusters).toHaveLength(1);
  });

  it('reports each bad cluster entry with its own example', () => {
    const error = configError({ ...BASE, CLUSTERS: `aks-prod,subscription:nope,${CLUSTER_ID}` });
    expect(error.issues).toEqual([
      { variable: 'CLUSTERS', message: expect.stringMatching(/^entry "aks-prod": expected an AKS resource ID/), example: expect.stringContaining('managedClusters') },
      { variable: 'CLUSTERS', message: expect.stringMatching(/^entry "subscription:nope": subscription ID "nope" is not a GUID/), example: expect.stringMatching(/^subscription:/) },
    ]);
  });
});

describe('loadConfig: errors', () => {
  it.each<[string, Record<string, string | undefined>, string, RegExp, string?]>([
    ['REGISTRIES missing', { REGISTRIES: undefined }, 'REGISTRIES', /is required/],
    ['REGISTRIES blank list', { REGISTRIES: ' ,\n' }, 'REGISTRIES', /is required/],
    ['REGISTRIES with https://', { REGISTRIES: 'https://myacr.azurecr.io' }, 'REGISTRIES', /"https:\/\/myacr\.azurecr\.io": give the login server without the "https:\/\/" prefix/, 'myacr.azurecr.io'],
    ['REGISTRIES with a path', { REGISTRIES: 'MyAcr.azurecr.io/team/app' }, 'REGISTRIES', /a login server has no path/, 'myacr.azurecr.io'],
    ['REGISTRIES bad host', { REGISTRIES: 'my_acr' }, 'REGISTRIES', /"my_acr" is not a registry login server/],
    ['TAG_PATTERN', { TAG_PATTERN: 'prod-[0-9' }, 'TAG_PATTERN', /without its closing/],
    ['GRACE_PERIOD', { GRACE_PERIOD: '180' }, 'GRACE_PERIOD', /"180" has no unit/],
    ['ACR_MAX_RESULTS zero', { ACR_MAX_RESULTS: '0' }, 'ACR_MAX_RESULTS', /"0" is not a whole number from 1 to 10000/],
    ['ACR_MAX_RESULTS too big', { ACR_MAX_RESULTS: '10001' }, 'ACR_MAX_RESULTS', /from 1 to 10000/],
    ['ACR_MAX_RESULTS fraction', { ACR_MAX_RESULTS: '1.5' }, 'ACR_MAX_RESULTS', /"1\.5" is not a whole number/],
    ['ACR_MAX_RESULTS word', { ACR_MAX_RESULTS: 'many' }, 'ACR_MAX_RESULTS', /"many"/],
    ['ACR_CONCURRENCY', { ACR_CONCURRENCY: '65' }, 'ACR_CONCURRENCY', /"65" is not a whole number from 1 to 64/],
    ['ACR_CONCURRENCY negative', { ACR_CONCURRENCY: '-1' }, 'ACR_CONCURRENCY', /from 1 to 64/],
    ['EXCLUDED_NAMESPACES', { EXCLUDED_NAMESPACES: 'kube-system,Monitoring' }, 'EXCLUDED_NAMESPACES', /"Monitoring" is not a Kubernetes namespace name/],
    ['SLACK_API_URL http remote', { SLACK_API_URL: 'http://slack.example.com/api' }, 'SLACK_API_URL', /"http:\/\/slack\.example\.com\/api" must use https:\/\//],
    ['SLACK_API_URL not a URL', { SLACK_API_URL: 'slack.com/api' }, 'SLACK_API_URL', /"slack\.com\/api" is not a valid URL/],
    ['SLACK_API_URL query', { SLACK_API_URL: 'https://slack.com/api?x=1' }, 'SLACK_API_URL', /query string or fragment/],
    ['SLACK_CHANNEL', { SLACK_CHANNEL: '#Platform Alerts' }, 'SLACK_CHANNEL', /"#Platform Alerts" is neither a channel name/],
    ['SLACK_CHANNEL_LABEL', { SLACK_CHANNEL_LABEL: 'slack channel' }, 'SLACK_CHANNEL_LABEL', /"slack channel" is not a Kubernetes label key/],
    ['SLACK_CHANNEL_LABEL prefix', { SLACK_CHANNEL_LABEL: 'Example.com/x' }, 'SLACK_CHANNEL_LABEL', /not a Kubernetes label key/],
    ['SLACK_ICON_EMOJI', { SLACK_ICON_EMOJI: 'warning sign' }, 'SLACK_ICON_EMOJI', /"warning sign" is not an emoji name/],
    ['SLACK_USERNAME', { SLACK_USERNAME: 'x'.repeat(81) }, 'SLACK_USERNAME', /81 characters long; Slack allows at most 80/],
    ['ACR_SYNC_DEBUG', { ACR_SYNC_DEBUG: 'on' }, 'ACR_SYNC_DEBUG', /"on" is not a boolean; use true\/false, 1\/0 or yes\/no/],
    ['NOTIFY_RESOLVED', { NOTIFY_RESOLVED: 'maybe' }, 'NOTIFY_RESOLVED', /"maybe" is not a boolean/],
    ['AZURE_CLIENT_ID', { AZURE_CLIENT_ID: 'my-identity' }, 'AZURE_CLIENT_ID', /"my-identity" is not a GUID/],
    ['ARM_ENDPOINT http', { ARM_ENDPOINT: 'http://management.azure.com' }, 'ARM_ENDPOINT', /must use https:\/\//],
    ['ARM_ENDPOINT not a URL', { ARM_ENDPOINT: 'management.azure.com' }, 'ARM_ENDPOINT', /is not a valid URL/],
    ['CLUSTER_TIMEOUT zero', { CLUSTER_TIMEOUT: '0' }, 'CLUSTER_TIMEOUT', /"0" must be longer than zero/],
    ['CLUSTER_TIMEOUT bad', { CLUSTER_TIMEOUT: 'two minutes' }, 'CLUSTER_TIMEOUT', /not understood/],
    ['CLUSTER_TIMEOUT 30d', { CLUSTER_TIMEOUT: '30d' }, 'CLUSTER_TIMEOUT', /^"30d" is longer than the maximum of 1h: the function may run for 1h at most \(host\.json functionTimeout\)/],
    ['CLUSTER_TIMEOUT 61m', { CLUSTER_TIMEOUT: '61m' }, 'CLUSTER_TIMEOUT', /^"61m" is longer than the maximum of 1h/],
    ['GRACE_PERIOD 8d', { GRACE_PERIOD: '8d' }, 'GRACE_PERIOD', /^"8d" is longer than the maximum of 7d: a release that is not rolled out within a week is drift$/],
    ['NOTIFY_REPEAT_INTERVAL 31d', { NOTIFY_REPEAT_INTERVAL: '31d' }, 'NOTIFY_REPEAT_INTERVAL', /^"31d" is longer than the maximum of 30d/],
    ['ALLOW_ANY_REGISTRY_HOST', { ALLOW_ANY_REGISTRY_HOST: 'maybe', REGISTRIES: 'localhost:5000' }, 'ALLOW_ANY_REGISTRY_HOST', /"maybe" is not a boolean/],
    ['NOTIFY_REPEAT_INTERVAL', { NOTIFY_REPEAT_INTERVAL: '-1h' }, 'NOTIFY_REPEAT_INTERVAL', /negative/],
    ['STATE_TABLE short', { STATE_TABLE: 'ab' }, 'STATE_TABLE', /"ab" is not an Azure table name/],
    ['STATE_TABLE digit first', { STATE_TABLE: '1state' }, 'STATE_TABLE', /not an Azure table name/],
    ['STATE_TABLE hyphen', { STATE_TABLE: 'acr-state' }, 'STATE_TABLE', /not an Azure table name/],
    ['STATE_TABLE reserved', { STATE_TABLE: 'Tables' }, 'STATE_TABLE', /reserved/],
    ['SCAN_FANOUT', { SCAN_FANOUT: 'parallel' }, 'SCAN_FANOUT', /"parallel" must be "inline" .* or "queue"/],
    ['SCAN_QUEUE uppercase', { SCAN_QUEUE: 'Scans' }, 'SCAN_QUEUE', /"Scans" is not an Azure queue name/],
    ['SCAN_QUEUE double hyphen', { SCAN_QUEUE: 'acr--sync' }, 'SCAN_QUEUE', /not an Azure queue name/],
    ['SCAN_QUEUE trailing hyphen', { SCAN_QUEUE: 'acrsync-' }, 'SCAN_QUEUE', /not an Azure queue name/],
    ['SCAN_QUEUE short', { SCAN_QUEUE: 'ab' }, 'SCAN_QUEUE', /not an Azure queue name/],
    ['SCAN_QUEUE long', { SCAN_QUEUE: 'a'.repeat(64) }, 'SCAN_QUEUE', /not an Azure queue name/],
    ['PUSH_CHECKS not a boolean', { PUSH_CHECKS: 'on' }, 'PUSH_CHECKS', /"on" is not a boolean/],
    ['PUSH_QUEUE uppercase', { PUSH_QUEUE: 'Pushes' }, 'PUSH_QUEUE', /"Pushes" is not an Azure queue name/],
    ['PUSH_QUEUE the scan queue', { PUSH_QUEUE: 'acrsync-clusters' }, 'PUSH_QUEUE', /must differ from SCAN_QUEUE \(acrsync-clusters\)/],
    ['PUSH_QUEUE the scan queue, both set', { PUSH_QUEUE: 'jobs', SCAN_QUEUE: 'jobs' }, 'PUSH_QUEUE', /must differ from SCAN_QUEUE \(jobs\)/],
  ])('%s', (_label, env, variable, message, example) => {
    const error = configError({ ...BASE, ...env });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toEqual({ variable, message: expect.stringMatching(message), example: example ?? CONFIG_EXAMPLES[variable as keyof typeof CONFIG_EXAMPLES] });
    expect(error.message).toBe(`${variable}: ${error.issues[0]?.message} (e.g. ${error.issues[0]?.example})`);
  });

  it('lists every problem at once, one line each, in variable order', () => {
    const error = configError({
      SCAN_QUEUE: 'BAD',
      ACR_CONCURRENCY: '0',
      TAG_PATTERN: '',
      TAG_PATTERN_TYPO: 'x',
      SLACK_WEBHOOK_URL: WEBHOOK,
      GRACE_PERIOD: 'soon',
    });
    expect(error.issues.map((i) => i.variable)).toEqual(['REGISTRIES', 'GRACE_PERIOD', 'ACR_CONCURRENCY', 'SLACK_CHANNEL', 'SCAN_QUEUE']);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^REGISTRIES: is required.* \(e\.g\. myacr\.azurecr\.io,otheracr\.azurecr\.io\)$/);
    expect(lines[1]).toMatch(/^GRACE_PERIOD: duration "soon" .* \(e\.g\. 3m\)$/);
    expect(lines[2]).toMatch(/^ACR_CONCURRENCY: "0" is not a whole number from 1 to 64 \(e\.g\. 8\)$/);
    expect(lines[3]).toMatch(/^SLACK_CHANNEL: is required when SLACK_WEBHOOK_URL or SLACK_BOT_TOKEN is set.*\(e\.g\. #platform-alerts\)$/);
    expect(lines[4]).toMatch(/^SCAN_QUEUE: "BAD" is not an Azure queue name/);
    expect(error.name).toBe('ConfigError');
  });

  it.each([
    ['SLACK_WEBHOOK_URL', WEBHOOK],
    ['SLACK_BOT_TOKEN', TOKEN],
  ])('requires SLACK_CHANNEL when %s is set', (variable, value) => {
    const error = configError({ ...BASE, [variable]: value });
    expect(error.issues).toEqual([{ variable: 'SLACK_CHANNEL', message: expect.stringContaining('is required'), example: '#platform-alerts' }]);
  });

  it('still requires SLACK_CHANNEL when the webhook itself is invalid', () => {
    const error = configError({ ...BASE, SLACK_WEBHOOK_URL: 'ftp://x' });
    expect(error.issues.map((i) => i.variable)).toEqual(['SLACK_WEBHOOK_URL', 'SLACK_CHANNEL']);
  });

  it('rejects a non-string value without crashing', () => {
    const error = configError({ ...BASE, ACR_MAX_RESULTS: 5 as unknown as string });
    expect(error.issues[0]?.variable).toBe('ACR_MAX_RESULTS');
  });
});

describe('loadConfig: secrets', () => {
  const SECRET = 's3cr3tV4lu3';
  it.each([
    ['SLACK_WEBHOOK_URL', `http://hooks.slack.com/services/${SECRET}`, /must use https:\/\/ .*value not shown: it is a secret/],
    ['SLACK_WEBHOOK_URL', `hooks.slack.com/services/${SECRET}`, /is not a valid URL .*value not shown/],
    ['SLACK_WEBHOOK_URL', `ftp://hooks.slack.com/${SECRET}`, /must use https:\/\//],
    ['SLACK_BOT_TOKEN', `xoxp-${SECRET}`, /must be a Slack bot token, which starts with "xoxb-" .*value not shown/],
    ['SLACK_BOT_TOKEN', `Bearer xoxb-${SECRET}`, /starts with "xoxb-"/],
    ['SLACK_BOT_TOKEN', `xoxb-${SECRET} extra`, /starts with "xoxb-"/],
  ])('never shows the value of %s (%j)', (variable, value, message) => {
    const error = configError({ ...BASE, SLACK_CHANNEL: 'alerts', [variable]: value });
    expect(error.issues).toEqual([{ variable, message: expect.stringMatching(message), example: CONFIG_EXAMPLES[variable as keyof typeof CONFIG_EXAMPLES] }]);
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.issues)).not.toContain(SECRET);
    expect(error.stack ?? '').not.toContain(SECRET);
  });

  it('quotes bad values of non-secret variables', () => {
    expect(configError({ ...BASE, SLACK_API_URL: 'ftp://example.com' }).message).toContain('"ftp://example.com"');
  });

  it('does not show a secret that appears in a cross-variable problem', () => {
    const error = configError({ ...BASE, SLACK_WEBHOOK_URL: WEBHOOK, SLACK_BOT_TOKEN: TOKEN });
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('CONFIG_VARIABLES', () => {
  it('has an example for every variable and includes the secrets', () => {
    expect(Object.keys(CONFIG_EXAMPLES).sort()).toEqual([...CONFIG_VARIABLES].sort());
    expect(SECRET_VARIABLES).toEqual(['SLACK_WEBHOOK_URL', 'SLACK_BOT_TOKEN']);
    for (const secret of SECRET_VARIABLES) expect(CONFIG_VARIABLES).toContain(secret);
  });

  it('reads every listed variable, and only those: an invalid value in each one is reported', () => {
    const env: Record<string, string> = {};
    // Too long for SLACK_USERNAME, and "!" is valid in no other variable.
    for (const name of CONFIG_VARIABLES) env[name] = '!'.repeat(81);
    const error = configError(env);
    expect(new Set(error.issues.map((i) => i.variable))).toEqual(new Set(CONFIG_VARIABLES));
    expect(configError({ ...env, NOT_A_SETTING: '!' }).issues).toEqual(error.issues);
  });
});

describe('loadConfig: SCAN_SCHEDULE', () => {
  it.each([
    ['0 0 9 ? * MON', /^day field "\?": .*Quartz syntax/],
    ['0 61 * * * *', /^minute field "61": 61 is out of range 0-59/],
    ['0 0 0 * * 7', /^day-of-week field "7": 7 is out of range 0-6/],
    ['0 0 0 L * *', /^day field "L": .*Quartz syntax/],
    ['*/5 * * *', /has 4 fields/],
  ])('an invalid %j is a warning, not an error: the timer keeps the default schedule', (schedule, message) => {
    const config = loadConfig({ ...BASE, SCAN_SCHEDULE: schedule });
    expect(registrationSettings({ ...BASE, SCAN_SCHEDULE: schedule }).scanSchedule).toBe('0 */5 * * * *');
    expect(config.warnings).toEqual([
      {
        variable: 'SCAN_SCHEDULE',
        message: expect.stringMatching(message) as string,
        example: expect.any(String) as string,
      },
    ]);
    expect(config.warnings[0]?.message).toMatch(/; the timer runs on the default schedule "0 \*\/5 \* \* \* \*" until SCAN_SCHEDULE is fixed$/);
  });

  it('lists an invalid schedule among the problems when other settings fail too', () => {
    const error = configError({ ...BASE, SCAN_SCHEDULE: '0 61 * * * *', SCAN_QUEUE: 'BAD', ACR_CONCURRENCY: '0' });
    expect(error.issues.map((i) => i.variable)).toEqual(['ACR_CONCURRENCY', 'SCAN_SCHEDULE', 'SCAN_QUEUE']);
    expect(error.issues[1]).toEqual({ variable: 'SCAN_SCHEDULE', message: expect.stringMatching(/^minute field "61"/), example: '0 */15 * * * *' });
  });
});

describe('loadConfig: REGISTRIES hosts', () => {
  it.each([
    'myacr.azurecr.io',
    'MyAcr.AzureCR.io:443',
    'myregistry-abc123.azurecr.io',
    'chinaacr.azurecr.cn',
    'govacr.azurecr.us',
    'airgapacr.azurecr.eaglex.ic.gov',
    'secretacr.azurecr.microsoft.scloud',
  ])('accepts the ACR login server %s', (registry) => {
    expect(loadConfig({ REGISTRIES: registry }).registries).toEqual([registry.toLowerCase()]);
  });

  it.each([
    ['a typo', 'myacr.azurcr.io'],
    ['another registry', 'registry.example.com'],
    ['a name too short for ACR', 'acr.azurecr.io'],
    ['a suffix lookalike', 'myacr.azurecr.io.example.com'],
    ['this machine', 'localhost:5000'],
    ['an address', '127.0.0.1:8443'],
    ['Docker Hub', 'index.docker.io'],
  ])('refuses %s (%s) unless ALLOW_ANY_REGISTRY_HOST=true, naming the ACR suffixes', (_label, registry) => {
    const error = configError({ REGISTRIES: `myacr.azurecr.io,${registry}` });
    expect(error.issues).toEqual([
      {
        variable: 'REGISTRIES',
        message: expect.stringMatching(/is not an Azure Container Registry login server \(<name>\.azurecr\.io, <name>\.azurecr\.cn, <name>\.azurecr\.us, <name>\.azurecr\.eaglex\.ic\.gov, <name>\.azurecr\.microsoft\.scloud\).*set ALLOW_ANY_REGISTRY_HOST=true/) as string,
        example: 'myacr.azurecr.io',
      },
    ]);
    expect(configError({ REGISTRIES: registry, ALLOW_ANY_REGISTRY_HOST: 'false' }).issues).toHaveLength(1);
    expect(loadConfig({ REGISTRIES: `myacr.azurecr.io,${registry}`, ALLOW_ANY_REGISTRY_HOST: 'true' }).registries).toHaveLength(2);
  });

  it('reports each non-ACR host once', () => {
    const error = configError({ REGISTRIES: 'one.example.com,myacr.azurecr.io,two.example.com' });
    expect(error.issues.map((i) => i.message.split(' ')[0])).toEqual(['"one.example.com"', '"two.example.com"']);
  });
});

describe('loadConfig: credentials in URLs', () => {
  const PASSWORD = 'pa55w0rdXYZ';
  it.each([
    ['SLACK_API_URL', `https://bot:${PASSWORD}@slack.example.com/api/`, /must not contain a user name or password/],
    ['SLACK_API_URL', `http://bot:${PASSWORD}@localhost:8080/api/`, /must not contain a user name or password/],
    ['SLACK_API_URL', `ftp://bot:${PASSWORD}@slack.example.com/api/`, /must use https:\/\//],
    ['SLACK_API_URL', `bot:${PASSWORD}@slack.example.com/api`, /must use https:\/\//],
    ['SLACK_API_URL', `https://bot:${PASSWORD}@slack.example.com/api?x=1`, /must not contain a user name or password/],
    ['SLACK_API_URL', `https://bot:${PASSWORD}@[slack/api`, /is not a valid URL/],
    ['ARM_ENDPOINT', `https://arm:${PASSWORD}@management.azure.com`, /must not contain a user name or password/],
    ['ARM_ENDPOINT', `http://arm:${PASSWORD}@management.azure.com`, /must use https:\/\//],
  ])('refuses %s with credentials and never shows them (%j)', (variable, value, message) => {
    const error = configError({ ...BASE, [variable]: value });
    expect(error.issues).toEqual([{ variable, message: expect.stringMatching(message) as string, example: CONFIG_EXAMPLES[variable as keyof typeof CONFIG_EXAMPLES] }]);
    expect(error.issues[0]?.message).toMatch(/value not shown: it may hold a user name or password/);
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain('bot:');
    expect(error.message).not.toContain('arm:');
  });

  it('never shows credentials written into a REGISTRIES entry', () => {
    const error = configError({ REGISTRIES: `https://u:${PASSWORD}@myacr.azurecr.io` });
    expect(error.issues[0]?.message).toMatch(/^an entry with "@" \(not shown: it may hold a user name or password\): give the login server without the "https:\/\/" prefix/);
    expect(error.message).not.toContain(PASSWORD);
  });

  it('accepts a webhook URL with credentials, a secret that is never shown', () => {
    const url = `https://hook:${PASSWORD}@hooks.example.com/services/T0/B0/x`;
    expect(loadConfig({ ...BASE, SLACK_WEBHOOK_URL: url, SLACK_CHANNEL: 'alerts' }).slack?.webhookUrl).toBe(url);
    expect(configError({ ...BASE, SLACK_WEBHOOK_URL: url.replace('https', 'http'), SLACK_CHANNEL: 'alerts' }).message).not.toContain(PASSWORD);
  });
});

describe('loadConfig: long values', () => {
  const LONG = 100_000;

  it('quotes only the start of a 100,000-character TAG_PATTERN', () => {
    const error = configError({ ...BASE, TAG_PATTERN: `prod-[${'0'.repeat(LONG)}` });
    expect(error.issues[0]?.message).toMatch(/^tag pattern "prod-\[0+…" \(100006 characters\) has a "\[" without its closing "\]"$/);
    expect(error.message.length).toBeLessThan(300);
  });

  it.each<[string, string]>([
    ['CLUSTERS', `subscription:${'x'.repeat(LONG)}`],
    ['CLUSTERS', `subscription:${SUB}?tag=${'x'.repeat(LONG)}`],
    ['CLUSTERS', `${'a'.repeat(LONG)}=${CLUSTER_ID}`],
    ['CLUSTERS', `/subscriptions/${SUB}/resourceGroups/${'-'.repeat(LONG)}/providers/Microsoft.ContainerService/managedClusters/x`],
    ['CLUSTERS', `/subscriptions/${SUB}/resourceGroups/rg/providers/${'x'.repeat(LONG)}/y/z`],
    ['CLUSTERS', `${CLUSTER_ID},${CLUSTER_ID.replace('aks-prod', 'a'.repeat(LONG))},${CLUSTER_ID}`],
    ['REGISTRIES', `${'x'.repeat(LONG)}://myacr.azurecr.io`],
    ['REGISTRIES', `${'x'.repeat(LONG)}.example.com`],
    ['GRACE_PERIOD', `${'1'.repeat(LONG)}x`],
    ['GRACE_PERIOD', '1'.repeat(LONG)],
    ['CLUSTER_TIMEOUT', `-${'1'.repeat(LONG)}m`],
    ['NOTIFY_REPEAT_INTERVAL', `1s${'1'.repeat(LONG)}h`],
    ['SCAN_SCHEDULE', `0 ${'1,'.repeat(LONG)}x * * * *`],
    ['SLACK_API_URL', `https://${'x'.repeat(LONG)}.example.com/api?q`],
    ['ARM_ENDPOINT', `http://${'x'.repeat(LONG)}`],
  ])('cuts what it quotes of a long %s', (variable, value) => {
    // With ACR_CONCURRENCY=0 as well, an invalid SCAN_SCHEDULE is reported as an error too.
    const error = configError({ ...BASE, ACR_CONCURRENCY: '0', [variable]: value });
    const issue = error.issues.find((i) => i.variable === variable);
    expect(issue?.message).toMatch(/…"? \(\d{6,} characters\)/);
    for (const line of error.message.split('\n')) expect(line.length).toBeLessThan(500);
  });

  it('cuts every long invalid value in one message of bounded size', () => {
    const env: Record<string, string> = {};
    for (const name of CONFIG_VARIABLES) env[name] = `!${'x'.repeat(LONG)}`;
    const error = configError(env);
    expect(new Set(error.issues.map((i) => i.variable))).toEqual(new Set(CONFIG_VARIABLES));
    expect(error.message.length).toBeLessThan(CONFIG_VARIABLES.length * 500);
  });
});

describe('FUNCTION_TIMEOUT_MS', () => {
  it("is host.json's functionTimeout", () => {
    const host = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'host.json'), 'utf8')) as { functionTimeout: string };
    const [hours, minutes, seconds] = host.functionTimeout.split(':').map(Number);
    expect(((hours ?? 0) * 3600 + (minutes ?? 0) * 60 + (seconds ?? 0)) * 1000).toBe(FUNCTION_TIMEOUT_MS);
    expect(DURATION_BOUNDS.CLUSTER_TIMEOUT.maxMs).toBe(FUNCTION_TIMEOUT_MS);
  });
});
