/**
 * The REGISTRIES gate: credentials go only to the login servers in REGISTRIES. The token
 * provider passes every registry it is asked about through it, so no token, and no data
 * request its policy signs, reaches any other host.
 */
import { isAcrLoginServerWithPort } from '../images/acrLoginServers.js';

export class CredentialGate {
  private readonly allowed: ReadonlySet<string>;

  /** `registries`: the login servers from REGISTRIES (host or host:port). */
  constructor(registries: readonly string[]) {
    this.allowed = new Set(registries.map((r) => r.toLowerCase()));
  }

  /** `registry` lower-cased; throws at once for a host outside REGISTRIES. */
  check(registry: string): string {
    const host = registry.toLowerCase();
    if (!this.allowed.has(host)) throw new Error(`refusing to send a credential to ${host}: it is not in REGISTRIES`);
    return host;
  }

  /** True when no registry may get a credential. */
  get empty(): boolean {
    return this.allowed.size === 0;
  }

  /** The allowed hosts that are ACR login servers of an Azure cloud (whatever their port). */
  acrLoginServers(): string[] {
    return [...this.allowed].filter(isAcrLoginServerWithPort);
  }
}
