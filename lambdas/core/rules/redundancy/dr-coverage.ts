/**
 * Each DR target's fitness (broken, pending-resync, undersized, over the RPO) and whether the
 * primary has any usable copy in another region at all.
 */
import type { EvaluationContext } from '../context';
import { findingKey, makeFinding } from '../../findings';
import { readsLag } from '../../fleet/cadence';
import { formatSeconds } from '../../shared/format';
import { undersized } from './dr-capacity';
import { resyncFinding } from './dr-global';
import { describe, type ProtectedPrimary } from './dr-primaries';
import { rpoCheck, rpoReadThisRun } from './dr-rpo';
import { regionBlindReason, type DrTarget, type PrimaryEvaluation } from './dr-targets';

const finding = makeFinding;

/** Findings and problems of every cross-region copy; the capable ones go to `out.capable`. */
export function evaluateTargets(
  ctx: EvaluationContext,
  primary: ProtectedPrimary,
  targets: readonly DrTarget[],
  rpoSeconds: number,
  out: PrimaryEvaluation,
): void {
  const { config } = ctx;
  const label = describe(primary);
  for (const target of targets) {
    if (target.missingReason) continue;
    if (target.health?.status === 'broken') {
      out.targetProblems.push(`${target.id} (${target.region}): replication broken`);
      continue;
    }
    // Structural facts first: they hold whether or not the lag could be read.
    const problems: string[] = [];
    if (target.synchronizationStatus === 'pending-resync') {
      problems.push(`${target.id} (${target.region}): global member pending-resync`);
      out.findings.push(resyncFinding(ctx, { id: target.id, region: target.region }, primary.id, primary.region, label));
    }
    const small = undersized(ctx, primary.node, target);
    if (small) {
      problems.push(small.reason);
      out.findings.push(
        finding(config, {
          code: 'DR_REPLICA_UNDERSIZED',
          severity: 'warning',
          region: target.region,
          resource: target.id,
          message: `DR copy of ${label}: ${small.reason} (as of ${ctx.snapshot.capturedAt}); after a failover it could not carry the primary's load.`,
          evidence: { primary: primary.id, primaryRegion: primary.region, ...small.evidence },
          hint:
            small.evidence.targetInstances === 0
              ? "Add a DB instance (the writer's class) to the secondary cluster so it can be promoted without waiting for one to be created."
              : "Modify the replica to the primary's instance class or larger: size it for the primary's peak, not for its read traffic.",
        }),
      );
    }
    if (target.unknownReason) {
      if (problems.length > 0) out.targetProblems.push(...problems);
      else out.unknowns.push(target.unknownReason);
      continue;
    }

    const replica = target.replica!;
    if (readsLag(ctx.reads ?? 'full') && !rpoReadThisRun(ctx, replica)) {
      out.notEvaluated.push(findingKey({ code: 'RPO_EXCEEDED', region: target.region, resource: target.id, evidence: {} }));
    }
    const rpo = rpoCheck(ctx, replica, rpoSeconds);
    if (rpo?.sustained) {
      const lag = formatSeconds(rpo.latestSeconds ?? rpo.peakSeconds);
      problems.push(`${target.id} (${target.region}): lag ${lag} over the RPO of ${formatSeconds(rpoSeconds)}`);
      out.findings.push(
        finding(config, {
          code: 'RPO_EXCEEDED',
          severity: 'critical',
          region: target.region,
          resource: target.id,
          message:
            `${target.id} (${target.region}), the cross-region ${replica.kind} of ${label}, is ${lag} behind` +
            (rpo.latestSeconds === rpo.peakSeconds ? '' : ` (peak ${formatSeconds(rpo.peakSeconds)})`) +
            `, over the RPO of ${formatSeconds(rpoSeconds)} in ${rpo.over} of ` +
            `the last ${rpo.evaluated} datapoints, ${rpo.since}: a failover now would lose that much data.`,
          evidence: {
            ...rpo.idleEvidence,
            primary: primary.id,
            primaryRegion: primary.region,
            metric: rpo.metric,
            series: rpo.series,
            lagSeconds: rpo.latestSeconds,
            peakSeconds: rpo.peakSeconds,
            rpoSeconds,
            datapointsOver: rpo.over,
            evaluatedDatapoints: rpo.evaluated,
            since: rpo.since,
          },
          hint: "Find what slows cross-region apply: the primary's write burst, the replica's size and apply rate, or inter-region throughput. Raise the RPO only if the business agrees.",
        }),
      );
    }
    if (problems.length > 0) out.targetProblems.push(...problems);
    else out.capable.push(target);
  }
}

