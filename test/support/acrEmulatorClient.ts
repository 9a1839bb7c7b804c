/**
 * The ACR emulator tests' sample registry and clients: the real SDK with a fake Entra
 * credential, and raw HTTPS requests trusting the test CA.
 */
import { ContainerRegistryClient } from '@azure/container-registry';
import type { TokenCredential } from '@azure/identity';
import { startAcrRegistry } from '../../emulators/acrRegistry.js';
import type { AcrRegistryEmulator, AcrRegistryOptions, AcrTagSeed } from '../../emulators/acrRegistry.js';
import { requestJson, type RawJsonResponse } from '../../emulators/httpUtil.js';
import { ensureTestPki } from '../../emulators/testPki.js';

const pki = ensureTestPki();
export const GOOD_ENTRA_TOKEN = 'entra-token-for-acr';

export function fakeCredential(token = GOOD_ENTRA_TOKEN): TokenCredential & { calls: number } {
  const cred = {
    calls: 0,
    getToken: async () => {
      cred.calls += 1;
      return { token, expiresOnTimestamp: Date.now() + 3600e3 };
    },
  };
  return cred;
}

export function digestOf(i: number): string {
  return `sha256:${i.toString(16).padStart(64, '0')}`;
}

/** `count` tags named v1..vN, vN the newest (one minute apart), in shuffled order. */
export function makeTags(count: number, prefix = 'v'): AcrTagSeed[] {
  const base = Date.parse('2025-01-01T00:00:00Z');
  const tags: AcrTagSeed[] = [];
  for (let i = 1; i <= count; i++) {
    tags.push({ name: `${prefix}${i}`, digest: digestOf(i), lastUpdateTime: new Date(base + i * 60_000).toISOString() });
  }
  // Deterministic shuffle so the emulator, not the seed order, does the sorting.
  return tags.map((t, i) => ({ t, k: (i * 7919) % count })).sort((a, b) => a.k - b.k).map((x) => x.t);
}

export const MULTI_ARCH_INDEX = 'sha256:' + 'a'.repeat(64);
export const AMD64_CHILD = 'sha256:' + 'b'.repeat(64);
export const ARM64_CHILD = 'sha256:' + 'c'.repeat(64);

const started: AcrRegistryEmulator[] = [];

/** An ACR emulator with two sample repositories (`team/app/api`, 25 tags; `web`, a multi-arch index), closed by `closeSampleRegistries`. */
export async function startSampleRegistry(overrides: Partial<AcrRegistryOptions> = {}): Promise<AcrRegistryEmulator> {
  const registry = await startAcrRegistry({
    pki,
    validateEntraToken: (t) => t === GOOD_ENTRA_TOKEN,
    repositories: {
      'team/app/api': makeTags(25),
      web: [
        { name: 'prod-2025.03.01', digest: MULTI_ARCH_INDEX, createdTime: '2025-03-01T10:00:00Z', lastUpdateTime: '2025-03-01T12:00:00Z' },
        { name: 'latest', digest: MULTI_ARCH_INDEX, lastUpdateTime: '2025-03-02T08:00:00Z' },
        { name: 'prod-2025.02.01', digest: digestOf(99), lastUpdateTime: '2025-02-01T12:00:00Z' },
      ],
    },
    manifests: {
      [MULTI_ARCH_INDEX]: {
        references: [
          { digest: AMD64_CHILD, architecture: 'amd64', os: 'linux' },
          { digest: ARM64_CHILD, architecture: 'arm64', os: 'linux' },
        ],
      },
    },
    ...overrides,
  });
  started.push(registry);
  return registry;
}

export async function closeSampleRegistries(): Promise<void> {
  await Promise.all(started.splice(0).map((r) => r.close()));
}

export function client(reg: AcrRegistryEmulator, credential: TokenCredential = fakeCredential()): ContainerRegistryClient {
  return new ContainerRegistryClient(reg.endpoint, credential, { audience: 'https://containerregistry.azure.net' });
}

/** Raw HTTPS request to the emulator, trusting the test CA explicitly. */
export function raw(reg: AcrRegistryEmulator, method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<RawJsonResponse> {
  return requestJson(new URL(path, reg.endpoint), { method, caPem: pki.caPem, ...opts });
}

export function form(fields: Record<string, string>): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
}

/** Walks the raw OAuth dance for one repository and returns an access token. */
export async function accessTokenFor(reg: AcrRegistryEmulator, repo: string): Promise<string> {
  const ex = await raw(reg, 'POST', '/oauth2/exchange', form({ grant_type: 'access_token', service: reg.loginServer, access_token: GOOD_ENTRA_TOKEN }));
  const refresh = (ex.json as { refresh_token: string }).refresh_token;
  const tok = await raw(reg, 'POST', '/oauth2/token', form({ grant_type: 'refresh_token', service: reg.loginServer, scope: `repository:${repo}:metadata_read`, refresh_token: refresh }));
  return (tok.json as { access_token: string }).access_token;
}

export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
