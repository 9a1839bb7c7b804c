/**
 * What the function registrations need from the app settings when the module loads, before any
 * invocation loads the whole configuration: each value read by its row of the settings table, so
 * a registration never disagrees with what the configuration says. An invalid value falls back to
 * the default here; loading the configuration reports it (or, for the schedule, warns).
 */
import { InvalidSetting } from './invalidSetting.js';
import { readSetting, settingText, type ConfigVariable, type SettingValue } from './settings.js';
import type { ScanFanout } from './settingValues.js';

export interface RegistrationSettings {
  /** The timer's schedule: SCAN_SCHEDULE when the host accepts it, else the default. */
  scanSchedule: string;
  scanFanout: ScanFanout;
  /** The scanCluster trigger's queue: the `%SCAN_QUEUE%` binding expression when the setting is valid, else the default name. */
  scanQueueBinding: string;
  /** PUSH_CHECKS: the imagePushed function, and scanCluster for the checks it schedules. */
  pushChecks: boolean;
  /** The imagePushed trigger's queue: `%PUSH_QUEUE%` when the setting is valid, else the default name. */
  pushQueueBinding: string;
}

/** The value of `variable` when it is set and valid, else undefined. */
function validValue<V extends ConfigVariable>(env: Record<string, string | undefined>, variable: V): SettingValue<V> | undefined {
  const text = settingText(env[variable]);
  if (text === undefined) return undefined;
  try {
    return readSetting(variable, text);
  } catch (error) {
    if (error instanceof InvalidSetting) return undefined;
    throw error;
  }
}

export function registrationSettings(env: Record<string, string | undefined>): RegistrationSettings {
  return {
    scanSchedule: readSetting('SCAN_SCHEDULE', settingText(env.SCAN_SCHEDULE)).expression,
    scanFanout: validValue(env, 'SCAN_FANOUT') ?? readSetting('SCAN_FANOUT', undefined),
    scanQueueBinding: validValue(env, 'SCAN_QUEUE') !== undefined ? '%SCAN_QUEUE%' : readSetting('SCAN_QUEUE', undefined),
    pushChecks: validValue(env, 'PUSH_CHECKS') ?? readSetting('PUSH_CHECKS', undefined),
    pushQueueBinding: validValue(env, 'PUSH_QUEUE') !== undefined ? '%PUSH_QUEUE%' : readSetting('PUSH_QUEUE', undefined),
  };
}
