/**
 * Offline checks of infra/: every .bicep and .bicepparam file parses (tree-sitter Bicep grammar),
 * and the syntax trees satisfy the security and configuration rules of the deployment. Each rule
 * is also run on a deliberately broken in-memory snippet to prove it can fail.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllYaml } from '@kubernetes/client-node';
import type { V1ClusterRole, V1ClusterRoleBinding } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config/config.js';
import {
  assignedRoleGuids,
  checkAppSettings,
  checkAssignmentsScopedTo,
  checkCrossScopeModule,
  checkOutputs,
  checkParamFile,
  checkResourceProperty,
  checkRoleAssignments,
  checkRoleGuids,
  checkSecureParameters,
  checkSyntax,
  collectAppSettings,
  literalValuesOfKey,
} from './bicepChecks.js';
import type { AppSettingRules } from './bicepChecks.js';
import { firstSyntaxProblem, getPath, getProperty, literalValue, modules, parameters, parseBicep, resourcesOfType, targetScope, variables } from './bicepSyntax.js';
import type { BicepDocument } from './bicepSyntax.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const INFRA = join(ROOT, 'infra');

/**
 * Built-in Azure roles the deployment may assign: GUID -> role name, from Microsoft's built-in
 * role list. Container Registry Repository Reader and Key Vault Secrets User were cross-checked
 * against the builtInRoleNames tables of the Azure Verified Modules
 * (Azure/bicep-registry-modules avm/res/container-registry/registry and avm/res/key-vault/vault).
 */
const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  '4abbcc35-e782-43d8-92c5-2d3f1bd2253f': 'Azure Kubernetes Service Cluster User Role',
  '7f6c6a51-bcf8-42ba-9220-52d62157d7db': 'Azure Kubernetes Service RBAC Reader',
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': 'AcrPull',
  'b93aa761-3e63-49ed-ac28-beffa264f7ac': 'Container Registry Repository Reader',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a': 'Storage Queue Data Message Sender',
};


/** Settings the Functions platform reads (identity-based host storage, Application Insights with Entra ID). */
const PLATFORM_SETTINGS: readonly string[] = [
  'AzureWebJobsStorage__blobServiceUri',
  'AzureWebJobsStorage__queueServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];

/** Settings the Bicep must always write. */
const REQUIRED_SETTINGS: readonly string[] = [
  'CLUSTERS',
  'REGISTRIES',
  'SLACK_CHANNEL',
  'SCAN_SCHEDULE',
  'TAG_PATTERN',
  'GRACE_PERIOD',
  'AZURE_CLIENT_ID',
  'ARM_ENDPOINT',
  'STATE_TABLE',
  'SCAN_FANOUT',
  'SCAN_QUEUE',
  'PUSH_CHECKS',
  'PUSH_QUEUE',
  ...PLATFORM_SETTINGS,
];

const RULES: AppSettingRules = {
  codeVariables: CONFIG_VARIABLES,
  platform: PLATFORM_SETTINGS,
  required: REQUIRED_SETTINGS,
  forbidden: ['SLACK_API_URL'],
  secrets: ['SLACK_WEBHOOK_URL', 'SLACK_BOT_TOKEN'],
};

/** Host settings that only a local run needs (Core Tools, Azurite). */
const LOCAL_HOST_SETTINGS: readonly string[] = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage', 'AzureWebJobsFeatureFlags'];

function infraFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return infraFiles(path);
    return /\.bicep(param)?$/.test(entry.name) ? [path] : [];
  });
}

const FILES = infraFiles(INFRA)
  .map((p) => relative(ROOT, p))
  .sort();

const docs = new Map<string, BicepDocument>();
function doc(file: string): BicepDocument {
  const d = docs.get(file);
  if (!d) throw new Error(`${file} was not parsed`);
  return d;
}

beforeAll(async () => {
  for (const file of FILES) docs.set(file, await parseBicep(readFileSync(join(ROOT, file), 'utf8'), file));
});

const MAIN = 'infra/main.bicep';
const CLUSTER_MODULE = 'infra/modules/clusterAccess.bicep';
const REGISTRY_MODULE = 'infra/modules/registryAccess.bicep';
const TOPIC_MODULE = 'infra/modules/pushEventTopic.bicep';
const SUBSCRIPTION_MODULE = 'infra/modules/pushEventSubscription.bicep';
const PARAM_FILE = 'infra/main.bicepparam';

