/**
 * `npm run bench -- --pushes N`: the push scenario (bench/pushRun.ts) on the estate the flags
 * describe, with the app in a Functions host stand-in of its own process, and its figures
 * (bench/pushFigures.ts): detection latency against the timer alone, and the requests the
 * checks cost against their lower bound. The estate has no settings of its own here (as with
 * --no-overrides): every push is a release on TAG_PATTERN, checked at push + --grace-seconds,
 * so that the latency measured is the mechanism's, not a namespace's longer grace period.
 */
import { BENCH_EXCLUDED } from '../../bench/bounds.js';
import { buildEstate } from '../../bench/estate.js';
import { pushFigures } from '../../bench/pushFigures.js';
import { runPushScenario } from '../../bench/pushRun.js';
import { planPushes } from '../../bench/pushScenario.js';
import { startHostedApp } from '../../emulators/functionsHostClient.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { DEFAULT_PAGE_SIZE } from '../../src/inventory/kubernetesInventory.js';
import type { BenchFlags } from './flags.js';

export async function benchPushes(flags: BenchFlags, pkiDir: string, log: (line: string) => void): Promise<Record<string, unknown>> {
  const estate = buildEstate({ clusters: flags.clusters, podsPerCluster: flags.podsPerCluster, repositories: flags.repos, registries: flags.registries, tagsPerRepository: flags.tags });
  const pushes = planPushes(estate, flags.pushes, flags.pushSpacingMs, BENCH_EXCLUDED);
  const gracePeriodMs = flags.graceSeconds * 1000;
  log(`push scenario: ${pushes.length} pushes about every ${flags.pushSpacingMs} ms to ${flags.clusters} clusters x ${flags.podsPerCluster} pods, GRACE_PERIOD=${flags.graceSeconds}s`);
  const result = await runPushScenario({
    estate,
    harness: { pki: ensureTestPki(pkiDir), latencyMs: flags.latencyMs, acrConcurrency: flags.concurrency, acrMaxResults: Math.max(100, flags.tags) },
    pushes,
    gracePeriodMs,
    startApp: startHostedApp,
    log,
  });
  for (const c of result.checks) {
    const late = c.alertAt === undefined ? 'NO ALERT' : `alert at push + grace + ${((c.alertAt - c.pushedAt - gracePeriodMs) / 1000).toFixed(1)} s`;
    log(`  ${c.push.repository.name}:${c.push.tag} on ${c.cluster}: ${late}`);
  }
  return pushFigures(estate, pushes, result, gracePeriodMs, DEFAULT_PAGE_SIZE);
}
