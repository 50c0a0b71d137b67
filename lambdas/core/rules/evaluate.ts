/** Evaluate: snapshot + config in, report out. The single entry point of the rules. */
import type { ReadLevel } from '../fleet/cadence';
import type { Config } from '../config';
import { isSuppressed } from '../config';
import type { EvaluationContext } from './context';
import { DEFAULT_BASELINE, type Baseline } from './drift/baseline';
import { evaluateDrift } from './drift/rules';
import { codesInScope, sortFindings, type Finding, type FindingCode } from '../findings';
import { evaluateHealth, type ReplicaStatus } from './health/health';
import { MetricIndex } from '../fleet/metric-plan';
import { evaluateSnapshotProbes, placeKey, withoutReplacedByProbe } from './probe/probe-merge';
import { evaluateRedundancy } from './redundancy/redundancy';
import type { FleetSnapshot } from '../fleet/model';
import { buildTopology, type ReplicaKind } from '../fleet/topology';
import type { DrReadiness } from './redundancy/redundancy';

export type { DrReadiness } from './redundancy/redundancy';

/** The account a report row belongs to (set by evaluateOrg). */
export interface AccountStamp {
  readonly accountId?: string;
  readonly accountName?: string;
}

export interface ReplicaRow extends AccountStamp {
  readonly id: string;
  readonly region: string;
  readonly kind: ReplicaKind;
  readonly sourceId: string;
  readonly sourceRegion: string;
  readonly lagSeconds: number | null;
  readonly status: ReplicaStatus;
}

export interface ReportSummary {
  readonly replicas: number;
  readonly healthy: number;
  readonly critical: number;
  readonly warning: number;
  readonly info: number;
}

export interface Report {
  readonly checkedAt: string;
  readonly summary: ReportSummary;
  readonly replicas: readonly ReplicaRow[];
  readonly findings: readonly Finding[];
  /** One entry per primary that needs DR. */
  readonly dr: readonly (DrReadiness & AccountStamp)[];
  /** Every account read, databases or not (organization evaluations only: see evaluate-org). */
  readonly accounts?: readonly AccountSummary[];
  /**
   * `findingKey`s this run could not evaluate though their code was judged elsewhere in the run
   * (a lag read judges RPO where the RPO series is the lag series, not on a global secondary):
   * their open alerts are carried. Absent when empty.
   */
  readonly notEvaluated?: readonly string[];
}

/** What was read in one account: an account with no databases is listed, never skipped. */
export interface AccountSummary {
  readonly accountId: string;
  readonly accountName?: string;
  /** Regions read (or tried) in the account. */
  readonly regions: readonly string[];
  /** DB instances and clusters described. */
  readonly databases: number;
  readonly replicas: number;
  /** `unreadable`: the account could not be read at all (e.g. its role could not be assumed); `degraded`: some reads failed. */
  readonly read: 'full' | 'degraded' | 'unreadable';
}

/**
 * Which rule families run. The scheduled health check runs `health` (lag, status, redundancy)
 * every minute; the drift check runs `drift` (parameter groups and instance parity), which
 * needs parameter reads; the CLI runs `all`.
 */
export type EvaluationScope = 'all' | 'health' | 'drift';

export interface EvaluateOptions {
  readonly config: Config;
  /** @default 'all' */
  readonly scope?: EvaluationScope;
  /** Expected parameter values for the drift rules; the shipped default baseline when omitted. */
  readonly baseline?: Baseline;
  /** What the snapshot's read included (lambdas/core/fleet/cadence). @default 'full' */
  readonly reads?: ReadLevel;
}

/**
 * Codes a run of a level cannot clear: their rules (or part of the evidence) need series the run
 * did not read. The alert lifecycle carries their open alerts instead of resolving them. A status
 * run still raises REPLICATION_BROKEN from StatusInfos, but one raised from -1 lag datapoints waits
 * for a run that reads lag to clear.
 */
export const NOT_EVALUATED: Readonly<Record<ReadLevel, readonly FindingCode[]>> = {
  status: ['REPLICA_LAG_HIGH', 'LAG_METRIC_MISSING', 'REPLICATION_BROKEN', 'REPLICATION_SLOT_LAG_HIGH', 'RPO_EXCEEDED'],
  // RPO_EXCEEDED is judged on a lag read where the lag series is the RPO series; the rest are in Report.notEvaluated.
  lag: ['REPLICATION_SLOT_LAG_HIGH'],
  full: [],
};

export function createContext(snapshot: FleetSnapshot, config: Config, reads: ReadLevel = 'full'): EvaluationContext {
  return {
    reads,
    snapshot,
    topology: buildTopology(snapshot),
    metrics: new MetricIndex(snapshot),
    config,
    now: new Date(snapshot.capturedAt),
  };
}

function applySuppressions(config: Config, findings: readonly Finding[]): Finding[] {
  if (config.suppressions.length === 0) return [...findings];
  return findings.filter((f) => !isSuppressed(config, f.code, f.region, f.resource));
}

const STATUS_RANK: Readonly<Record<ReplicaStatus, number>> = { broken: 0, lagging: 1, degraded: 2, unknown: 3, healthy: 4 };

