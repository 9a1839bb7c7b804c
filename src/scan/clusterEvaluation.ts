/**
 * One cluster's findings, each decided with its workload's own settings (overrides/): its tag
 * pattern, grace period, channel and whether it is watched at all. Settings are resolved once
 * per workload container, the moment it is first seen on a pod page, so that its registry
 * lookup starts then, for its own pattern; every pattern asked of a repository shares one walk
 * over its tags (registry/repositoryTags.ts).
 *
 * A finding whose settings cannot be used (a bad annotation, label or tag) is an `error` naming
 * them; one that is not watched is `untracked` with the reason; every other is decided as
 * before. A check after a push (`repository`) decides only the workloads running that
 * repository. A finding waits for its registry lookup only while `signal` allows (the cluster's
 * budget); one that cannot be decided is an `error`, never a failed cluster.
 */
import { classifyReference, decideDrift, type TrackingVerdict } from '../drift/decide.js';
import { parseImageReference } from '../images/imageReference.js';
import { tagPatternMatchers } from '../images/tagPattern.js';
import type { ClusterInventory } from '../inventory/kubernetesInventory.js';
import type { Clock } from '../model/clock.js';
import { compareFindings, type Finding, type FindingSettings } from '../model/finding.js';
import type { ParsedImageReference } from '../model/image.js';
import type { RegistryLookupResult } from '../model/registry.js';
import type { NamespaceInfo, WorkloadContainer } from '../model/workload.js';
import type { ClusterLevel } from '../overrides/clusterLevel.js';
import type { GlobalSettings } from '../overrides/globalSettings.js';
import { SettingsResolver, type WorkloadResolution } from '../overrides/workloadSettings.js';
import type { TagLookup } from '../registry/tagLookup.js';
import { formatDuration } from '../util/duration.js';
import { clip } from '../util/text.js';
import { untilAborted } from '../util/untilAborted.js';
import { describeClusterError } from './describeClusterError.js';
import { buildFinding } from './findings.js';
import { malformedPodFindings } from './malformedPodFindings.js';

export interface EvaluationOptions {
  registries: ReadonlySet<string>;
  settings: GlobalSettings;
  lookup: TagLookup;
  clusterTimeoutMs: number;
  /** Decide only the workloads running this repository (a check after a push to it); all when absent. */
  repository?: RepositoryRef;
}

/** A repository of a registry, as image references name them. */
export interface RepositoryRef {
  registry: string;
  repository: string;
}

/** Whether the image is of the repository (always true without one). */
function inScope(reference: ParsedImageReference, only: RepositoryRef | undefined): boolean {
  return !only || (reference.valid && reference.registry === only.registry && reference.repository === only.repository);
}

/** How a reason names a pattern: TAG_PATTERN when it is the app's own, else the pattern and where it was set. */
function patternLabel(settings: FindingSettings, global: GlobalSettings): string {
  const { tagPattern } = settings;
  return tagPattern.from === global.tagPattern.from && tagPattern.value === global.tagPattern.value ? 'TAG_PATTERN' : `the tag pattern ${JSON.stringify(tagPattern.value)} (${tagPattern.from})`;
}

export class ClusterEvaluation {
  private resolver: SettingsResolver | undefined;
  private readonly resolved = new Map<WorkloadContainer, WorkloadResolution>();
  private readonly references = new Map<string, ParsedImageReference>();
  private readonly verdicts = new Map<string, TrackingVerdict>();
  private readonly matcher = tagPatternMatchers();

  constructor(
    private readonly options: EvaluationOptions,
    readonly level: ClusterLevel,
  ) {}

  /** Resolves a newly seen container's settings and starts its registry lookup when it is watched and tracked. */
  start(container: WorkloadContainer, namespaces: ReadonlyMap<string, NamespaceInfo>): void {
    const resolution = this.resolve(container, namespaces);
    if (!('settings' in resolution) || resolution.notWatched || !inScope(this.reference(container.image), this.options.repository)) return;
    const verdict = this.classify(container.image, resolution.settings);
    if (verdict.tracked) void this.options.lookup.newestMatchingTag(verdict.registry, verdict.repository, resolution.settings.tagPattern.value);
  }

  /** Every finding of the inventory, in report order. */
  async findings(inventory: ClusterInventory, now: Clock, signal: AbortSignal): Promise<Finding[]> {
    // One listener on the budget for all the cluster's findings (thousands on a large cluster).
    const budgetOver = untilAborted(new Promise<never>(() => undefined), signal);
    budgetOver.catch(() => undefined);
    const only = this.options.repository;
    const workloads = only ? inventory.workloads.filter((w) => inScope(this.reference(w.image), only)) : inventory.workloads;
    const findings = await Promise.all(workloads.map((container) => this.finding(container, inventory.namespaces, now, signal, budgetOver)));
    const channelOf = (namespace: string): string | null => {
      const r = this.resolve({ namespace, workload: { kind: 'Pod', name: '' }, container: '' }, inventory.namespaces);
      return 'settings' in r ? r.settings.channel.value : r.channel;
    };
    // A scan of one repository reports only its workloads; malformed pods are a full scan's to report.
    return [...findings, ...(only ? [] : malformedPodFindings(inventory, channelOf))].sort(compareFindings);
  }

