/**
 * App Service / Functions Key Vault references that the platform could not resolve. Such a setting
 * reaches the app as its literal text, `@Microsoft.KeyVault(SecretUri=...)` or
 * `@Microsoft.KeyVault(VaultName=...;SecretName=...)`, which would otherwise fail validation with a
 * misleading message ("must start with xoxb-"). Pure code: it reads the values it is given.
 *
 * Only the vault and secret names are ever repeated, never the rest of the value.
 */
import { keyValueList } from '../util/keyValueList.js';

export interface KeyVaultReference {
  /** The vault's name (first label of its host), when the reference names one. */
  readonly vault?: string;
  readonly secret?: string;
}

const REFERENCE = /^@Microsoft\.KeyVault\((.*)\)$/is;

/** What usually keeps the platform from resolving a reference, for the message. */
export const KEY_VAULT_REFERENCE_CAUSES =
  'the identity\'s Key Vault Secrets User role is new and not effective yet (up to about 30 minutes, or restart the app); ' +
  'the app\'s keyVaultReferenceIdentity is not the identity that has the role; the secret does not exist in the vault; ' +
  'or the vault\'s network rules block the app';

function fromSecretUri(uri: string): KeyVaultReference {
  try {
    const url = new URL(uri);
    const [kind, secret] = url.pathname.split('/').filter(Boolean);
    return { vault: url.hostname.split('.')[0], ...(kind === 'secrets' && secret ? { secret } : {}) };
  } catch {
    return {};
  }
}

/** The vault and secret a setting value refers to when it is an unresolved reference; else undefined. */
export function parseKeyVaultReference(value: unknown): KeyVaultReference | undefined {
  const match = typeof value === 'string' ? REFERENCE.exec(value.trim()) : null;
  if (!match) return undefined;
  const attrs = keyValueList(match[1] ?? '');
  const uri = attrs.get('secreturi');
  if (uri !== undefined) return fromSecretUri(uri);
  const vault = attrs.get('vaultname');
  const secret = attrs.get('secretname');
  return { ...(vault ? { vault } : {}), ...(secret ? { secret } : {}) };
}

/** One line naming the variable, the vault and secret, and the likely causes. */
export function describeUnresolvedReference(variable: string, reference: KeyVaultReference): string {
  const where = [reference.vault ? `vault ${reference.vault}` : undefined, reference.secret ? `secret ${reference.secret}` : undefined]
    .filter(Boolean)
    .join(', ');
  return `${variable} is a Key Vault reference the platform could not resolve${where ? ` (${where})` : ''}; likely causes: ${KEY_VAULT_REFERENCE_CAUSES}`;
}

export interface ScreenedEnvironment {
  /** The environment with every unresolved reference among `variables` removed. */
  readonly env: Record<string, string | undefined>;
  /** Why Slack notifications are off, when a notification credential is an unresolved reference. */
  readonly notificationsOff?: string;
  /** Other variables that are unresolved references: configuration errors. */
  readonly problems: readonly { variable: string; message: string }[];
}

/**
 * Sets aside unresolved references among `variables`. A notification credential that is one turns
 * notifications off (scanning goes on) rather than failing the configuration; any other variable
 * that is one is a problem to report.
 */
export function screenKeyVaultReferences(
  env: Readonly<Record<string, string | undefined>>,
  variables: readonly string[],
  notificationVariables: readonly string[],
): ScreenedEnvironment {
  const screened: Record<string, string | undefined> = { ...env };
  const off: string[] = [];
  const problems: { variable: string; message: string }[] = [];
  for (const variable of variables) {
    const reference = parseKeyVaultReference(env[variable]);
    if (!reference) continue;
    delete screened[variable];
    const description = describeUnresolvedReference(variable, reference);
    if (notificationVariables.includes(variable)) off.push(description);
    else problems.push({ variable, message: description.slice(variable.length + 1) });
  }
  return { env: screened, problems, ...(off.length ? { notificationsOff: off.join('; and ') } : {}) };
}
