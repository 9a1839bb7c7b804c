/**
 * The alerts a scan of one repository may touch (a check after a push): those about the
 * repository, and those of the containers the scan saw running it (a container that moved to
 * the repository since its alert). Every other alert of the cluster is left as it is: the
 * scan did not look at its workload.
 */
import { alertId, alertKeyOf } from '../alerts/alertKey.js';
import type { AlertRecord } from '../model/alert.js';
import type { ScanReport } from '../model/finding.js';
import type { RepositoryRef } from '../scan/scanClusters.js';

export function repositoryScope(only: RepositoryRef, report: ScanReport): (record: AlertRecord) => boolean {
  const seen = new Set(report.clusters.flatMap((c) => c.findings.map((f) => alertId(alertKeyOf(c.name, f)))));
  return (record) => (record.finding.registry === only.registry && record.finding.repository === only.repository) || seen.has(alertId(record));
}
