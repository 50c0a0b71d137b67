/**
 * Cross-region redundancy and disaster-recovery readiness of the primaries marked as needing DR.
 * Pure: topology, the health engine's per-replica verdicts, metrics and config in; findings and one
 * readiness verdict per protected primary out.
 *
 * Scope decisions:
 * - Protected primaries are RDS instances that are not themselves replicas, Aurora clusters that
 *   are neither replica clusters nor global members, and Aurora global clusters (the global
 *   cluster is the unit; its writer cluster is not reported again on its own). A replica or
 *   secondary that carries the DR tag is skipped: it is covered through its source.
 * - For Aurora, the DR tag is read from the cluster (and for global databases from the global
 *   cluster or its writer cluster); tags on the instances inside a cluster are not read.
 * - Every rule here applies to protected primaries only; replication health of everything else
 *   is the health engine's job.
 */
import type { EvaluationContext } from '../context';
import type { Finding } from '../../findings';
import type { ReplicaHealth } from '../health/health';
import { backups } from './dr-backups';
import { coverage, evaluateTargets } from './dr-coverage';
import { unprotectedResyncs, withReplicaContext } from './dr-global';
import { key, protectedPrimaries, rpoSecondsFor, type DrPrimaryKind } from './dr-primaries';
import { drTargets, regionBlindReason, type PrimaryEvaluation } from './dr-targets';

/** Disaster-recovery readiness of one protected primary: the redundancy rules' result, shown in the report. */
export interface DrReadiness {
  /** Instance, cluster or global cluster identifier of the protected primary. */
  readonly primary: string;
  readonly region: string;
  readonly kind: DrPrimaryKind;
  /** Regions other than the primary's with a replica or secondary. */
  readonly regionsCovered: readonly string[];
  /** Worst lag in seconds among the cross-region replicas, null when unknown. */
  readonly worstLagSeconds: number | null;
  readonly rpoSeconds: number;
  readonly ready: true | false | 'unknown';
  /** Why not ready or unknown; empty when ready. */
  readonly reasons: readonly string[];
}

export interface RedundancyResult {
  readonly findings: Finding[];
  readonly dr: DrReadiness[];
  /** `findingKey`s this run could not evaluate (see PrimaryEvaluation.notEvaluated). */
  readonly notEvaluated: string[];
}

/**
 * Findings for every protected primary and one readiness verdict each. `replicaHealth` is the
 * health engine's result, so a replica's status and lag mean the same here as in the report.
 */
export function evaluateRedundancy(
  ctx: EvaluationContext,
  replicaHealth: readonly ReplicaHealth[],
): RedundancyResult {
  const healthByKey = new Map(replicaHealth.map((h) => [key(h.replica.region, h.replica.id), h]));
  const findings: Finding[] = [];
  const dr: DrReadiness[] = [];
  const notEvaluated: string[] = [];

  const primaries = protectedPrimaries(ctx);
  for (const primary of primaries) {
    const rpoSeconds = rpoSecondsFor(ctx.config, primary.identities);
    const { targets, authoritative, omits } = drTargets(ctx, primary, healthByKey);
    const out: PrimaryEvaluation = { findings: [], blockers: [], targetProblems: [], unknowns: [], capable: [], notEvaluated: [] };

    const primaryBlind = regionBlindReason(ctx, primary.region);
    if (primaryBlind) out.unknowns.push(`primary: ${primaryBlind}`);
    evaluateTargets(ctx, primary, targets, rpoSeconds, out);
    if (!primaryBlind) coverage(ctx, primary, targets, authoritative, omits, rpoSeconds, out);
    if (primary.kind === 'aurora-global' && !primary.global?.writer) {
      out.blockers.push(`global database ${primary.id} has no writer member`);
    }
    if (!primaryBlind) backups(ctx, primary, out);

    const live = targets.filter((t) => !t.missingReason && t.health?.status !== 'broken');
    const lags = live.map((t) => t.health?.lagSeconds).filter((l): l is number => typeof l === 'number');
    // A region that cannot be read keeps the verdict from `true` (never "ready" on a guess), even
    // when another copy is verified: the unread one may be the one the runbook fails over to.
    const ready: DrReadiness['ready'] =
      out.blockers.length > 0 ? false : out.unknowns.length > 0 ? 'unknown' : out.capable.length > 0;
    const reasons = ready === true ? [] : [...new Set([...out.blockers, ...out.targetProblems, ...out.unknowns])];
    if (ready === false && reasons.length === 0) reasons.push('no cross-region copy is fit to fail over to');

    findings.push(...out.findings);
    notEvaluated.push(...out.notEvaluated);
    dr.push({
      primary: primary.id,
      region: primary.region,
      kind: primary.kind,
      regionsCovered: [...new Set(live.map((t) => t.region))].sort(),
      worstLagSeconds: lags.length ? Math.round(Math.max(...lags) * 1000) / 1000 : null,
      rpoSeconds,
      ready,
      reasons,
    });
  }

  findings.push(...unprotectedResyncs(ctx, new Set(primaries.filter((p) => p.global).map((p) => p.id))));
  return { findings: findings.map((f) => withReplicaContext(ctx, f)), dr, notEvaluated };
}