/** A minimal valid app settings block, for the negative tests to break. */
function appSettingsSnippet(extra: string, omit: readonly string[] = []): string {
  const lines = REQUIRED_SETTINGS.filter((k) => !omit.includes(k)).map((k) => `    ${k}: 'x'`);
  return [
    "resource site 'Microsoft.Web/sites@2024-04-01' = {",
    "  name: 'app'",
    '}',
    "resource settings 'Microsoft.Web/sites/config@2024-04-01' = {",
    '  parent: site',
    "  name: 'appsettings'",
    '  properties: {',
    ...lines,
    extra,
    '  }',
    '}',
  ].join('\n');
}

describe('infra files', () => {
  it('include the template, its parameter file and the cross-scope modules', () => {
    expect(FILES).toEqual(expect.arrayContaining([MAIN, PARAM_FILE, CLUSTER_MODULE, REGISTRY_MODULE, TOPIC_MODULE, SUBSCRIPTION_MODULE]));
  });

  it.each(FILES)('%s parses without syntax errors', (file) => {
    expect(checkSyntax(doc(file))).toEqual([]);
  });

  it('reports file, line and column of the first syntax error', async () => {
    const broken = await parseBicep("param a string\nvar b = {\n  x: 'y' 'z'\n}\n", 'broken.bicep');
    const problem = firstSyntaxProblem(broken);
    expect(problem).toMatchObject({ file: 'broken.bicep', line: 3 });
    expect(problem?.column).toBeGreaterThan(1);
    expect(checkSyntax(broken)[0]).toMatch(/^broken\.bicep:3:\d+: /);
  });

  it('reports a missing closing brace', async () => {
    const broken = await parseBicep("resource s 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'a'\n  properties: {\n    allowSharedKeyAccess: false\n\n}\n", 'unclosed.bicep');
    expect(checkSyntax(broken)).toHaveLength(1);
    expect(checkSyntax(broken)[0]).toMatch(/^unclosed\.bicep:\d+:\d+: /);
  });

  it('reads .bicepparam assignments without shifting positions', async () => {
    const broken = await parseBicep("using './main.bicep'\nparam a = 'x'\nparam b = [\n", 'broken.bicepparam');
    expect(checkSyntax(broken)[0]).toMatch(/^broken\.bicepparam:\d+:\d+: /);
    const clean = await parseBicep("using './main.bicep'\nparam a = 'x'\n", 'clean.bicepparam');
    expect(checkSyntax(clean)).toEqual([]);
  });

  it('modules referenced by the templates exist and deploy at resource-group scope', () => {
    for (const file of FILES.filter((f) => f.endsWith('.bicep'))) {
      expect(targetScope(doc(file)), file).toBe('resourceGroup');
      for (const m of modules(doc(file))) {
        expect(existsSync(join(ROOT, dirname(file), m.path)), `${file}: module ${m.path}`).toBe(true);
      }
    }
  });
});

