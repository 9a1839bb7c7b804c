/**
 * The composition root shared by the CLI and the functions: builds the registry lookup from
 * configuration, scans the given clusters and, unless it is a dry run, alerts Slack.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { notifyFindings, type NotifyResult } from '../notify/notifyFindings.js';
import { WebhookSender } from '../notify/webhookSender.js';
import { RegistryTagLookup } from '../registry/acrTagLookup.js';
import { compileTagPattern } from '../registry/tagPattern.js';
import type { ScanReport } from '../report/types.js';
import type { ClusterSource } from './clusterSource.js';
import { scanClusters, type TagLookup } from './scanClusters.js';

export interface ScanRunOptions {
  logger: Logger;
  dryRun?: boolean;
  credential?: TokenCredential;
  /** A lookup to share between runs that belong together (fan-out); a fresh one otherwise. */
  lookup?: TagLookup;
  now?: () => Date;
}

export interface ScanRunResult {
  report: ScanReport;
  notifications: NotifyResult | null;
}

/** `DefaultAzureCredential`: managed identity when deployed (client id from AZURE_CLIENT_ID), `az login` locally. */
export function createAzureCredential(config: Pick<Config, 'azureClientId'>): TokenCredential {
  return new DefaultAzureCredential(config.azureClientId ? { managedIdentityClientId: config.azureClientId } : {});
}

export function createTagLookup(config: Config, credential: TokenCredential, logger: Logger): RegistryTagLookup {
  return new RegistryTagLookup({
    credential,
    registries: config.registries,
    matchesTagPattern: compileTagPattern(config.tagPattern),
    maxResults: config.acrMaxResults,
    concurrency: config.acrConcurrency,
    logger,
  });
}

export async function runScan(config: Config, sources: readonly ClusterSource[], options: ScanRunOptions): Promise<ScanRunResult> {
  const { logger } = options;
  const credential = options.credential ?? createAzureCredential(config);
  const lookup = options.lookup ?? createTagLookup(config, credential, logger);
  const report = await scanClusters(sources, {
    rules: { registries: new Set(config.registries), matchesTagPattern: compileTagPattern(config.tagPattern) },
    lookup,
    gracePeriodMs: config.gracePeriodMs,
    excludedNamespaces: new Set(config.excludedNamespaces),
    channelLabel: config.slackChannelLabel,
    defaultChannel: config.slack?.channel ?? null,
    clusterTimeoutMs: config.clusterTimeoutMs,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  let notifications: NotifyResult | null = null;
  if (!options.dryRun && config.slack?.webhookUrl) {
    const sender = new WebhookSender(config.slack.webhookUrl, { username: config.slack.username, iconEmoji: config.slack.iconEmoji });
    notifications = await notifyFindings(report, sender, logger);
  }
  return { report, notifications };
}
