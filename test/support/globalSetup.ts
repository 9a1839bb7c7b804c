/**
 * Runs once before the test workers start: makes the emulators' test CA and exports it
 * through NODE_EXTRA_CA_CERTS, which the forked workers read at start-up like any Node process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestPki } from '../../emulators/testPki.js';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-pki-'));
  const pki = ensureTestPki(dir);
  process.env.ACR_AKS_SYNC_TEST_PKI = dir;
  process.env.NODE_EXTRA_CA_CERTS = pki.caPath;
  return () => rmSync(dir, { recursive: true, force: true });
}