/** NO_CROSS_REGION_REPLICA, or an unknown when a replica could exist where this run did not look. */
export function coverage(
  ctx: EvaluationContext,
  primary: ProtectedPrimary,
  targets: readonly DrTarget[],
  authoritative: boolean,
  omits: string | undefined,
  rpoSeconds: number,
  out: PrimaryEvaluation,
): void {
  const usable = targets.filter((t) => !t.missingReason && (t.unknownReason !== undefined || t.health?.status !== 'broken'));
  if (usable.length > 0) return;
  if (primary.missingGlobal) {
    out.unknowns.push(primary.missingGlobal);
    return;
  }
  const others = Object.keys(ctx.snapshot.regions).filter((r) => r !== primary.region);
  const blindElsewhere = others.map((r) => regionBlindReason(ctx, r)).filter((r): r is string => r !== undefined);
  if (!authoritative && (others.length === 0 || blindElsewhere.length > 0)) {
    // The primary does not list its replicas, so a region this run did not see could hold one.
    const unseen = omits ? `a cross-Region Aurora read replica there would not be seen (${omits})` : 'a replica there would not be seen';
    out.unknowns.push(
      ...(others.length === 0
        ? [
            `no region other than ${primary.region} was read and ${primary.id} ` +
              (omits ? `cannot list every replica (${omits})` : 'does not list its replicas'),
          ]
        : blindElsewhere.map((r) => `${r}: ${unseen}`)),
    );
    return;
  }

  const broken = targets.filter((t) => t.health?.status === 'broken');
  const missing = targets.filter((t) => t.missingReason);
  // A cluster's readers count whatever its writer is called.
  const sameRegion = primary.node ? ctx.topology.replicasOfDatabase(primary.node).filter((r) => !r.crossRegion).length : 0;
  const detail =
    broken.length > 0
      ? `its cross-region replica${broken.length > 1 ? 's' : ''} ${broken.map((t) => `${t.id} (${t.region})`).join(', ')} ${broken.length > 1 ? 'are' : 'is'} broken`
      : missing.length > 0
        ? missing.map((t) => t.missingReason).join('; ')
        : sameRegion > 0
          ? sameRegion === 1
            ? `its only replica is in ${primary.region} too`
            : `its ${sameRegion} replicas are all in ${primary.region}`
          : 'it has no replica in another region';
  // The per-target "broken" lines would say the same thing again.
  out.targetProblems.length = 0;
  out.blockers.push(`no usable replica in another region: ${detail}`);
  out.findings.push(
    finding(ctx.config, {
      code: 'NO_CROSS_REGION_REPLICA',
      severity: 'critical',
      region: primary.region,
      resource: primary.id,
      message:
        `${describe(primary)} is marked as needing DR but has no usable replica in another region: ${detail} ` +
        `(as of ${ctx.snapshot.capturedAt}). An outage of ${primary.region} would take the database with it.`,
      evidence: {
        primaryKind: primary.kind,
        crossRegionReplicas: targets.map((t) => `${t.id}@${t.region}`),
        brokenReplicas: broken.map((t) => `${t.id}@${t.region}`),
        sameRegionReplicas: sameRegion,
        // The scope of "no replica": a copy in a region this check does not read is not seen.
        regionsRead: Object.keys(ctx.snapshot.regions).sort(),
        rpoSeconds,
      },
      hint:
        primary.kind === 'rds-instance'
          ? 'Create a cross-region read replica (or repair the broken one); a same-region replica does not survive a regional outage.'
          : primary.kind === 'aurora-global'
            ? 'Add a secondary cluster in another region to the global database (or repair the broken one).'
            : 'Add the cluster to a global database with a secondary in another region, or create a cross-region replica cluster.',
    }),
  );
}
