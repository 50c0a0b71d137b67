/** Findings: the stable codes users key suppressions, alerts and runbook links on. */

export const FINDING_CODES = [
  'REPLICA_LAG_HIGH',
  'REPLICATION_BROKEN',
  'LAG_METRIC_MISSING',
  'REPLICATION_SLOT_LAG_HIGH',
  'CHECK_DEGRADED',
  'PARAM_DRIFT',
  'PARAM_PENDING_REBOOT',
  'PARAM_APPLY_FAILED',
  'REPLICA_PARAM_BELOW_SOURCE',
  'REPLICA_PARAM_MISMATCH',
  'REPLICA_WRITABLE',
  'REPLICA_UNDERSIZED',
  'ENGINE_VERSION_MISMATCH',
  'SOURCE_BACKUPS_DISABLED',
  'NO_CROSS_REGION_REPLICA',
  'RPO_EXCEEDED',
  'GLOBAL_SECONDARY_NOT_SYNCED',
  'DR_REPLICA_UNDERSIZED',
  'BACKUPS_NOT_REPLICATED',
  'REPLICATION_IO_STOPPED',
  'REPLICATION_REPLAY_PAUSED',
  'REPLICATION_SLOT_INACTIVE',
  'PROBE_HEARTBEAT_STALE',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, warning: 1, info: 2 };

export type EvidenceValue = string | number | boolean | null | readonly (string | number | null)[];

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** The 12-digit account the resource is in; set by the organization evaluation (evaluateOrg). */
  readonly accountId?: string;
  /** The account's name, from the config or AWS Organizations, when known. */
  readonly accountName?: string;
  readonly region: string;
  /** DB instance, cluster or global cluster identifier; never an ARN. */
  readonly resource: string;
  /** What, where, value against threshold and since when, in one sentence or two. */
  readonly message: string;
  /** The numbers and AWS statuses the finding rests on. */
  readonly evidence: Readonly<Record<string, EvidenceValue>>;
  /** What to do first; shown in the table and in notifications. */
  readonly hint: string;
  readonly runbook: string;
}

/** Relative to the checkout; deployments set `runbookBaseUrl` to where their team reads it. */
export const DEFAULT_RUNBOOK_BASE_URL = 'docs/runbook.md';

export function runbookUrl(code: FindingCode, baseUrl: string = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${baseUrl}#${code.toLowerCase()}`;
}

export type FindingDraft = Omit<Finding, 'runbook'>;

/** A finding with its runbook link filled in from the config's runbook location. */
export function makeFinding(config: { readonly runbookBaseUrl: string }, draft: FindingDraft): Finding {
  return { ...draft, runbook: runbookUrl(draft.code, config.runbookBaseUrl) };
}

/**
 * Stable identity of a finding across runs: the alert lifecycle keys on it. The account leads the
 * key (`111122223333/REPLICA_LAG_HIGH/us-east-1/orders-db`), so the same database name in two
 * accounts is two alerts. Keys without an account are the format stored before accounts existed
 * (see adoptLegacyAlerts in lambdas/core/outputs/alert-lifecycle).
 */
export function findingKey(finding: Pick<Finding, 'code' | 'region' | 'resource' | 'evidence' | 'accountId'>): string {
  const detail = typeof finding.evidence.parameter === 'string' ? `/${finding.evidence.parameter}` : '';
  const operation = typeof finding.evidence.operation === 'string' ? `/${finding.evidence.operation}` : '';
  const account = finding.accountId ? `${finding.accountId}/` : '';
  return `${account}${finding.code}/${finding.region}/${finding.resource}${detail}${operation}`;
}

/**
 * Within a severity, what a paged human should read first: replication that stopped, then lag and
 * data at risk, then configuration; "we could not look" comes last so it never hides a cause.
 */
const CODE_PRIORITY: readonly FindingCode[] = [
  'REPLICATION_BROKEN',
  'REPLICATION_IO_STOPPED',
  'REPLICA_LAG_HIGH',
  'REPLICATION_REPLAY_PAUSED',
  'RPO_EXCEEDED',
  'NO_CROSS_REGION_REPLICA',
  'REPLICATION_SLOT_LAG_HIGH',
  'REPLICATION_SLOT_INACTIVE',
  'GLOBAL_SECONDARY_NOT_SYNCED',
  'REPLICA_WRITABLE',
  'SOURCE_BACKUPS_DISABLED',
  'PARAM_APPLY_FAILED',
  'REPLICA_PARAM_BELOW_SOURCE',
  'REPLICA_PARAM_MISMATCH',
  'PARAM_DRIFT',
  'PARAM_PENDING_REBOOT',
  'ENGINE_VERSION_MISMATCH',
  'REPLICA_UNDERSIZED',
  'DR_REPLICA_UNDERSIZED',
  'BACKUPS_NOT_REPLICATED',
  'LAG_METRIC_MISSING',
  'PROBE_HEARTBEAT_STALE',
  'CHECK_DEGRADED',
];

/** Orders codes by what to read first (see CODE_PRIORITY). */
export function compareCodes(a: FindingCode, b: FindingCode): number {
  return CODE_PRIORITY.indexOf(a) - CODE_PRIORITY.indexOf(b);
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      compareCodes(a.code, b.code) ||
      (a.accountId ?? '').localeCompare(b.accountId ?? '') ||
      a.region.localeCompare(b.region) ||
      a.resource.localeCompare(b.resource) ||
      a.message.localeCompare(b.message),
  );
}

/** Codes raised by the scheduled health check: lag, replication status and redundancy. */
export const HEALTH_CODES: readonly FindingCode[] = [
  'REPLICA_LAG_HIGH',
  'REPLICATION_BROKEN',
  'LAG_METRIC_MISSING',
  'REPLICATION_SLOT_LAG_HIGH',
  'CHECK_DEGRADED',
  'NO_CROSS_REGION_REPLICA',
  'RPO_EXCEEDED',
  'GLOBAL_SECONDARY_NOT_SYNCED',
  'DR_REPLICA_UNDERSIZED',
  'BACKUPS_NOT_REPLICATED',
  'REPLICATION_IO_STOPPED',
  'REPLICATION_REPLAY_PAUSED',
  'REPLICATION_SLOT_INACTIVE',
  'PROBE_HEARTBEAT_STALE',
];

/** Codes raised by the drift check: everything else (parameter groups, replica/source parity), plus degraded reads. */
export const DRIFT_CODES: readonly FindingCode[] = FINDING_CODES.filter(
  (code) => code === 'CHECK_DEGRADED' || !HEALTH_CODES.includes(code),
);

/**
 * The codes a check of the given scope can raise. The alert lifecycle resolves only these, so a
 * health run never "resolves" a drift alert it did not look for.
 */
export function codesInScope(scope: 'all' | 'health' | 'drift'): ReadonlySet<FindingCode> {
  if (scope === 'health') return new Set(HEALTH_CODES);
  if (scope === 'drift') return new Set(DRIFT_CODES);
  return new Set(FINDING_CODES);
}
