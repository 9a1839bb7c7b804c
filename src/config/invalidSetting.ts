/**
 * What the value parsers of the configuration throw: one or more problems with a setting,
 * each with an optional example of a good value (the variable's own example otherwise).
 */
export interface SettingProblem {
  message: string;
  example?: string;
  /** Where inside a structured value (CLUSTER_SETTINGS): `['staging', 'gracePeriod']` is reported as `CLUSTER_SETTINGS.staging.gracePeriod`. */
  path?: readonly string[];
}

export class InvalidSetting extends Error {
  readonly problems: readonly SettingProblem[];

  constructor(problems: string | readonly SettingProblem[]) {
    const list = typeof problems === 'string' ? [{ message: problems }] : problems;
    super(list.map((p) => p.message).join('; '));
    this.name = 'InvalidSetting';
    this.problems = list;
  }
}

/** Said instead of a value that must not be shown. */
export const SECRET_NOTE = '(value not shown: it is a secret)';
