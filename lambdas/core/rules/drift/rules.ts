/**
 * Drift rules: parameter groups against the baseline, parameter-group apply status, and the
 * parity of every replica with its source (parameters, instance size, engine version, backups).
 * Pure: evaluation context + baseline in, findings out. Each family lives in its own module
 * (baseline-drift, apply-status, replica-params, instance-parity); this index runs them.
 *
 * Severities, by code:
 *   PARAM_DRIFT                  the baseline entry's severity; info when not comparable
 *   PARAM_APPLY_FAILED           critical: the instance may not start with the group, or runs other values
 *   PARAM_PENDING_REBOOT         warning: the running values are not the group's; info for pending-database-upgrade
 *   REPLICA_PARAM_BELOW_SOURCE   critical (RDS PostgreSQL: the standby stops replaying); warning on Aurora
 *   REPLICA_PARAM_MISMATCH       warning; critical for a GTID mode pair that cannot replicate
 *   REPLICA_WRITABLE             critical: a write on a replica diverges it or breaks replication
 *   REPLICA_UNDERSIZED           warning; info for Aurora readers (they share storage, no log to replay)
 *   ENGINE_VERSION_MISMATCH      warning; critical when the replica is a major version behind
 *   SOURCE_BACKUPS_DISABLED      critical: no point-in-time recovery, and MySQL turns its binlog off
 * A rule that cannot decide (unknown default, formula the interval cannot settle) reports under its
 * own code at info severity with `comparable: false`: unknown is never reported as equal.
 *
 * Parameter rules run only in regions whose snapshot carries parameter groups; a database whose
 * group is missing from such a snapshot is not checked, and one CHECK_DEGRADED finding per
 * missing group names the databases left unchecked. Instance-level rules always run.
 */
import type { EvaluationContext } from '../context';
import type { Finding } from '../../findings';
import type { Baseline } from './baseline';
import { applyStatusFindings, missingGroupFindings, unreadParameterFindings } from './apply-status';
import { diffBaseline, driftFinding } from './baseline-drift';
import { backupFindings, sizeFindings, versionFinding } from './instance-parity';
import { ParameterIndex } from './parameters';
import { parameterParityFindings } from './replica-params';

export { diffBaseline, type BaselineCheck, type BaselineDiff, type CheckStatus, type UncheckedDatabase } from './baseline-drift';

/** All drift findings for a fleet against a baseline. */
export function evaluateDrift(ctx: EvaluationContext, baseline: Baseline): Finding[] {
  const index = new ParameterIndex(ctx);
  const findings: Finding[] = [];

  findings.push(...applyStatusFindings(ctx));
  for (const replica of ctx.topology.replicas) {
    findings.push(...sizeFindings(ctx, replica));
    const version = versionFinding(ctx, replica);
    if (version) findings.push(version);
  }
  findings.push(...backupFindings(ctx));

  const diff = diffBaseline(ctx, baseline, index);
  for (const check of diff.checks) {
    if (check.status !== 'ok') findings.push(driftFinding(ctx, check));
  }
  findings.push(...parameterParityFindings(ctx, index));
  findings.push(...missingGroupFindings(ctx, index));
  findings.push(...unreadParameterFindings(ctx, index));
  return findings;
}
