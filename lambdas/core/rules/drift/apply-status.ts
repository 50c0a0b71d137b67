/**
 * Parameter-group apply status (PARAM_APPLY_FAILED, PARAM_PENDING_REBOOT), and the CHECK_DEGRADED
 * findings for parameter groups this run could not check: a group missing from the data, or a
 * region read without any parameter groups. Pure: evaluation context in, findings out.
 */
import type { EvaluationContext } from '../context';
import { makeFinding, type EvidenceValue, type Finding, type FindingDraft, type Severity } from '../../findings';
import { ParameterIndex } from './parameters';

function make(ctx: EvaluationContext, draft: FindingDraft): Finding {
  return makeFinding(ctx.config, draft);
}

// ---------------------------------------------------------------------------------------------
// Apply status

const PENDING_STATUSES = new Set(['pending-reboot', 'pending-database-upgrade']);
const QUIET_STATUSES = new Set(['in-sync', 'applying']);

export function applyStatusFindings(ctx: EvaluationContext): Finding[] {
  const findings: Finding[] = [];
  for (const node of ctx.topology.instances) {
    const instance = node.instance!;
    const statuses: { group: string; kind: 'db' | 'cluster'; status: string }[] = [];
    for (const g of instance.DBParameterGroups ?? []) {
      if (g.ParameterApplyStatus) statuses.push({ group: g.DBParameterGroupName ?? '?', kind: 'db', status: g.ParameterApplyStatus.toLowerCase() });
    }
    const cluster = instance.DBClusterIdentifier ? ctx.topology.cluster(node.region, instance.DBClusterIdentifier) : undefined;
    const member = cluster?.cluster?.DBClusterMembers?.find((m) => m.DBInstanceIdentifier === node.id);
    if (member?.DBClusterParameterGroupStatus) {
      statuses.push({
        group: cluster?.cluster?.DBClusterParameterGroup ?? '?',
        kind: 'cluster',
        status: member.DBClusterParameterGroupStatus.toLowerCase(),
      });
    }
    const incompatible = instance.DBInstanceStatus?.toLowerCase() === 'incompatible-parameters';
    const failed = statuses.filter((s) => s.status === 'failed-to-apply');
    const pending = statuses.filter((s) => PENDING_STATUSES.has(s.status) || (!QUIET_STATUSES.has(s.status) && s.status !== 'failed-to-apply'));
    const describe = (list: typeof statuses) =>
      list.map((s) => `${s.kind === 'cluster' ? 'cluster parameter group' : 'parameter group'} ${s.group} is ${s.status}`).join('; ');
    const evidenceOf = (list: typeof statuses): Record<string, EvidenceValue> => ({
      parameterGroups: list.map((s) => s.group),
      groupKinds: list.map((s) => s.kind),
      applyStatuses: list.map((s) => s.status),
      instanceStatus: instance.DBInstanceStatus ?? null,
    });

    if (failed.length || incompatible) {
      findings.push(
        make(ctx, {
          code: 'PARAM_APPLY_FAILED',
          severity: 'critical',
          region: node.region,
          resource: node.id,
          message:
            `Parameters could not be applied on ${node.id} (${node.region})` +
            (failed.length ? `: ${describe(failed)}` : '') +
            (incompatible ? `${failed.length ? '; ' : ': '}the instance status is incompatible-parameters` : '') +
            '. It may be running values other than its group says, or fail to start.',
          evidence: evidenceOf(failed),
          hint: 'Find the parameter RDS rejected (aws rds describe-events --source-identifier <db> --source-type db-instance) — usually a memory setting too large for the class — fix it in the group, then reboot.',
        }),
      );
    }
    if (pending.length) {
      // Info only when every status is the documented wait for an engine upgrade: a status this
      // release does not know is not assumed harmless.
      const onlyUpgrade = pending.every((s) => s.status === 'pending-database-upgrade');
      const unknownOnly = pending.every((s) => !PENDING_STATUSES.has(s.status));
      const severity: Severity = onlyUpgrade ? 'info' : 'warning';
      const rebootTarget = pending.some((s) => s.kind === 'cluster') ? `${node.id} (each instance of cluster ${cluster?.id})` : node.id;
      findings.push(
        make(ctx, {
          code: 'PARAM_PENDING_REBOOT',
          severity,
          region: node.region,
          resource: node.id,
          message:
            `${node.id} (${node.region}) is not running its parameter group's values: ${describe(pending)}. ` +
            'Static parameter changes take effect only after a reboot; the drift checks compare the group, not the running values.',
          evidence: evidenceOf(pending),
          hint: onlyUpgrade
            ? 'The change waits for the engine upgrade in the pending maintenance actions; apply it in a maintenance window.'
            : unknownOnly
              ? `RDS reports an apply status this release does not know; check it (aws rds describe-db-instances --db-instance-identifier ${node.id}) and reboot in a maintenance window if the group's values are not in effect.`
              : `Reboot ${rebootTarget} in a maintenance window (aws rds reboot-db-instance --db-instance-identifier ${node.id}); reboot replicas before their source.`,
        }),
      );
    }
  }
  return findings;
}
// ---------------------------------------------------------------------------------------------
// Missing groups