describe('role definitions and assignments', () => {
  it.each(FILES.filter((f) => f.endsWith('.bicep')))('%s uses only documented built-in role GUIDs, labelled with their names', (file) => {
    expect(checkRoleGuids(doc(file), BUILT_IN_ROLES)).toEqual([]);
  });

  it.each(FILES.filter((f) => f.endsWith('.bicep')))('%s names role assignments with guid(), scopes them and assigns built-in roles only', (file) => {
    expect(checkRoleAssignments(doc(file), BUILT_IN_ROLES)).toEqual([]);
  });

  it('assigns every documented role somewhere, and nothing else', () => {
    const used = new Set(FILES.filter((f) => f.endsWith('.bicep')).flatMap((f) => assignedRoleGuids(doc(f))));
    expect([...used].sort()).toEqual(Object.keys(BUILT_IN_ROLES).sort());
  });

  it('places the cluster and registry roles in modules that reference the existing resource', () => {
    expect(checkAssignmentsScopedTo(doc(CLUSTER_MODULE), 'Microsoft.ContainerService/managedClusters@')).toEqual([]);
    expect(checkAssignmentsScopedTo(doc(REGISTRY_MODULE), 'Microsoft.ContainerRegistry/registries@')).toEqual([]);
    expect(assignedRoleGuids(doc(CLUSTER_MODULE)).sort()).toEqual(['4abbcc35-e782-43d8-92c5-2d3f1bd2253f', '7f6c6a51-bcf8-42ba-9220-52d62157d7db']);
    expect(assignedRoleGuids(doc(REGISTRY_MODULE)).sort()).toEqual(['7f951dda-4ed3-4680-a7ca-43fe172d538d', 'b93aa761-3e63-49ed-ac28-beffa264f7ac']);
  });

  it('assigns both read-only roles on every cluster and registry, with no hand-set flag to get wrong', () => {
    for (const file of [CLUSTER_MODULE, REGISTRY_MODULE]) {
      const assignments = resourcesOfType(doc(file), 'Microsoft.Authorization/roleAssignments@', { existing: false });
      expect(assignments.map((a) => [a.symbol, a.conditional]), file).toEqual(assignments.map((a) => [a.symbol, false]));
      expect(assignments, file).toHaveLength(2);
    }
    expect(readFileSync(join(ROOT, MAIN), 'utf8')).not.toMatch(/azureRbac: bool|repositoryPermissions/);
  });

  it('deploys the cluster and registry modules per item into the item\'s own subscription and resource group', () => {
    expect(checkCrossScopeModule(doc(MAIN), 'modules/clusterAccess.bicep')).toEqual([]);
    expect(checkCrossScopeModule(doc(MAIN), 'modules/registryAccess.bicep')).toEqual([]);
  });

  it('fails on a GUID that is not a documented role', async () => {
    const d = await parseBicep("var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538e' // AcrPull\n", 'wrong-guid.bicep');
    expect(checkRoleGuids(d, BUILT_IN_ROLES)).toEqual([expect.stringContaining('is not a documented built-in role')]);
  });

  it('fails when the label beside a GUID names another role', async () => {
    const d = await parseBicep("var acrPullRoleId = 'b93aa761-3e63-49ed-ac28-beffa264f7ac' // AcrPull\n", 'mislabelled.bicep');
    expect(checkRoleGuids(d, BUILT_IN_ROLES)).toEqual([expect.stringContaining('is labelled AcrPull')]);
    const byName = await parseBicep("var roles = {\n  AcrPull: '4633458b-17de-408a-b874-0445c86b69e6'\n}\n", 'mislabelled-key.bicep');
    expect(checkRoleGuids(byName, BUILT_IN_ROLES)).toEqual([expect.stringContaining('Key Vault Secrets User, but is labelled AcrPull')]);
  });

  it('fails when a GUID has no label naming its role', async () => {
    const d = await parseBicep("var roleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'\n", 'unlabelled.bicep');
    expect(checkRoleGuids(d, BUILT_IN_ROLES)).toEqual([expect.stringContaining('has no label naming the role')]);
    const ok = await parseBicep("var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'\n", 'named.bicep');
    expect(checkRoleGuids(ok, BUILT_IN_ROLES)).toEqual([]);
  });

  it('fails on a role assignment with a fixed name, no scope, another principal type or an unknown role', async () => {
    const d = await parseBicep(
      [
        "var readerRoleId = 'acdd72a7-3385-48ef-bd42-f606fba81ae7' // Reader",
        "resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
        "  name: 'my-assignment'",
        '  properties: {',
        "    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)",
        "    principalId: 'p'",
        "    principalType: 'User'",
        '  }',
        '}',
      ].join('\n'),
      'bad-assignment.bicep',
    );
    const problems = checkRoleAssignments(d, BUILT_IN_ROLES).join('\n');
    expect(problems).toContain('name must be a guid(...) call');
    expect(problems).toContain('has no scope');
    expect(problems).toContain("principalType must be 'ServicePrincipal'");
    expect(problems).toContain('acdd72a7-3385-48ef-bd42-f606fba81ae7 is not a documented built-in role');
  });
});

