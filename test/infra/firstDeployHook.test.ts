/**
 * infra/hooks/first-deploy.sh (the azd postprovision hook) against stand-ins for npm, az and azd on
 * PATH: it retries the deployment while the platform answers 403, stops on any other failure,
 * records the identity once the package was accepted, and does nothing for a recorded identity.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runProcess } from '../support/runProcess.js';

const ROOT = join(import.meta.dirname, '..', '..');
let project: string;
let bin: string;

/** A stand-in command that appends its arguments to calls.log and runs `body`. */
function fake(name: string, body: string): void {
  const path = join(bin, name);
  writeFileSync(path, `#!/usr/bin/env bash\necho "${name} $*" >> "${join(project, 'calls.log')}"\n${body}\n`);
  chmodSync(path, 0o755);
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'first-deploy-'));
  bin = join(project, 'bin');
  mkdirSync(bin);
  mkdirSync(join(project, 'infra', 'hooks'), { recursive: true });
  cpSync(join(ROOT, 'infra', 'hooks', 'first-deploy.sh'), join(project, 'infra', 'hooks', 'first-deploy.sh'));
  fake('npm', 'mkdir -p dist && touch dist/package.zip');
  fake('azd', 'exit 0');
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

function run(extra: Record<string, string> = {}) {
  return runProcess('bash', [join(project, 'infra', 'hooks', 'first-deploy.sh')], {
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      functionAppName: 'func-acrsync-x',
      identityPrincipalId: '11111111-2222-3333-4444-555555555555',
      AZURE_RESOURCE_GROUP: 'rg-acr-aks-sync',
      DEPLOYMENT_ACCESS_RETRY_SECONDS: '0',
      ...extra,
    },
  });
}

function calls(): string[] {
  const log = join(project, 'calls.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

describe('first-deploy hook', () => {
  it('retries while the platform answers 403, then records the identity', async () => {
    // 403 twice (the storage role is not effective yet), then accepted.
    fake('az', `n=$(grep -c '^az ' "${join(project, 'calls.log')}"); if [ "$n" -le 2 ]; then echo "Status Code: 403, InaccessibleStorageException" >&2; exit 1; fi`);
    const result = await run();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const az = calls().filter((c) => c.startsWith('az '));
    expect(az).toHaveLength(3);
    expect(az[0]).toBe('az functionapp deployment source config-zip --resource-group rg-acr-aks-sync --name func-acrsync-x --src dist/package.zip --build-remote false --only-show-errors');
    expect(calls()).toContain('npm ci --no-audit --no-fund'); // no node_modules yet: azd restores later
    expect(calls()).toContain('npm run package');
    expect(calls()).toContain('azd env set DEPLOYMENT_ACCESS_CONFIRMED_FOR 11111111-2222-3333-4444-555555555555');
  });

  it('stops at once on a failure that is not the storage role, and records nothing', async () => {
    fake('az', 'echo "Status Code: 400, the zip is not a valid package" >&2; exit 1');
    const result = await run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('another reason than the storage role');
    expect(calls().filter((c) => c.startsWith('az '))).toHaveLength(1);
    expect(calls().some((c) => c.startsWith('azd '))).toBe(false);
  });

  it('gives up after the timeout with what to check', async () => {
    fake('az', 'echo "403 Forbidden" >&2; exit 1');
    const result = await run({ DEPLOYMENT_ACCESS_TIMEOUT_SECONDS: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Storage Blob Data Owner');
  });

  it('does nothing once the identity could deploy', async () => {
    fake('az', 'exit 1');
    const result = await run({ DEPLOYMENT_ACCESS_CONFIRMED_FOR: '11111111-2222-3333-4444-555555555555' });
    expect(result.code).toBe(0);
    expect(calls()).toEqual([]);
  });
});