export function missingGroupFindings(ctx: EvaluationContext, index: ParameterIndex): Finding[] {
  const missing = new Map<string, { region: string; name: string; kind: 'db' | 'cluster'; databases: Set<string> }>();
  for (const node of [...ctx.topology.instances, ...ctx.topology.clusters]) {
    const members = node.cluster?.DBClusterMembers ?? [];
    if (members.some((m) => m.DBInstanceIdentifier && ctx.topology.instance(node.region, m.DBInstanceIdentifier))) continue;
    const lookup = index.lookup(node);
    if (lookup.status !== 'missing') continue;
    for (const group of lookup.groups) {
      const k = `${node.region}\u0000${group.kind}\u0000${group.name}`;
      const entry = missing.get(k) ?? { region: node.region, name: group.name, kind: group.kind, databases: new Set<string>() };
      entry.databases.add(node.id);
      missing.set(k, entry);
    }
  }
  return [...missing.values()].map((m) => {
    const operation = m.kind === 'db' ? 'rds:DescribeDBParameters' : 'rds:DescribeDBClusterParameters';
    const databases = [...m.databases].sort();
    return make(ctx, {
      code: 'CHECK_DEGRADED',
      severity: 'warning',
      region: m.region,
      resource: m.name,
      message:
        `${m.kind === 'db' ? 'Parameter group' : 'Cluster parameter group'} ${m.name} (${m.region}), used by ${databases.join(', ')}, ` +
        'is not in this run\'s data: their parameters were not checked against the baseline or their replicas/sources.',
      evidence: { operation, parameterGroup: m.name, databases },
      hint: `Check the checker role may call ${operation} on ${m.name}; a snapshot file must carry every group its databases use.`,
    });
  });
}

/**
 * A region whose data has databases but no parameter groups at all (a snapshot taken without
 * them, or a run that did not read them): say that the parameter rules were skipped there.
 */
export function unreadParameterFindings(ctx: EvaluationContext, index: ParameterIndex): Finding[] {
  const findings: Finding[] = [];
  for (const [region, data] of Object.entries(ctx.snapshot.regions)) {
    const databases = (data.dbInstances?.length ?? 0) + (data.dbClusters?.length ?? 0);
    if (databases === 0 || index.hasParameters(region)) continue;
    findings.push(
      make(ctx, {
        code: 'CHECK_DEGRADED',
        severity: 'info',
        region,
        resource: 'rds:DescribeDBParameters',
        message:
          `No parameter groups were read in ${region}: parameter drift and replica/source parameter parity were not ` +
          `checked for its ${databases} databases (instance sizing, engine versions, backups and apply status were).`,
        evidence: { operation: 'rds:DescribeDBParameters', databases },
        hint: 'Run the check live, or capture the snapshot with replguard snapshot, which reads every parameter group.',
      }),
    );
  }
  return findings;
}