describe('app settings', () => {
  it('sets every required setting, only settings the code reads, and Slack credentials as Key Vault references', () => {
    expect(checkAppSettings(doc(MAIN), RULES)).toEqual([]);
  });

  it('writes Slack credentials only as Key Vault references and never SLACK_API_URL', () => {
    const { settings } = collectAppSettings(doc(MAIN));
    const keys = settings.map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['SLACK_WEBHOOK_URL', 'SLACK_BOT_TOKEN']));
    expect(keys).not.toContain('SLACK_API_URL');
    for (const s of settings.filter((x) => x.key.startsWith('SLACK_WEBHOOK') || x.key.startsWith('SLACK_BOT'))) {
      expect(s.value?.text).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=/);
    }
  });

  it('takes storage endpoints from the account and ARM from environment(), never a public-cloud host', () => {
    const { settings } = collectAppSettings(doc(MAIN));
    const value = (key: string) => settings.find((s) => s.key === key)?.value?.text;
    for (const service of ['blob', 'queue', 'table']) {
      expect(value(`AzureWebJobsStorage__${service}ServiceUri`)).toBe(`storage.properties.primaryEndpoints.${service}`);
    }
    expect(value('ARM_ENDPOINT')).toBe('environment().resourceManager');
    expect(readFileSync(join(ROOT, MAIN), 'utf8')).not.toMatch(/core\.windows\.net|management\.azure\.com/);
  });

  it('keeps the Slack Key Vault references on a deployment without the secret values (chosen by slackCredentials)', () => {
    const slackSettings = variables(doc(MAIN)).get('slackSecretAppSettings')?.text ?? '';
    expect(slackSettings).toContain('SLACK_BOT_TOKEN');
    expect(slackSettings).toContain('SLACK_WEBHOOK_URL');
    expect(slackSettings).not.toMatch(/\bslackBotToken\b|\bslackWebhookUrl\b/);
    const param = parameters(doc(MAIN)).find((p) => p.name === 'slackCredentials');
    expect(param?.defaultValue, 'slackCredentials has no default: the parameter file states it').toBeUndefined();
  });

  it('lists every code variable and required setting in local.settings.example.json', () => {
    const path = join(ROOT, 'local.settings.example.json');
    expect(existsSync(path), 'local.settings.example.json exists').toBe(true);
    const json = JSON.parse(readFileSync(path, 'utf8')) as { IsEncrypted?: unknown; Values?: Record<string, unknown> };
    const values = json.Values ?? {};
    const local = new Set(Object.keys(values));
    const expected = [...new Set([...CONFIG_VARIABLES, ...REQUIRED_SETTINGS])].filter((k) => !PLATFORM_SETTINGS.includes(k));
    expect(expected.filter((k) => !local.has(k))).toEqual([]);
    const allowed = new Set([...CONFIG_VARIABLES, ...PLATFORM_SETTINGS, ...LOCAL_HOST_SETTINGS]);
    expect([...local].filter((k) => !allowed.has(k))).toEqual([]);
    expect(values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    for (const [key, value] of Object.entries(values)) expect(typeof value, key).toBe('string');
  });

  it('fails when a required setting is missing', async () => {
    const d = await parseBicep(appSettingsSnippet('', ['CLUSTERS']), 'missing.bicep');
    expect(checkAppSettings(d, RULES)).toEqual([expect.stringContaining('required app setting CLUSTERS is not set')]);
  });

  it('fails on a setting the code does not read, and on SLACK_API_URL', async () => {
    const d = await parseBicep(appSettingsSnippet("    UNUSED_SETTING: 'x'\n    SLACK_API_URL: 'http://127.0.0.1/'"), 'extra.bicep');
    const problems = checkAppSettings(d, RULES).join('\n');
    expect(problems).toContain('UNUSED_SETTING is not read by the code');
    expect(problems).toContain('SLACK_API_URL must not be set in Azure');
  });

  it('fails on a plain Slack credential and on settings whose keys cannot be known', async () => {
    const d = await parseBicep(
      "param extraSettings object = {}\n" + appSettingsSnippet("    SLACK_BOT_TOKEN: 'xoxb-1'").replace('  properties: {', '  properties: union(extraSettings, {').replace(/\n {2}\}\n\}$/, '\n  })\n}'),
      'plain-secret.bicep',
    );
    const problems = checkAppSettings(d, RULES).join('\n');
    expect(problems).toContain('SLACK_BOT_TOKEN must be a @Microsoft.KeyVault(SecretUri=...) reference');
    expect(problems).toContain("'extraSettings', which is not a variable");
  });

  it('follows variables, union(), ternaries and toObject(filter(items(...)))', async () => {
    const d = await parseBicep(
      appSettingsSnippet('', ['SCAN_QUEUE', 'STATE_TABLE', 'SLACK_CHANNEL']).replace(
        '  properties: {',
        "  properties: union(base, opt, cond ? {} : { SLACK_CHANNEL: 'c' }, {",
      ).replace(/\n {2}\}\n\}$/, '\n  })\n}') +
        "\nvar base = { SCAN_QUEUE: 'q' }\nvar opt = toObject(filter(items({ STATE_TABLE: 't' }), s => !empty(s.value)), s => s.key, s => s.value)\nvar cond = true\n",
      'indirect.bicep',
    );
    expect(checkAppSettings(d, RULES)).toEqual([]);
  });
});

