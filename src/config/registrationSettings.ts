/**
 * What the function registrations need from the app settings when the module loads, before any
 * invocation loads the whole configuration: each value read with the schema's own parser, so a
 * registration never disagrees with what the configuration says. An invalid value falls back to
 * the default here; loading the configuration reports it (or, for the schedule, warns).
 */
import { CONFIG_DEFAULTS } from './config.js';
import { resolveScanSchedule } from './scanSchedule.js';
import { parseFanout, parseQueueName, type ScanFanout } from './settingValues.js';

export interface RegistrationSettings {
  /** The timer's schedule: SCAN_SCHEDULE when the host accepts it, else the default. */
  scanSchedule: string;
  scanFanout: ScanFanout;
  /** The scanCluster trigger's queue: the `%SCAN_QUEUE%` binding expression when the setting is valid, else the default name. */
  scanQueueBinding: string;
}

function valid<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  try {
    return parse(trimmed);
  } catch {
    return undefined;
  }
}

export function registrationSettings(env: Record<string, string | undefined>): RegistrationSettings {
  return {
    scanSchedule: resolveScanSchedule(env.SCAN_SCHEDULE).expression,
    scanFanout: valid(env.SCAN_FANOUT, parseFanout) ?? (CONFIG_DEFAULTS.SCAN_FANOUT as ScanFanout),
    scanQueueBinding: valid(env.SCAN_QUEUE, parseQueueName) !== undefined ? '%SCAN_QUEUE%' : CONFIG_DEFAULTS.SCAN_QUEUE,
  };
}
