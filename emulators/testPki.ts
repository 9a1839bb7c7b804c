/**
 * A throwaway certificate authority and a server certificate for the emulators, made with
 * the machine's openssl. The Azure SDKs refuse to send bearer tokens over plain http, so
 * every emulator that receives a token speaks HTTPS with this CA, and the code under test
 * trusts it the way production trusts a real CA: through NODE_EXTRA_CA_CERTS (or the CA data
 * in a kubeconfig).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** A client certificate signed by the CA (for local-account kubeconfigs). */
  clientCertPem: string;
  clientKeyPem: string;
}

const SERVER_NAMES = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates (or reuses) the PKI in `dir`. Safe to call from several processes once created. */
export function ensureTestPki(dir: string = process.env.ACR_AKS_SYNC_TEST_PKI ?? join(tmpdir(), 'acr-aks-sync-test-pki')): TestPki {
  const files = ['ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key'];
  if (!files.every((f) => existsSync(join(dir, f)))) {
    mkdirSync(dir, { recursive: true });
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=acr-aks-sync test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    writeFileSync(join(dir, 'server.ext'), `subjectAltName=${SERVER_NAMES.join(',')}\nextendedKeyUsage=serverAuth\n`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '30', '-extfile', 'server.ext'], dir);
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/O=system:masters/CN=clusterUser'], dir);
    openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '30', '-extfile', 'client.ext'], dir);
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caPath: join(dir, 'ca.pem'),
    caPem: read('ca.pem'),
    certPem: read('server.pem'),
    keyPem: read('server.key'),
    clientCertPem: read('client.pem'),
    clientKeyPem: read('client.key'),
  };
}