describe('secrets', () => {
  it.each(FILES.filter((f) => f.endsWith('.bicep')))('%s lets @secure() parameters reach Key Vault secrets only', (file) => {
    expect(checkSecureParameters(doc(file))).toEqual([]);
  });

  it.each(FILES.filter((f) => f.endsWith('.bicep')))('%s outputs no secret', (file) => {
    expect(checkOutputs(doc(file))).toEqual([]);
  });

  it('stores the Slack credentials in Key Vault secrets created only when given', () => {
    const text = readFileSync(join(ROOT, MAIN), 'utf8');
    expect(text).toMatch(/resource \w+ 'Microsoft\.KeyVault\/vaults\/secrets@[^']+' = if \(!empty\(slackWebhookUrl\)\)/);
    expect(text).toMatch(/resource \w+ 'Microsoft\.KeyVault\/vaults\/secrets@[^']+' = if \(!empty\(slackBotToken\)\)/);
  });

  it('fails on a secret in an output', async () => {
    const d = await parseBicep("@secure()\nparam slackWebhookUrl string = ''\noutput url string = slackWebhookUrl\n", 'secret-output.bicep');
    expect(checkSecureParameters(d)).toEqual([expect.stringContaining("used in output 'url'")]);
  });

  it('fails on a secret in a plain app setting, a variable or a module parameter', async () => {
    const d = await parseBicep(
      [
        '@secure()',
        "param slackBotToken string = ''",
        "var copy = 'Bearer ${slackBotToken}'",
        appSettingsSnippet('    SLACK_BOT_TOKEN: slackBotToken'),
        "module m 'x.bicep' = {",
        "  name: 'm'",
        '  params: { token: slackBotToken }',
        '}',
      ].join('\n'),
      'secret-setting.bicep',
    );
    const problems = checkSecureParameters(d).join('\n');
    expect(problems).toContain("in variable 'copy'");
    expect(problems).toContain("in resource 'settings'");
    expect(problems).toContain("in module 'm'");
  });

  it('accepts a secret that only flows into a Key Vault secret value and empty() tests', async () => {
    const d = await parseBicep(
      [
        '@secure()',
        "param token string = ''",
        "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = { name: 'kv' }",
        "resource s 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(token)) {",
        '  parent: kv',
        "  name: 'token'",
        '  properties: {',
        '    value: token',
        '  }',
        '}',
        "output hasToken bool = !empty(token)",
      ].join('\n'),
      'secret-ok.bicep',
    );
    expect(checkSecureParameters(d)).toEqual([]);
  });

  it('fails on an output that exposes a Key Vault secret or listKeys()', async () => {
    const d = await parseBicep(
      [
        "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = { name: 'kv' }",
        "resource s 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = { parent: kv, name: 'x' }",
        "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' existing = { name: 'st' }",
        'output uri string = s.properties.secretUriWithVersion',
        'output key string = st.listKeys().keys[0].value',
      ].join('\n'),
      'leaky-output.bicep',
    );
    const problems = checkOutputs(d).join('\n');
    expect(problems).toContain('exposes Key Vault secret resource s');
    expect(problems).toContain('calls listKeys()');
  });
});