/** The replication status each finding about a replica implies; capacity and configuration findings imply none. */
const IMPLIED_STATUS: Partial<Record<FindingCode, ReplicaStatus>> = {
  REPLICA_LAG_HIGH: 'lagging',
  RPO_EXCEEDED: 'lagging',
  GLOBAL_SECONDARY_NOT_SYNCED: 'degraded',
  LAG_METRIC_MISSING: 'unknown',
  CHECK_DEGRADED: 'unknown',
  REPLICATION_IO_STOPPED: 'broken',
  REPLICATION_REPLAY_PAUSED: 'degraded',
};

/**
 * A replica's status also reflects what other rules found about it (RPO, resync, a degraded
 * replication status), so the table never says "healthy" beside such a finding.
 */
function statusWithFindings(status: ReplicaStatus, findings: readonly Finding[]): ReplicaStatus {
  let worst = status;
  for (const f of findings) {
    if (f.severity === 'info') continue;
    const implied =
      f.code === 'REPLICATION_BROKEN' ? (f.severity === 'critical' ? 'broken' : 'degraded') : IMPLIED_STATUS[f.code];
    if (implied && STATUS_RANK[implied] < STATUS_RANK[worst]) worst = implied;
  }
  return worst;
}

/**
 * One fact, one alert: a DR replica over its RPO is also over its lag threshold, and the RPO
 * finding (critical, with the data-loss consequence) already says everything the lag one would.
 * It keeps the lag verdict in its evidence, so the lag alarm still counts that replica.
 */
function withoutRepeats(findings: readonly Finding[]): Finding[] {
  const place = (f: Finding) => `${f.region}\u0000${f.resource}`;
  const overRpo = new Set(findings.filter((f) => f.code === 'RPO_EXCEEDED').map(place));
  const criticalLag = new Set(
    findings.filter((f) => f.code === 'REPLICA_LAG_HIGH' && f.severity === 'critical').map(place),
  );
  return findings
    .filter((f) => !(f.code === 'REPLICA_LAG_HIGH' && overRpo.has(place(f))))
    .map((f) =>
      f.code === 'RPO_EXCEEDED' && criticalLag.has(place(f))
        ? { ...f, evidence: { ...f.evidence, overCriticalLag: true } }
        : f,
    );
}

/** Findings by region and resource, so building the replica table stays linear in fleet size. */
function indexByResource(findings: readonly Finding[]): Map<string, Finding[]> {
  const index = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.region}\u0000${f.resource}`;
    const list = index.get(key);
    if (list) list.push(f);
    else index.set(key, [f]);
  }
  return index;
}

/** The report's counts: replicas, healthy ones, and findings by severity. */
export function summarize(replicas: readonly ReplicaRow[], findings: readonly Finding[]): ReportSummary {
  return {
    replicas: replicas.length,
    healthy: replicas.filter((r) => r.status === 'healthy').length,
    critical: findings.filter((f) => f.severity === 'critical').length,
    warning: findings.filter((f) => f.severity === 'warning').length,
    info: findings.filter((f) => f.severity === 'info').length,
  };
}

export function evaluate(snapshot: FleetSnapshot, options: EvaluateOptions): Report {
  const ctx = createContext(snapshot, options.config, options.reads);
  const health = evaluateHealth(ctx);
  const scope = options.scope ?? 'all';
  // In-database probe observations, when the snapshot carries them (see probe-merge).
  const probe = evaluateSnapshotProbes(snapshot, options.config);
  // Redundancy reads the health verdicts, so it runs wherever health does.
  const redundancy = scope === 'drift' ? { findings: [], dr: [], notEvaluated: [] } : evaluateRedundancy(ctx, health.replicas);
  const drift =
    scope !== 'health' && options.config.drift.enabled ? evaluateDrift(ctx, options.baseline ?? DEFAULT_BASELINE) : [];
  // A scope reports only its own codes: a drift run must not raise (or later resolve) lag alerts.
  const inScope = codesInScope(scope);
  const findings = sortFindings(
    applySuppressions(options.config, withoutRepeats([...withoutReplacedByProbe(health.findings, probe), ...probe.findings, ...redundancy.findings, ...drift])).filter(
      (f) => inScope.has(f.code),
    ),
  );

  const byResource = indexByResource(findings);
  const replicas: ReplicaRow[] = health.replicas.map((h) => {
    const place = placeKey(h.replica.region, h.replica.id);
    const heartbeat = probe.heartbeatLag.get(place);
    const lagSeconds = heartbeat ? heartbeat.lagSeconds : h.lagSeconds;
    // A fresh heartbeat settles a replica whose CloudWatch lag was missing or high.
    const base = heartbeat && (h.status === 'unknown' || h.status === 'lagging') ? 'healthy' : h.status;
    return {
      id: h.replica.id,
      region: h.replica.region,
      kind: h.replica.kind,
      sourceId: h.replica.sourceId,
      sourceRegion: h.replica.sourceRegion,
      lagSeconds: lagSeconds === null ? null : Math.round(lagSeconds * 1000) / 1000,
      status: statusWithFindings(base, byResource.get(place) ?? []),
    };
  });

  return {
    checkedAt: snapshot.capturedAt,
    summary: summarize(replicas, findings),
    replicas,
    findings,
    dr: redundancy.dr,
    ...(redundancy.notEvaluated.length > 0 ? { notEvaluated: redundancy.notEvaluated } : {}),
  };
}
