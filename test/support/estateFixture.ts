/**
 * The three-cluster estate for one test file of the function handlers: started once, its
 * settings in `process.env` (the handlers read the app settings from there) while the file
 * runs, the log lines of each test kept for it.
 */
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startThreeClusterEstate, type ThreeClusterEstate } from './estate.js';

export interface EstateFixture {
  /** Set once the file's `beforeAll` has run. */
  estate: ThreeClusterEstate;
  /** `<level> <line>` for every line the handlers logged in the current test. */
  readonly logs: string[];
  /** An invocation context whose log lines go to `logs`. */
  context(functionName?: string): InvocationContext;
}

export function useThreeClusterEstate(): EstateFixture {
  const savedEnv = { ...process.env };
  const logs: string[] = [];
  const fixture = {
    logs,
    context: (functionName = 'scanNow') =>
      new InvocationContext({ invocationId: 'test', functionName, logHandler: (level, ...args) => logs.push(`${level} ${args.join(' ')}`) }),
  } as EstateFixture;
  beforeAll(async () => {
    fixture.estate = await startThreeClusterEstate();
    for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTERS|REGISTRIES|TAG_PATTERN|GRACE_PERIOD|ACR_|EXCLUDED_|SCAN_|STATE_)/.test(key)) delete process.env[key];
    Object.assign(process.env, fixture.estate.env);
  });
  afterAll(async () => {
    process.env = savedEnv;
    await fixture.estate?.close();
  });
  beforeEach(() => {
    logs.length = 0;
  });
  return fixture;
}
