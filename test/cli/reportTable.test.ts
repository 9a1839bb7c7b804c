import { describe, expect, it } from 'vitest';
import { renderReportTable } from '../../src/cli/reportTable.js';
import { finding, report } from '../support/sampleReport.js';

describe('CLI report', () => {
  it('renders a row per finding, a row per failed cluster, and a summary', () => {
    const text = renderReportTable(report([finding({}), finding({ status: 'in-sync', container: 'b', deployedTag: 'prod-789' })], true), false);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+NAMESPACE\s+WORKLOAD\s+CONTAINER\s+STATUS\s+RUNNING\s+NEWEST\s+DETAIL$/);
    expect(text).toMatch(/prod-aks\s+payments\s+Deployment\/worker\s+worker\s+drift\s+my-repo\/service:prod-456\s+prod-789/);
    expect(text).toMatch(/x\s+-\s+-\s+-\s+error.*HTTP 403/);
    expect(lines.at(-1)).toBe('2 cluster(s), 3 running pod(s): 1 drift, 0 stale digest, 0 pending, 1 in sync, 0 no release, 0 untracked, 0 error(s); 1 cluster(s) could not be scanned');
    expect(text).not.toContain('\x1b[');
    expect(renderReportTable(report([finding({})]), true)).toContain('\x1b[31m');
  });

  it('shows no-release findings in their own colour and count', () => {
    const text = renderReportTable(report([finding({ status: 'no-release', latestTag: null, reason: 'repository my-repo/service not found in hmctsprod.azurecr.io' })]), true);
    expect(text).toContain('\x1b[34mprod-aks');
    expect(text).toMatch(/no-release .*repository my-repo\/service not found/);
    expect(text.split('\n').at(-1)).toContain('1 no release, 0 untracked');
  });

  it('adds a PATTERN column only when a finding was decided with a pattern of its own, and shows it there', () => {
    const global = { channel: { value: 'payments-alerts', from: 'namespace label slackChannel on namespace payments' }, tagPattern: { value: 'prod-*', from: 'TAG_PATTERN' }, gracePeriod: { value: '3m', ms: 180_000, from: 'default' }, track: { value: true, from: 'default' } };
    const own = { ...global, tagPattern: { value: 'staging-*', from: 'namespace annotation acr-aks-sync.io/tag-pattern on namespace payments' } };
    expect(renderReportTable(report([finding({ settings: global })]), false).split('\n')[0]).not.toContain('PATTERN');
    const lines = renderReportTable(report([finding({ settings: global }), finding({ container: 'b', latestTag: 'staging-9', settings: own })], true), false).split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+NAMESPACE\s+WORKLOAD\s+CONTAINER\s+STATUS\s+RUNNING\s+NEWEST\s+PATTERN\s+DETAIL$/);
    expect(lines.find((l) => /\sb\s/.test(l))).toMatch(/staging-9\s+staging-\*/);
    expect(lines.find((l) => /\sworker\s/.test(l))).toMatch(/prod-789\s*$/);
    expect(lines.find((l) => l.startsWith('x '))).toMatch(/error\s+-\s+-\s+-\s+HTTP 403/);
  });
});
