/** Builders for findings and reports in output tests (notifications, metrics, lifecycle). */
import { DEFAULT_CONFIG, parseConfig, type Config, type ConfigInput } from '../../lambdas/core/config';
import { summarize, type DrReadiness, type Report, type ReplicaRow } from '../../lambdas/core/rules/evaluate';
import { runbookUrl, type Finding } from '../../lambdas/core/findings';

export function finding(fields: Partial<Finding> & Pick<Finding, 'code'>): Finding {
  return {
    severity: 'critical',
    region: 'us-east-1',
    resource: 'orders-ro-1',
    message: `${fields.code} on ${fields.resource ?? 'orders-ro-1'}`,
    evidence: {},
    hint: 'Look at the replica first.',
    runbook: runbookUrl(fields.code),
    ...fields,
  };
}

export function replicaRow(id: string, fields: Partial<ReplicaRow> = {}): ReplicaRow {
  return {
    id,
    region: 'us-east-1',
    kind: 'rds-read-replica',
    sourceId: 'orders',
    sourceRegion: 'us-east-1',
    lagSeconds: 1,
    status: 'healthy',
    ...fields,
  };
}

export function drEntry(primary: string, ready: DrReadiness['ready']): DrReadiness {
  return {
    primary,
    region: 'us-east-1',
    kind: 'rds-instance',
    regionsCovered: ready === true ? ['us-west-2'] : [],
    worstLagSeconds: null,
    rpoSeconds: 60,
    ready,
    reasons: ready === true ? [] : ['no replica in another region'],
  };
}

export function report(fields: Partial<Report> = {}): Report {
  const findings = fields.findings ?? [];
  const replicas = fields.replicas ?? [];
  return {
    checkedAt: '2026-11-24T10:00:00.000Z',
    summary: summarize(replicas, findings),
    replicas,
    findings,
    dr: [],
    ...fields,
  };
}

export const config = (input: ConfigInput = {}): Config => (Object.keys(input).length ? parseConfig(input) : DEFAULT_CONFIG);