  private resolve(container: Pick<WorkloadContainer, 'namespace' | 'workload' | 'container' | 'podSettings'>, namespaces: ReadonlyMap<string, NamespaceInfo>): WorkloadResolution {
    this.resolver ??= new SettingsResolver(this.options.settings, this.level, namespaces);
    const known = this.resolved.get(container as WorkloadContainer);
    if (known) return known;
    const resolution = this.resolver.resolve(container);
    if ('image' in container) this.resolved.set(container as WorkloadContainer, resolution);
    return resolution;
  }

  private reference(image: string): ParsedImageReference {
    let reference = this.references.get(image);
    if (!reference) this.references.set(image, (reference = parseImageReference(image)));
    return reference;
  }

  /** Whether the image is looked up with these settings' pattern; each (image, pattern) is classified once. */
  private classify(image: string, settings: FindingSettings): TrackingVerdict {
    const pattern = settings.tagPattern.value;
    const key = `${image}\u0000${pattern}\u0000${settings.tagPattern.from}`;
    let verdict = this.verdicts.get(key);
    if (!verdict) {
      verdict = classifyReference(this.reference(image), { registries: this.options.registries, matchesTagPattern: this.matcher(pattern), tagPatternLabel: patternLabel(settings, this.options.settings) });
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  private async finding(container: WorkloadContainer, namespaces: ReadonlyMap<string, NamespaceInfo>, now: Clock, signal: AbortSignal, budgetOver: Promise<never>): Promise<Finding> {
    const reference = this.reference(container.image);
    const resolution = this.resolve(container, namespaces);
    if (!('settings' in resolution)) return buildFinding(container, reference, { status: 'error', reason: `bad setting: ${resolution.problems.join('; ')}` }, resolution.channel);
    const { settings } = resolution;
    const channel = settings.channel.value;
    if (resolution.notWatched) return buildFinding(container, reference, { status: 'untracked', reason: resolution.notWatched }, channel, settings);
    const verdict = this.classify(container.image, settings);
    if (!verdict.tracked) return buildFinding(container, reference, { status: 'untracked', reason: verdict.reason }, channel, settings);
    try {
      return await Promise.race([this.decide(container, reference, verdict, settings, now), budgetOver]);
    } catch (error) {
      const repository = clip(`${verdict.registry}/${verdict.repository}`);
      const reason = signal.aborted
        ? `registry lookup of ${repository} did not finish within the cluster's time budget (CLUSTER_TIMEOUT ${formatDuration(this.options.clusterTimeoutMs)})`
        : `cannot decide ${repository}: ${describeClusterError(error)}`;
      return buildFinding(container, reference, { status: 'error', reason }, channel, settings);
    }
  }

  private async decide(container: WorkloadContainer, reference: ParsedImageReference, verdict: { registry: string; repository: string }, settings: FindingSettings, now: Clock): Promise<Finding> {
    const found = await this.options.lookup.newestMatchingTag(verdict.registry, verdict.repository, settings.tagPattern.value);
    const { runningDigest, lookup } = await this.effectiveRunningDigest(container, reference, found, verdict);
    const decision = decideDrift({
      reference,
      ...(runningDigest ? { runningDigest } : {}),
      lookup,
      now: new Date(now()),
      gracePeriodMs: settings.gracePeriod.ms,
      tagPatternLabel: patternLabel(settings, this.options.settings),
    });
    return buildFinding(container, reference, decision, settings.channel.value, settings);
  }

  /**
   * When the pods run the newest tag's name but report another digest, that digest may be one
   * platform manifest of the tag's multi-arch index; then the pods do run the newest image. When
   * the index cannot be read, that cannot be told: the lookup then counts as failed (`error`).
   */
  private async effectiveRunningDigest(
    container: WorkloadContainer,
    reference: ParsedImageReference,
    lookup: RegistryLookupResult,
    verdict: { registry: string; repository: string },
  ): Promise<{ runningDigest: string | undefined; lookup: RegistryLookupResult }> {
    const running = container.runningDigest;
    if (!running || lookup.kind !== 'found' || !reference.valid) return { runningDigest: running, lookup };
    if (reference.tag !== lookup.newest.name || running === lookup.newest.digest) return { runningDigest: running, lookup };
    const platforms = await this.options.lookup.platformManifests(verdict.registry, verdict.repository, lookup.newest.digest);
    if (platforms.kind === 'error') {
      return { runningDigest: running, lookup: { kind: 'error', reason: `cannot tell whether the pods run newest ${lookup.newest.name}: ${platforms.reason}` } };
    }
    return { runningDigest: platforms.digests.includes(running) ? lookup.newest.digest : running, lookup };
  }
}
