/**
 * Instance parity of replicas with their sources: instance size (REPLICA_UNDERSIZED), engine
 * version (ENGINE_VERSION_MISMATCH), and sources feeding replicas with backups off
 * (SOURCE_BACKUPS_DISABLED). Runs whether or not parameter groups were read.
 * Pure: evaluation context in, findings out.
 */
import { parseRdsRef } from '../../fleet/arn';
import { compareInstanceClasses } from '../../fleet/instance-capacity';
import type { EvaluationContext } from '../context';
import { makeFinding, type EvidenceValue, type Finding, type FindingDraft } from '../../findings';
import type { DbInstance } from '../../fleet/model';
import type { DatabaseNode, Replica, ReplicaKind } from '../../fleet/topology';
import { baselineEngine, compareVersions, majorVersion } from './engines';

function make(ctx: EvaluationContext, draft: FindingDraft): Finding {
  return makeFinding(ctx.config, draft);
}

// ---------------------------------------------------------------------------------------------
// Replica parity: instance size, engine version; sources' backups

export function sizeFindings(ctx: EvaluationContext, replica: Replica): Finding[] {
  const kinds: readonly ReplicaKind[] = ['rds-read-replica', 'aurora-reader'];
  if (!kinds.includes(replica.kind)) return [];
  const r = replica.node?.instance;
  const s = replica.source?.instance;
  if (!r || !s) return [];
  const reasons: string[] = [];
  const their = replica.kind === 'aurora-reader' ? "the writer's" : "the source's";
  const evidence: Record<string, EvidenceValue> = {
    replicaClass: r.DBInstanceClass ?? null,
    sourceClass: s.DBInstanceClass ?? null,
    source: replica.sourceId,
    sourceRegion: replica.sourceRegion,
  };
  if (r.DBInstanceClass && s.DBInstanceClass && r.DBInstanceClass !== s.DBInstanceClass) {
    // The same comparison as DR_REPLICA_UNDERSIZED, so the two rules never disagree about a pair.
    const comparison = compareInstanceClasses(s.DBInstanceClass, r.DBInstanceClass);
    if (comparison.verdict === 'smaller') {
      reasons.push(`class ${r.DBInstanceClass} is smaller than ${their} ${s.DBInstanceClass} (${comparison.detail})`);
    }
  }
  if (replica.kind === 'rds-read-replica') {
    if (typeof r.AllocatedStorage === 'number' && typeof s.AllocatedStorage === 'number' && r.AllocatedStorage < s.AllocatedStorage) {
      reasons.push(`storage ${r.AllocatedStorage} GiB is less than the source's ${s.AllocatedStorage} GiB`);
    }
    if (typeof s.Iops === 'number' && s.Iops > 0 && (r.Iops ?? 0) < s.Iops) {
      reasons.push(`provisioned IOPS ${r.Iops ?? 'none'} is below the source's ${s.Iops}`);
    }
    evidence.replicaStorageGiB = r.AllocatedStorage ?? null;
    evidence.sourceStorageGiB = s.AllocatedStorage ?? null;
    evidence.replicaIops = r.Iops ?? null;
    evidence.sourceIops = s.Iops ?? null;
  }
  if (reasons.length === 0) return [];
  const reader = replica.kind === 'aurora-reader';
  return [
    make(ctx, {
      code: 'REPLICA_UNDERSIZED',
      severity: reader ? 'info' : 'warning',
      region: replica.region,
      resource: replica.id,
      message:
        `${reader ? 'Aurora reader' : 'Replica'} ${replica.id} (${replica.region}) is smaller than its ${reader ? 'writer' : 'source'} ` +
        `${replica.sourceId} (${replica.sourceRegion}): ${reasons.join('; ')}. ` +
        (reader
          ? 'If it becomes the writer after a failover it may not carry the load.'
          : 'It may not keep up with the source\'s write rate (lag), or fill up first.'),
      evidence: { ...evidence, reasons: reasons },
      hint: reader
        ? `Match the writer's class, or give ${replica.id} a lower failover priority (higher PromotionTier) than a full-size reader.`
        : `Modify ${replica.id} to the source's class, storage and IOPS (aws rds modify-db-instance --db-instance-identifier ${replica.id} --db-instance-class ${s.DBInstanceClass ?? '<class>'} ...).`,
    }),
  ];
}

