/**
 * REGISTRIES: the login servers whose images are tracked, and the only hosts that ever receive
 * a credential. Each entry must be a login server (host or host:port, no scheme, no path), and,
 * unless ALLOW_ANY_REGISTRY_HOST=true, an ACR login server of one of the Azure clouds: the
 * identity's ACR token is good for every registry the identity may read, so a typo must not
 * send it to a host that is not ACR.
 */
import { ACR_LOGIN_SERVER_SUFFIXES, isAcrLoginServerWithPort } from '../images/acrLoginServers.js';
import { isValidRegistryHost } from '../images/imageReference.js';
import { quoteValue } from '../util/text.js';
import { splitList } from './clusterTargets.js';
import { InvalidSetting, type SettingProblem } from './invalidSetting.js';

const ACR_EXAMPLE = 'myacr.azurecr.io';

/** An entry quoted for a message, unless it may carry a user name or password (`https://user:pass@...`). */
function describeEntry(entry: string): string {
  return entry.includes('@') ? 'an entry with "@" (not shown: it may hold a user name or password)' : quoteValue(entry);
}

function entryProblem(entry: string): SettingProblem | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(entry);
  if (scheme) {
    const host = entry.slice(scheme[0].length).split('/')[0] ?? '';
    return {
      message: `${describeEntry(entry)}: give the login server without the ${quoteValue(scheme[0])} prefix`,
      ...(isValidRegistryHost(host) ? { example: host.toLowerCase() } : {}),
    };
  }
  if (entry.includes('/')) {
    const host = entry.split('/')[0] ?? '';
    return {
      message: `${describeEntry(entry)}: a login server has no path (repositories come from the pods' images)`,
      ...(isValidRegistryHost(host) ? { example: host.toLowerCase() } : {}),
    };
  }
  if (!isValidRegistryHost(entry)) return { message: `${describeEntry(entry)} is not a registry login server (host or host:port)` };
  return undefined;
}

/** The lower-cased login servers in a REGISTRIES value, without duplicates; throws `InvalidSetting` listing every bad entry. */
export function parseRegistries(value: string | undefined): string[] {
  const entries = value === undefined ? [] : splitList(value);
  if (entries.length === 0) {
    throw new InvalidSetting('is required: list the Azure Container Registry login servers whose images are tracked, comma-separated');
  }
  const problems: SettingProblem[] = [];
  const registries: string[] = [];
  for (const entry of entries) {
    const problem = entryProblem(entry);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const host = entry.toLowerCase() === 'index.docker.io' ? 'docker.io' : entry.toLowerCase();
    if (!registries.includes(host)) registries.push(host);
  }
  if (problems.length > 0) throw new InvalidSetting(problems);
  return registries;
}

/**
 * One problem per registry that is not an ACR login server, for when ALLOW_ANY_REGISTRY_HOST
 * is not true. The port does not matter: the name says which server it is.
 */
export function nonAcrRegistryProblems(registries: readonly string[]): SettingProblem[] {
  return registries
    .filter((registry) => !isAcrLoginServerWithPort(registry))
    .map((registry) => ({
      message:
        `${quoteValue(registry)} is not an Azure Container Registry login server (<name>${ACR_LOGIN_SERVER_SUFFIXES.join(', <name>')}), ` +
        "and only ACR gets the identity's registry token; set ALLOW_ANY_REGISTRY_HOST=true to allow a registry under another name",
      example: ACR_EXAMPLE,
    }));
}
