/**
 * Debian's Chromium, driven by playwright-core, for the browser test and `npm run screenshots`:
 * no tool ever downloads a browser of its own (that fails behind this project's firewall, and
 * would be another binary to trust). scripts/ensure-chromium.sh installs the package when it is
 * missing (as root with apt-get) or says how to.
 *
 * Each launch gets a fresh profile and flags that keep Chromium off the network it does not need
 * (background networking, component updates, sync, QUIC): otherwise it keeps trying to reach
 * Google's services, which on a closed network is a stream of refused connections.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** The script beside this file (run from the sources, as the tests do), or in the project's scripts/ (run from dist/scripts). */
const ENSURE_SCRIPT = [join(here, 'ensure-chromium.sh'), join(here, '..', '..', 'scripts', 'ensure-chromium.sh')].find((p) => existsSync(p));

/** CHROMIUM_PATH, or Debian's chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Runs scripts/ensure-chromium.sh; throws with its message when Chromium is missing and cannot be installed. */
export function ensureChromium(): void {
  if (!ENSURE_SCRIPT) throw new Error(`scripts/ensure-chromium.sh not found from ${here}`);
  try {
    execFileSync('bash', [ENSURE_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, CHROMIUM_PATH } });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`Chromium is not available:\n${stdout}${stderr}`);
  }
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, deleted on close. */
export async function launchChromium(): Promise<Chromium> {
  ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'acr-aks-sync-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_FLAGS] });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
