/**
 * Backups: whether a protected RDS instance's automated backups are replicated to another region,
 * when the config requires it.
 */
import { parseRdsRef } from '../../fleet/arn';
import type { EvaluationContext } from '../context';
import { makeFinding } from '../../findings';
import type { AutomatedBackup } from '../../fleet/model';
import type { DatabaseNode } from '../../fleet/topology';
import { describe, type ProtectedPrimary } from './dr-primaries';
import type { PrimaryEvaluation } from './dr-targets';

const AUTOMATED_BACKUPS_OPERATION = 'rds:DescribeDBInstanceAutomatedBackups';

const finding = makeFinding;

/** `DBInstanceAutomatedBackupsReplications[].DBInstanceAutomatedBackupsArn`, from an untyped response field. */
function replicationArns(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((item: unknown) =>
      typeof item === 'object' && item !== null ? (item as { DBInstanceAutomatedBackupsArn?: unknown }).DBInstanceAutomatedBackupsArn : undefined,
    )
    .filter((arn): arn is string => typeof arn === 'string');
}

function backupReplicationRegions(
  ctx: EvaluationContext,
  primary: DatabaseNode,
): { regions: string[]; checked: string[] } {
  const raw = primary.instance!;
  const arn = raw.DBInstanceArn;
  const resourceId = raw.DbiResourceId;
  const regions = new Set<string>();
  const destination = (replicationArn: string | undefined) => {
    const region = replicationArn ? parseRdsRef(replicationArn).region : undefined;
    if (region && region !== primary.region) regions.add(region);
  };
  const refersToPrimary = (backup: AutomatedBackup) => {
    if (arn && backup.DBInstanceArn === arn) return true;
    if (resourceId && backup.DbiResourceId === resourceId && (!backup.Region || backup.Region === primary.region)) return true;
    if (backup.DBInstanceArn) {
      const ref = parseRdsRef(backup.DBInstanceArn);
      return ref.id === primary.id && ref.region === primary.region;
    }
    return false;
  };

  // DescribeDBInstances carries the replications too.
  for (const replicationArn of replicationArns(raw.DBInstanceAutomatedBackupsReplications)) destination(replicationArn);
  const checked: string[] = [];
  for (const [region, data] of Object.entries(ctx.snapshot.regions)) {
    if (data.automatedBackups === undefined) continue;
    checked.push(region);
    for (const backup of data.automatedBackups) {
      const sameDb =
        refersToPrimary(backup) ||
        (region === primary.region && !backup.DBInstanceArn && backup.DBInstanceIdentifier === primary.id);
      if (!sameDb) continue;
      if (region === primary.region) {
        for (const replicationArn of replicationArns(backup.DBInstanceAutomatedBackupsReplications)) destination(replicationArn);
      } else if (backup.Status !== 'retained') {
        // The destination region's copy; `retained` means replication was stopped.
        regions.add(region);
      }
    }
  }
  return { regions: [...regions].sort(), checked: checked.sort() };
}

/** BACKUPS_NOT_REPLICATED for a protected RDS instance, or an unknown when the backups were not read. */
export function backups(ctx: EvaluationContext, primary: ProtectedPrimary, out: PrimaryEvaluation): void {
  const instance = primary.node?.instance;
  // Aurora has no cross-region automated-backup replication: the rule is for RDS instances only.
  if (!ctx.config.dr.requireReplicatedBackups || primary.kind !== 'rds-instance' || !instance) return;
  const { regions, checked } = backupReplicationRegions(ctx, primary.node!);
  if (regions.length > 0) return;
  const retention = instance.BackupRetentionPeriod;
  const disabled = retention === 0;
  const failedRead = (ctx.snapshot.regions[primary.region]?.errors ?? []).some(
    (e) => e.operation === AUTOMATED_BACKUPS_OPERATION,
  );
  if (failedRead && !disabled) {
    out.unknowns.push(`automated backups of ${primary.id}: ${AUTOMATED_BACKUPS_OPERATION} failed in ${primary.region}`);
    return;
  }
  if (checked.length === 0 && !disabled) {
    // Data read without automated backups (e.g. an older snapshot) says nothing either way.
    out.unknowns.push(`automated backups of ${primary.id} were not read (${AUTOMATED_BACKUPS_OPERATION})`);
    return;
  }
  out.blockers.push(disabled ? 'automated backups are disabled' : 'automated backups are not replicated to another region');
  out.findings.push(
    finding(ctx.config, {
      code: 'BACKUPS_NOT_REPLICATED',
      severity: 'warning',
      region: primary.region,
      resource: primary.id,
      message:
        `${describe(primary)} is marked as needing DR and the config requires replicated backups, but ` +
        (disabled
          ? 'its automated backups are disabled (BackupRetentionPeriod 0)'
          : 'its automated backups are not replicated to any other region') +
        ` (as of ${ctx.snapshot.capturedAt}): a point-in-time restore is only possible in ${primary.region}.`,
      evidence: { backupRetentionPeriod: retention ?? null, automatedBackupsReadIn: checked, replicatedTo: [] },
      hint: disabled
        ? 'Enable automated backups (BackupRetentionPeriod > 0), then start cross-region backup replication.'
        : 'Start it: aws rds start-db-instance-automated-backups-replication --source-db-instance-arn <primary ARN> --region <DR region>.',
    }),
  );
}
