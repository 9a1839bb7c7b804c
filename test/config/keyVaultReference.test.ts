/**
 * Unresolved Key Vault references in the configuration: recognised in both syntaxes, reported by
 * vault and secret name only, turning notifications off for the Slack credentials and failing the
 * configuration for anything else.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { parseKeyVaultReference } from '../../src/config/keyVaultReference.js';
import { slackStartupWarning } from '../../src/functions/startupWarning.js';

const BASE = { CLUSTERS: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/aks', REGISTRIES: 'myacr.azurecr.io', SLACK_CHANNEL: 'alerts' };
const BY_URI = '@Microsoft.KeyVault(SecretUri=https://kv-acrsync-x1.vault.azure.net/secrets/slack-bot-token/0123abcd)';
const BY_NAME = '@Microsoft.KeyVault(VaultName=kv-acrsync-x1;SecretName=slack-webhook-url)';

describe('parseKeyVaultReference', () => {
  it('reads the vault and secret of both reference syntaxes, and nothing else', () => {
    expect(parseKeyVaultReference(BY_URI)).toEqual({ vault: 'kv-acrsync-x1', secret: 'slack-bot-token' });
    expect(parseKeyVaultReference(BY_NAME)).toEqual({ vault: 'kv-acrsync-x1', secret: 'slack-webhook-url' });
    expect(parseKeyVaultReference(' @microsoft.keyvault(SecretUri=not a url) ')).toEqual({});
    expect(parseKeyVaultReference('xoxb-123')).toBeUndefined();
    expect(parseKeyVaultReference(undefined)).toBeUndefined();
  });
});

describe('loadConfig with unresolved references', () => {
  it('keeps a config without Slack and says why when a Slack credential is one', () => {
    const config = loadConfig({ ...BASE, SLACK_BOT_TOKEN: BY_URI, SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x' });
    expect(config.slack).toBeNull();
    expect(config.notificationsOff).toMatch(/^SLACK_BOT_TOKEN is a Key Vault reference the platform could not resolve \(vault kv-acrsync-x1, secret slack-bot-token\); likely causes: .*Key Vault Secrets User/);
    expect(config.notificationsOff).not.toContain('0123abcd');
    expect(loadConfig({ ...BASE, SLACK_WEBHOOK_URL: BY_NAME }).notificationsOff).toContain('SLACK_WEBHOOK_URL');
    expect(loadConfig({ ...BASE, SLACK_BOT_TOKEN: 'xoxb-1-2-abc' }).notificationsOff).toBeUndefined();
  });

  it('fails another setting that is one with the reference named, not a misleading format error', () => {
    let error: unknown;
    try {
      loadConfig({ ...BASE, REGISTRIES: BY_NAME });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({ variable: 'REGISTRIES', message: expect.stringMatching(/^is a Key Vault reference .*\(vault kv-acrsync-x1, secret slack-webhook-url\)/) }),
    ]);
  });
});

describe('slackStartupWarning', () => {
  it('warns when no Slack credential is set, or when one is an unresolved reference, and not otherwise', () => {
    expect(slackStartupWarning({})).toMatch(/no Slack credential is configured .*no alert will be sent/);
    expect(slackStartupWarning({ SLACK_BOT_TOKEN: '  ' })).toMatch(/no Slack credential/);
    expect(slackStartupWarning({ SLACK_BOT_TOKEN: BY_URI })).toMatch(/notifications are off: SLACK_BOT_TOKEN .*secret slack-bot-token/);
    expect(slackStartupWarning({ SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x' })).toBeUndefined();
  });
});
