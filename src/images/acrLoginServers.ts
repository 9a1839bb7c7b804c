/**
 * Which hosts are Azure Container Registry login servers: `<name>.azurecr.io` and the login
 * server suffixes of the sovereign clouds (Bicep's `environment().suffixes.acrLoginServer`).
 * Only such hosts are accepted in REGISTRIES unless ALLOW_ANY_REGISTRY_HOST=true, so a typo
 * cannot hand the identity's ACR token to a host that is not ACR.
 */

/** Login server suffixes of the Azure clouds: public, China, US Government, and the air-gapped clouds. */
export const ACR_LOGIN_SERVER_SUFFIXES: readonly string[] = ['.azurecr.io', '.azurecr.cn', '.azurecr.us', '.azurecr.eaglex.ic.gov', '.azurecr.microsoft.scloud'];

/**
 * A registry name (5-50 letters and digits), with the `-<hash>` that domain-name-label scoped
 * registries add, directly under one of the suffixes.
 */
const REGISTRY_LABEL = /^[a-z0-9]{5,50}(?:-[a-z0-9]{1,16})?$/;

/** True when `host` (lower-cased, no port) is an ACR login server of one of the Azure clouds. */
export function isAcrLoginServer(host: string): boolean {
  const lower = host.toLowerCase();
  const suffix = ACR_LOGIN_SERVER_SUFFIXES.find((s) => lower.endsWith(s));
  if (!suffix) return false;
  return REGISTRY_LABEL.test(lower.slice(0, -suffix.length));
}

/** True when `loginServer` (host or host:port, as REGISTRIES lists it) is an ACR login server: the port does not matter. */
export function isAcrLoginServerWithPort(loginServer: string): boolean {
  return isAcrLoginServer(loginServer.replace(/:\d+$/, ''));
}