describe('resource settings', () => {
  it('storage accepts Entra ID only (allowSharedKeyAccess: false)', () => {
    expect(checkResourceProperty(doc(MAIN), 'Microsoft.Storage/storageAccounts@', ['properties', 'allowSharedKeyAccess'], false)).toEqual([]);
  });

  it('Application Insights accepts Entra ID ingestion only (DisableLocalAuth: true)', () => {
    expect(checkResourceProperty(doc(MAIN), 'Microsoft.Insights/components@', ['properties', 'DisableLocalAuth'], true)).toEqual([]);
  });

  it('Key Vault uses RBAC authorization, with an explicitly empty access policy list', () => {
    expect(checkResourceProperty(doc(MAIN), 'Microsoft.KeyVault/vaults@', ['properties', 'enableRbacAuthorization'], true)).toEqual([]);
    const vault = resourcesOfType(doc(MAIN), 'Microsoft.KeyVault/vaults@', { existing: false })[0];
    expect(getPath(vault?.body, ['properties', 'accessPolicies'])?.text).toBe('[]');
  });

  it('the function app allows no FTP, TLS below 1.2 or basic-auth publishing', () => {
    const site = 'Microsoft.Web/sites@';
    expect([
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'siteConfig', 'ftpsState'], 'Disabled'),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'siteConfig', 'minTlsVersion'], '1.2'),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'siteConfig', 'scmMinTlsVersion'], '1.2'),
      ...checkResourceProperty(doc(MAIN), 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@', ['properties', 'allow'], false),
    ]).toEqual([]);
    const policies = resourcesOfType(doc(MAIN), 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@', { existing: false });
    expect(policies.map((p) => literalValue(getProperty(p.body, 'name'))).sort()).toEqual(['ftp', 'scm']);
  });

  it('offers only Flex Consumption regions, marked as a location for azd', () => {
    const text = readFileSync(join(ROOT, MAIN), 'utf8');
    const block = /@allowed\(\[([^\]]*)\]\)\n@metadata\(\{\n {2}azd: \{\n {4}type: 'location'\n {2}\}\n\}\)\nparam location string\n/.exec(text);
    expect(block, 'location has @allowed regions and azd location metadata').not.toBeNull();
    expect(block?.[1]).toContain("'westeurope'");
    expect(block?.[1]).not.toContain('euap');
  });

  it('the function app is Flex Consumption on Node 22 with identity-based deployment storage and Key Vault references', () => {
    const site = 'Microsoft.Web/sites@';
    expect([
      ...checkResourceProperty(doc(MAIN), 'Microsoft.Web/serverfarms@', ['sku', 'name'], 'FC1'),
      ...checkResourceProperty(doc(MAIN), 'Microsoft.Web/serverfarms@', ['properties', 'reserved'], true),
      ...checkResourceProperty(doc(MAIN), site, ['kind'], 'functionapp,linux'),
      ...checkResourceProperty(doc(MAIN), site, ['identity', 'type'], 'UserAssigned'),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'functionAppConfig', 'runtime', 'name'], 'node'),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'functionAppConfig', 'runtime', 'version'], '22'),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'functionAppConfig', 'deployment', 'storage', 'type'], 'blobContainer'),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'functionAppConfig', 'deployment', 'storage', 'authentication', 'type'], 'UserAssignedIdentity'),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'functionAppConfig', 'deployment', 'storage', 'authentication', 'userAssignedIdentityResourceId']),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'functionAppConfig', 'scaleAndConcurrency', 'maximumInstanceCount']),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'keyVaultReferenceIdentity']),
      ...checkResourceProperty(doc(MAIN), site, ['properties', 'httpsOnly'], true),
    ]).toEqual([]);
  });

  it('creates the state table and the fan-out queue', () => {
    expect(checkResourceProperty(doc(MAIN), 'tables', ['name'])).toEqual([]);
    expect(checkResourceProperty(doc(MAIN), 'queues', ['name'])).toEqual([]);
  });

  it('tags the function app with the azd service name of azure.yaml', () => {
    const yaml = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
    expect(yaml).toMatch(/^services:\n {2}scanner:\n(?: {4}.*\n)*? {4}language: ts$/m);
    expect(yaml).toMatch(/^ {4}host: function$/m);
    expect(yaml).toMatch(/^ {4}project: \.$/m);
    expect(literalValuesOfKey(doc(MAIN), 'azd-service-name')).toEqual(['scanner']);
  });

  it('azure.yaml deploys the built package with no remote build, and waits for the storage role after provisioning', () => {
    const yaml = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
    expect(yaml).toMatch(/^ {4}remoteBuild: false$/m);
    expect(yaml).toMatch(/^ {4}dist: dist\/package$/m);
    expect(yaml).toMatch(/^ {4}hooks:\n {6}prepackage:\n {8}shell: sh\n {8}run: npm run package$/m);
    expect(yaml).toMatch(/^ {2}postprovision:\n {4}shell: sh\n {4}run: bash infra\/hooks\/first-deploy\.sh$/m);
    expect(yaml).toMatch(/^ {2}azd: ">= 1\.23\.5"$/m);
    const packageScript = readFileSync(join(ROOT, 'scripts', 'package.ts'), 'utf8');
    expect(packageScript).toContain("join(root, 'dist', 'package')");
  });

  it('fails on shared keys, local auth and another Node version', async () => {
    const d = await parseBicep(
      [
        "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = { name: 'st', properties: { allowSharedKeyAccess: true } }",
        "resource ai 'Microsoft.Insights/components@2020-02-02' = { name: 'ai', properties: { DisableLocalAuth: false } }",
        "resource app 'Microsoft.Web/sites@2024-04-01' = {",
        "  name: 'app'",
        "  properties: { functionAppConfig: { runtime: { name: 'node', version: '20' } } }",
        '}',
      ].join('\n'),
      'insecure.bicep',
    );
    expect(checkResourceProperty(d, 'Microsoft.Storage/storageAccounts@', ['properties', 'allowSharedKeyAccess'], false)).toEqual([
      expect.stringContaining('must be false'),
    ]);
    expect(checkResourceProperty(d, 'Microsoft.Insights/components@', ['properties', 'DisableLocalAuth'], true)).toEqual([
      expect.stringContaining('must be true'),
    ]);
    expect(checkResourceProperty(d, 'Microsoft.Web/sites@', ['properties', 'functionAppConfig', 'runtime', 'version'], '22')).toEqual([
      expect.stringContaining('must be "22"'),
    ]);
    expect(checkResourceProperty(d, 'Microsoft.KeyVault/vaults@', ['properties', 'enableRbacAuthorization'], true)).toEqual([
      expect.stringContaining('no Microsoft.KeyVault/vaults@ resource'),
    ]);
  });

  it('fails on a cluster module deployed without a cross-subscription scope', async () => {
    const d = await parseBicep("module m 'modules/clusterAccess.bicep' = [for c in clusters: {\n  name: c.name\n}]\n", 'no-scope.bicep');
    expect(checkCrossScopeModule(d, 'modules/clusterAccess.bicep')).toEqual([expect.stringContaining('scope must be resourceGroup(subscriptionId, resourceGroupName)')]);
  });
});

