/**
 * The line the app logs once when it starts without a usable Slack credential, so an app that will
 * never alert says so in its logs instead of staying silent. Pure: it reads the values given.
 */
import { describeUnresolvedReference, parseKeyVaultReference } from '../config/keyVaultReference.js';

const SLACK_CREDENTIALS = ['SLACK_BOT_TOKEN', 'SLACK_WEBHOOK_URL'] as const;

export function slackStartupWarning(env: Record<string, string | undefined>): string | undefined {
  const set = SLACK_CREDENTIALS.filter((name) => env[name]?.trim());
  if (set.length === 0) {
    return 'acr-aks-sync: no Slack credential is configured (SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL): scans run, but no alert will be sent. Deploy with slackCredentials set and the secret stored in Key Vault (see infra/README.md).';
  }
  const unresolved = set.flatMap((name) => {
    const reference = parseKeyVaultReference(env[name]);
    return reference ? [describeUnresolvedReference(name, reference)] : [];
  });
  return unresolved.length ? `acr-aks-sync: Slack notifications are off: ${unresolved.join('; and ')}` : undefined;
}
