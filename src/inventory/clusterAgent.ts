/**
 * One keep-alive connection pool per cluster for the inventory's list requests (listPages.ts).
 *
 * Why: `@kubernetes/client-node` opens a new TLS connection for every request; one kept-alive
 * agent per cluster (same CA, client certificate and server name) saves a handshake per page on
 * the scan's critical path (docs/performance.md, Kubernetes lists).
 */
import { Agent } from 'node:https';
import { createSecureContext } from 'node:tls';

export interface ClusterAgent {
  /**
   * The agent to send a request with, given the one the library made for it: a plain HTTPS
   * agent is replaced by the kept-alive one built from the same TLS options; any other (a
   * proxy agent) is used as it is.
   */
  reuse<T>(fresh: T): T | Agent;
  /** Closes the kept-alive connections. */
  release(): void;
}

export function createClusterAgent(): ClusterAgent {
  let agent: Agent | undefined;
  return {
    reuse: <T>(fresh: T): T | Agent => {
      if (!(fresh instanceof Agent)) return fresh;
      agent ??= new Agent({ ...fresh.options, secureContext: createSecureContext(fresh.options), keepAlive: true, maxSockets: 4 });
      return agent;
    },
    release: () => agent?.destroy(),
  };
}