describe('push-driven checks', () => {
  it("deploys each registry's Event Grid modules into the topic's own subscription and resource group", () => {
    expect(checkCrossScopeModule(doc(MAIN), 'modules/pushEventTopic.bicep')).toEqual([]);
    expect(checkCrossScopeModule(doc(MAIN), 'modules/pushEventSubscription.bicep')).toEqual([]);
  });

  it('creates a system topic on the registry with a system-assigned identity, or reuses the existing one named', () => {
    expect([
      ...checkResourceProperty(doc(TOPIC_MODULE), 'Microsoft.EventGrid/systemTopics@', ['identity', 'type'], 'SystemAssigned'),
      ...checkResourceProperty(doc(TOPIC_MODULE), 'Microsoft.EventGrid/systemTopics@', ['properties', 'topicType'], 'Microsoft.ContainerRegistry.Registries'),
      ...checkResourceProperty(doc(TOPIC_MODULE), 'Microsoft.EventGrid/systemTopics@', ['properties', 'source']),
    ]).toEqual([]);
    const topics = resourcesOfType(doc(TOPIC_MODULE), 'Microsoft.EventGrid/systemTopics@');
    expect(topics.map((t) => [t.existing, t.conditional])).toEqual([
      [false, true],
      [true, true],
    ]);
    expect(readFileSync(join(ROOT, MAIN), 'utf8')).toMatch(/existingTopicName: registry\.\?eventGridSystemTopic \?\? ''/);
  });

  it('subscribes to ImagePushed only, in the EventGridSchema the app decodes, delivering to the push queue with the topic identity (no keys)', () => {
    const type = 'Microsoft.EventGrid/systemTopics/eventSubscriptions@';
    const delivery = ['properties', 'deliveryWithResourceIdentity'];
    expect([
      ...checkResourceProperty(doc(SUBSCRIPTION_MODULE), type, ['properties', 'eventDeliverySchema'], 'EventGridSchema'),
      ...checkResourceProperty(doc(SUBSCRIPTION_MODULE), type, [...delivery, 'identity', 'type'], 'SystemAssigned'),
      ...checkResourceProperty(doc(SUBSCRIPTION_MODULE), type, [...delivery, 'destination', 'endpointType'], 'StorageQueue'),
      ...checkResourceProperty(doc(SUBSCRIPTION_MODULE), type, [...delivery, 'destination', 'properties', 'queueName']),
    ]).toEqual([]);
    const [subscription] = resourcesOfType(doc(SUBSCRIPTION_MODULE), type, { existing: false });
    expect(getPath(subscription?.body, ['properties', 'filter', 'includedEventTypes'])?.text.replace(/\s+/g, ' ')).toBe("[ 'Microsoft.ContainerRegistry.ImagePushed' ]");
    expect(getPath(subscription?.body, ['properties', 'destination'])).toBeUndefined();
    const module = modules(doc(MAIN)).find((m) => m.path === 'modules/pushEventSubscription.bicep');
    expect(getPath(module?.body, ['params', 'queueName'])?.text).toBe('pushQueueName');
  });

  it('grants each topic identity Storage Queue Data Message Sender on the push queue only, before the subscription is made', () => {
    const sender = resourcesOfType(doc(MAIN), 'Microsoft.Authorization/roleAssignments@', { existing: false }).find((r) => r.symbol === 'pushQueueSender');
    expect(getProperty(sender?.body, 'scope')?.text).toBe('storage::queueService::pushQueue');
    expect(assignedRoleGuids(doc(MAIN))).toContain('c6a89b2d-59bc-44d0-9896-0f6e12d7b80a');
    const module = modules(doc(MAIN)).find((m) => m.path === 'modules/pushEventSubscription.bicep');
    expect(getProperty(module?.body, 'dependsOn')?.text).toContain('pushQueueSender');
  });

  it('turns PUSH_CHECKS on with pushChecks and names PUSH_QUEUE, the queue it creates', () => {
    const { settings } = collectAppSettings(doc(MAIN));
    const value = (key: string) => settings.find((s) => s.key === key)?.value?.text;
    expect(value('PUSH_CHECKS')).toBe("pushChecks ? 'true' : 'false'");
    expect(value('PUSH_QUEUE')).toBe('pushQueueName');
    expect(parameters(doc(MAIN)).find((p) => p.name === 'pushQueueName')?.defaultValue?.text).toBe("'acrsync-pushes'");
  });
});