export function versionFinding(ctx: EvaluationContext, replica: Replica): Finding | undefined {
  const rv = replica.node?.engineVersion;
  const sv = replica.source?.engineVersion;
  if (!rv || !sv || !replica.node || !replica.source) return undefined;
  const cmp = compareVersions(rv, sv);
  if (cmp === undefined || cmp >= 0) return undefined;
  const engine = baselineEngine(replica.node.engine);
  const majorBehind = majorVersion(engine, rv) !== majorVersion(baselineEngine(replica.source.engine), sv);
  return make(ctx, {
    code: 'ENGINE_VERSION_MISMATCH',
    severity: majorBehind ? 'critical' : 'warning',
    region: replica.region,
    resource: replica.id,
    message:
      `${replica.id} (${replica.region}) runs ${replica.node.engine} ${rv}, older than its source ${replica.sourceId} ` +
      `(${replica.sourceRegion}) on ${sv}` +
      (majorBehind ? ': a major version behind, which replication does not support.' : ': a replica must run the same or a newer version than its source.'),
    evidence: {
      replicaVersion: rv,
      sourceVersion: sv,
      majorBehind,
      source: replica.sourceId,
      sourceRegion: replica.sourceRegion,
    },
    hint: `Upgrade ${replica.id} to ${sv} (replicas first, then the source); check its maintenance window for a pending upgrade (aws rds describe-pending-maintenance-actions).`,
  });
}

export function backupFindings(ctx: EvaluationContext): Finding[] {
  const findings: Finding[] = [];
  const consider = (node: DatabaseNode, retention: number | undefined, replicaIds: readonly string[]) => {
    if (retention !== 0 || replicaIds.length === 0) return;
    findings.push(
      make(ctx, {
        code: 'SOURCE_BACKUPS_DISABLED',
        severity: 'critical',
        region: node.region,
        resource: node.id,
        message:
          `${node.id} (${node.region}) is the replication source of ${replicaIds.join(', ')} but has automated backups disabled ` +
          '(BackupRetentionPeriod 0): no point-in-time recovery, and RDS MySQL/MariaDB turn binary logging off without backups.',
        evidence: { backupRetentionPeriod: 0, replicas: [...replicaIds] },
        hint: `Enable automated backups: aws rds modify-db-instance --db-instance-identifier ${node.id} --backup-retention-period 7 --apply-immediately.`,
      }),
    );
  };
  for (const node of ctx.topology.instances) {
    const instance: DbInstance = node.instance!;
    if (instance.DBClusterIdentifier) continue;
    const ids = new Set<string>([
      ...ctx.topology.replicasOf(node.region, node.id, 'instance').map((r) => r.id),
      ...(instance.ReadReplicaDBInstanceIdentifiers ?? []).map((ref) => parseRdsRef(ref).id),
      ...(instance.ReadReplicaDBClusterIdentifiers ?? []).map((ref) => parseRdsRef(ref).id),
    ]);
    consider(node, instance.BackupRetentionPeriod, [...ids].sort());
  }
  for (const node of ctx.topology.clusters) {
    // A cluster's own readers are not replicas it feeds, whatever its writer is called.
    const ids = ctx.topology
      .replicasOf(node.region, node.id, 'cluster')
      .filter((r) => r.kind !== 'aurora-reader' && r.kind !== 'multi-az-cluster-reader')
      .map((r) => r.id);
    consider(node, node.cluster?.BackupRetentionPeriod, ids.sort());
  }
  return findings;
}
