/**
 * The detection latency of a push check: how long after push time + grace period (the moment
 * a lagging workload becomes drift) the check finished and its alerts had gone out. Pure, so
 * the scan's log line and a metrics hook compute it the same way. Negative when a check ran
 * early (a clock ahead of ACR's).
 */
import type { PushCheck } from '../model/push.js';

export function detectionLatencyMs(push: Pick<PushCheck, 'pushedAt' | 'gracePeriodMs'>, doneAt: number): number {
  return doneAt - Date.parse(push.pushedAt) - push.gracePeriodMs;
}