describe('parameter file', () => {
  it('uses main.bicep, assigns declared and required parameters, and reads secrets from the environment', () => {
    expect(checkParamFile(doc(PARAM_FILE), doc(MAIN), './main.bicep')).toEqual([]);
  });

  it('fails on a literal secret, an unknown parameter and a missing required one', async () => {
    const template = await parseBicep("param namePrefix string\nparam other string\n@secure()\nparam slackBotToken string = ''\n", 'template.bicep');
    const params = await parseBicep("using './main.bicep'\nparam namePrefix = 'x'\nparam typo = 1\nparam slackBotToken = 'xoxb-123'\n", 'bad.bicepparam');
    const problems = checkParamFile(params, template, './main.bicep').join('\n');
    expect(problems).toContain('bad.bicepparam:4:');
    expect(problems).toContain('@secure() parameter slackBotToken must come from readEnvironmentVariable');
    expect(problems).toContain('parameter typo is not declared');
    expect(problems).toContain('required parameter other is not assigned');
  });
});

describe('Kubernetes RBAC manifest', () => {
  const objects = loadAllYaml(readFileSync(join(INFRA, 'k8s-rbac.yaml'), 'utf8')) as { kind?: string }[];

  it('grants get/list/watch on namespaces and pods, nothing else', () => {
    const roles = objects.filter((o): o is V1ClusterRole => o.kind === 'ClusterRole');
    expect(roles.map((r) => r.metadata?.name)).toEqual(['acr-aks-sync-reader']);
    const rules = roles[0]?.rules ?? [];
    expect(rules.length).toBeGreaterThan(0);
    const resourcesGranted = new Set<string>();
    for (const rule of rules) {
      expect(rule.apiGroups).toEqual(['']);
      expect(rule.resourceNames ?? []).toEqual([]);
      expect(rule.nonResourceURLs ?? []).toEqual([]);
      for (const verb of rule.verbs) expect(['get', 'list', 'watch']).toContain(verb);
      for (const resource of rule.resources ?? []) resourcesGranted.add(resource);
    }
    expect([...resourcesGranted].sort()).toEqual(['namespaces', 'pods']);
  });

  it('binds the role to the identity\'s object ID as a User, with a placeholder to fill', () => {
    const bindings = objects.filter((o): o is V1ClusterRoleBinding => o.kind === 'ClusterRoleBinding');
    expect(bindings).toHaveLength(1);
    const binding = bindings[0];
    expect(binding?.roleRef).toMatchObject({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'acr-aks-sync-reader' });
    expect(binding?.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: '<IDENTITY_PRINCIPAL_ID>' }]);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  });
});

describe('packaging and build helpers', () => {
  it('.funcignore drops sources, tests, infra and local settings but keeps the compiled app', () => {
    const lines = readFileSync(join(ROOT, '.funcignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const pattern of ['/src/', '/test/', '/emulators/', '/bench/', '/scripts/', '/infra/', '/dist/test/', '/dist/emulators/', '/dist/bench/', '/dist/scripts/', 'local.settings.json', '/coverage/', '/.ci/']) {
      expect(lines, pattern).toContain(pattern);
    }
    for (const kept of ['dist', 'dist/src', 'host.json', 'package.json', 'node_modules']) {
      const dropped = lines.filter((l) => !l.startsWith('!') && [kept, `/${kept}`, `${kept}/`, `/${kept}/`].includes(l));
      expect(dropped, kept).toEqual([]);
    }
  });

  it('infra/README.md documents every role with its GUID', () => {
    const readme = readFileSync(join(INFRA, 'README.md'), 'utf8');
    const documented = new Map(
      [...readme.matchAll(/^\| ([^|]+?) \| `([0-9a-f-]{36})` \|/gm)].map((m) => [m[2] ?? '', m[1] ?? '']),
    );
    expect(Object.fromEntries(documented)).toEqual(BUILT_IN_ROLES);
  });

  it.each(['build.sh', 'mutation-test.sh', 'hooks/first-deploy.sh'])('infra/%s is valid bash', (script) => {
    expect(() => execFileSync('bash', ['-n', join(INFRA, script)])).not.toThrow();
  });
});
