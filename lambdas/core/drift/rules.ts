/**
 * Drift rules: parameter groups against the baseline, parameter-group apply status, and the
 * parity of every replica with its source (parameters, instance size, engine version, backups).
 * Pure: evaluation context + baseline in, findings out.
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
import { parseRdsRef } from '../arn';
import { compilePattern } from '../config';
import { own } from '../records';
import { compareInstanceClasses } from '../instance-capacity';
import type { EvaluationContext } from '../context';
import { makeFinding, type EvidenceValue, type Finding, type FindingDraft, type Severity } from '../findings';
import type { DbInstance } from '../model';
import type { DatabaseNode, Replica, ReplicaKind } from '../topology';
import { describeExpectation, type Baseline, type BaselineEntry, type Expectation, type Role } from './baseline';
import { baselineEngine, compareVersions, majorVersion } from './engines';
import { ParameterIndex, type DatabaseParameters, type EffectiveParameter, type ParameterLookup } from './parameters';
import {
  atLeast,
  canonicalParameterName,
  compareEqual,
  describeResolved,
  evaluatedEvidence,
  resolveValue,
  type Resolved,
  type ValueType,
} from './values';

const key = (region: string, id: string) => `${region}\u0000${id}`;


function make(ctx: EvaluationContext, draft: FindingDraft): Finding {
  return makeFinding(ctx.config, draft);
}

// ---------------------------------------------------------------------------------------------
// Roles and database listing

interface Database {
  readonly node: DatabaseNode;
  /** The Aurora cluster an instance belongs to. */
  readonly cluster?: DatabaseNode;
  readonly roles: ReadonlySet<Role>;
  readonly tags: Readonly<Record<string, string>>;
}

function databases(ctx: EvaluationContext): Database[] {
  const t = ctx.topology;
  const replicaKeys = new Set(t.replicas.map((r) => key(r.region, r.id)));
  // A source feeds replicas through the engine's own replication (binlog, WAL streaming); Aurora
  // readers and global database secondaries replicate at the storage layer and do not count.
  const feedsOthers = (region: string, id: string, type: 'instance' | 'cluster') =>
    t.replicasOf(region, id, type).some(
      (r) => r.kind === 'rds-read-replica' || r.kind === 'aurora-replica-cluster' || r.kind === 'multi-az-cluster-replica',
    );
  const out: Database[] = [];
  for (const node of t.instances) {
    const instance = node.instance!;
    const cluster = instance.DBClusterIdentifier ? t.cluster(node.region, instance.DBClusterIdentifier) : undefined;
    const isWriter = cluster?.cluster?.DBClusterMembers?.some((m) => m.DBInstanceIdentifier === node.id && m.IsClusterWriter) ?? false;
    const roles = new Set<Role>();
    if (replicaKeys.has(key(node.region, node.id)) || (isWriter && cluster && replicaKeys.has(key(node.region, cluster.id)))) roles.add('replica');
    if (
      feedsOthers(node.region, node.id, 'instance') ||
      (instance.ReadReplicaDBInstanceIdentifiers?.length ?? 0) > 0 ||
      (instance.ReadReplicaDBClusterIdentifiers?.length ?? 0) > 0 ||
      (isWriter && cluster && (feedsOthers(node.region, cluster.id, 'cluster') || (cluster.cluster?.ReadReplicaIdentifiers?.length ?? 0) > 0))
    ) {
      roles.add('source');
    }
    if (roles.size === 0) roles.add('standalone');
    out.push({ node, cluster, roles, tags: { ...(cluster?.tags ?? {}), ...node.tags } });
  }
  // A cluster with no instance in the snapshot (a headless secondary) is checked on its own.
  for (const node of t.clusters) {
    const members = node.cluster?.DBClusterMembers ?? [];
    if (members.some((m) => m.DBInstanceIdentifier && t.instance(node.region, m.DBInstanceIdentifier))) continue;
    const roles = new Set<Role>();
    if (replicaKeys.has(key(node.region, node.id))) roles.add('replica');
    if (feedsOthers(node.region, node.id, 'cluster') || (node.cluster?.ReadReplicaIdentifiers?.length ?? 0) > 0) roles.add('source');
    if (roles.size === 0) roles.add('standalone');
    out.push({ node, roles, tags: node.tags });
  }
  return out;
}

function entryApplies(entry: BaselineEntry, db: Database): boolean {
  const engine = baselineEngine(db.node.engine);
  if (!engine || !entry.engine.includes(engine)) return false;
  if (entry.engineVersion && !(db.node.engineVersion && entry.engineVersion.test(db.node.engineVersion))) return false;
  if (entry.identifier) {
    const pattern = compilePattern(entry.identifier);
    if (!pattern.test(db.node.id) && !(db.cluster && pattern.test(db.cluster.id))) return false;
  }
  for (const [k, v] of Object.entries(entry.tags ?? {})) if (own(db.tags, k) !== v) return false;
  if (entry.role && !db.roles.has(entry.role)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Baseline comparison

export type CheckStatus = 'ok' | 'drift' | 'not-comparable';

/** One baseline entry checked against one database (or one Aurora cluster, for cluster-level values). */
export interface BaselineCheck {
  readonly region: string;
  /** Instance identifier, or the cluster identifier when the value comes from the cluster group for every member. */
  readonly resource: string;
  readonly resourceType: 'instance' | 'cluster';
  /** Canonical name (aliases folded). */
  readonly parameter: string;
  /** As the group (or the baseline) spells it. */
  readonly parameterName: string;
  readonly expected: string;
  /** A value that satisfies the expectation, for hints. */
  readonly suggested: string;
  /** The raw value in effect; null when not set and the engine default is unknown. */
  readonly actual: string | null;
  readonly actualDisplay: string;
  readonly actualEvaluated: string | number | boolean | null;
  readonly origin: EffectiveParameter['origin'];
  readonly group?: string;
  readonly status: CheckStatus;
  /** Why the check could not decide. */
  readonly why?: string;
  readonly severity: Severity;
  readonly reason: string;
  readonly engine: string;
  readonly engineVersion?: string;
  /** Aurora members a cluster-level row stands for. */
  readonly members?: readonly string[];
}

export interface UncheckedDatabase {
  readonly region: string;
  readonly resource: string;
  readonly why: string;
}

export interface BaselineDiff {
  readonly baseline: string;
  readonly databases: number;
  readonly checks: readonly BaselineCheck[];
  readonly unchecked: readonly UncheckedDatabase[];
}

function suggestedValue(expect: Expectation): string {
  if ('equals' in expect) return String(expect.equals);
  if ('oneOf' in expect) return String(expect.oneOf[0]);
  return String(expect.min ?? expect.max);
}

function expectationType(parameter: EffectiveParameter, expect: Expectation): ValueType | undefined {
  if (parameter.type) return parameter.type;
  if ('equals' in expect && typeof expect.equals === 'boolean') return 'boolean';
  if (!('equals' in expect) && !('oneOf' in expect)) return 'number';
  return undefined;
}

function checkExpectation(
  params: DatabaseParameters,
  parameter: EffectiveParameter,
  expect: Expectation,
): { status: CheckStatus; actual: Resolved; why?: string } {
  const type = expectationType(parameter, expect);
  const actual = params.resolve(parameter, type);
  const expected = (v: string | number | boolean) => resolveValue(String(v), params.env, type);
  if ('equals' in expect || 'oneOf' in expect) {
    const candidates = 'equals' in expect ? [expect.equals] : expect.oneOf;
    const outcomes = candidates.map((c) => compareEqual(actual, expected(c)));
    if (outcomes.some((o) => o.outcome === 'equal')) return { status: 'ok', actual };
    const open = outcomes.find((o) => o.outcome === 'not-comparable');
    if (open && open.outcome === 'not-comparable') return { status: 'not-comparable', actual, why: open.reason };
    return { status: 'drift', actual };
  }
  const bounds: ['min' | 'max', number][] = [];
  if (expect.min !== undefined) bounds.push(['min', expect.min]);
  if (expect.max !== undefined) bounds.push(['max', expect.max]);
  let why: string | undefined;
  for (const [side, bound] of bounds) {
    const b = resolveValue(String(bound), params.env, 'number');
    const result = side === 'min' ? atLeast(actual, b) : atLeast(b, actual);
    if (result.outcome === 'no') return { status: 'drift', actual };
    if (result.outcome === 'not-comparable') why ??= result.reason;
  }
  return why ? { status: 'not-comparable', actual, why } : { status: 'ok', actual };
}

function describeLookupProblem(lookup: Exclude<ParameterLookup, { status: 'ok' }>): string {
  switch (lookup.status) {
    case 'not-read':
      return 'the snapshot holds no parameter groups for this region';
    case 'no-group':
      return 'its description names no parameter group';
    default:
      return `parameter group${lookup.groups.length > 1 ? 's' : ''} ${lookup.groups.map((g) => g.name).join(', ')} not in the snapshot`;
  }
}

/** Compares every database with the baseline entries that apply to it. */
export function diffBaseline(ctx: EvaluationContext, baseline: Baseline, index = new ParameterIndex(ctx)): BaselineDiff {
  const checks: BaselineCheck[] = [];
  const unchecked: UncheckedDatabase[] = [];
  /** Aurora rows whose value comes from the cluster group: merged per cluster below. */
  const clusterRows = new Map<string, BaselineCheck[]>();
  const dbs = databases(ctx);

  for (const db of dbs) {
    const applicable = new Map<string, BaselineEntry>();
    for (const entry of baseline.entries) {
      // The last matching entry for a parameter wins, so a specific entry overrides a general one.
      if (entryApplies(entry, db)) applicable.set(canonicalParameterName(entry.parameter), entry);
    }
    if (applicable.size === 0) continue;
    const lookup = index.lookup(db.node);
    if (lookup.status !== 'ok') {
      unchecked.push({ region: db.node.region, resource: db.node.id, why: describeLookupProblem(lookup) });
      continue;
    }
    const params = lookup.params;
    for (const [canonical, entry] of applicable) {
      const parameter = params.get(entry.parameter);
      const { status, actual, why } = checkExpectation(params, parameter, entry.expect);
      const row: BaselineCheck = {
        region: db.node.region,
        resource: db.node.id,
        resourceType: db.node.type,
        parameter: canonical,
        parameterName: parameter.origin === 'engine-default' ? entry.parameter : parameter.name,
        expected: describeExpectation(entry.expect),
        suggested: suggestedValue(entry.expect),
        actual: parameter.raw ?? null,
        actualDisplay: parameter.raw === undefined ? '(engine default, unknown)' : describeResolved(actual),
        actualEvaluated: evaluatedEvidence(actual),
        origin: parameter.origin,
        // An unset parameter is fixed in the database's own group.
        ...(parameter.group ?? params.groups[0] ? { group: parameter.group ?? params.groups[0] } : {}),
        status,
        ...(why ? { why } : {}),
        severity: entry.severity,
        reason: entry.reason,
        engine: db.node.engine,
        ...(db.node.engineVersion ? { engineVersion: db.node.engineVersion } : {}),
      };
      if (db.cluster && parameter.origin === 'cluster-group') {
        const k = `${key(db.node.region, db.cluster.id)}\u0000${canonical}`;
        clusterRows.set(k, [...(clusterRows.get(k) ?? []), row]);
      } else {
        checks.push(row);
      }
    }
  }

  for (const rows of clusterRows.values()) {
    const first = rows[0]!;
    const cluster = ctx.topology.instance(first.region, first.resource)?.instance?.DBClusterIdentifier;
    const members = (cluster ? ctx.topology.cluster(first.region, cluster)?.cluster?.DBClusterMembers ?? [] : []).filter(
      (m) => m.DBInstanceIdentifier && ctx.topology.instance(first.region, m.DBInstanceIdentifier),
    );
    // One row for the cluster only when it speaks for every member: the same value, the same verdict.
    const uniform =
      rows.length === members.length && rows.every((r) => r.status === first.status && r.actualDisplay === first.actualDisplay);
    if (cluster && uniform) {
      checks.push({ ...first, resource: cluster, resourceType: 'cluster', members: rows.map((r) => r.resource).sort() });
    } else {
      checks.push(...rows);
    }
  }
  checks.sort((a, b) => a.region.localeCompare(b.region) || a.resource.localeCompare(b.resource) || a.parameter.localeCompare(b.parameter));
  return { baseline: baseline.source, databases: dbs.length, checks, unchecked };
}

function settingHint(check: BaselineCheck, value: string): string {
  if (!check.group) return `Set ${check.parameterName} = ${value} in the database's parameter group.`;
  if (check.group.startsWith('default.')) {
    return `${check.group} is a default group and cannot be changed: create a custom parameter group with ${check.parameterName} = ${value} and attach it to ${check.resource}.`;
  }
  const cluster = check.origin === 'cluster-group';
  const command = cluster
    ? `aws rds modify-db-cluster-parameter-group --db-cluster-parameter-group-name ${check.group}`
    : `aws rds modify-db-parameter-group --db-parameter-group-name ${check.group}`;
  return `Set ${check.parameterName} = ${value} in ${check.group} (${command} --parameters ParameterName=${check.parameterName},ParameterValue=${value},ApplyMethod=pending-reboot) and reboot if it is static; if the difference is intended, narrow the baseline entry.`;
}

function whereValue(check: BaselineCheck): string {
  if (check.origin === 'engine-default') {
    return check.group ? `not set in ${check.group}, engine default` : 'not set, engine default';
  }
  return `set in ${check.group}`;
}

function driftFinding(ctx: EvaluationContext, check: BaselineCheck): Finding {
  const what = check.resourceType === 'cluster' ? `cluster ${check.resource}` : check.resource;
  const evidence: Record<string, EvidenceValue> = {
    parameter: check.parameter,
    parameterName: check.parameterName,
    expected: check.expected,
    actual: check.actual,
    actualEvaluated: check.actualEvaluated,
    origin: check.origin,
    parameterGroup: check.group ?? null,
    comparable: check.status !== 'not-comparable',
    reason: check.reason,
    engine: check.engine,
    engineVersion: check.engineVersion ?? null,
  };
  if (check.members) evidence.members = [...check.members];
  if (check.status === 'not-comparable') {
    return make(ctx, {
      code: 'PARAM_DRIFT',
      severity: 'info',
      region: check.region,
      resource: check.resource,
      message:
        `Cannot verify ${check.parameterName} on ${what} (${check.region}) against the baseline (${check.expected}): ` +
        `its value ${check.actualDisplay} (${whereValue(check)}) cannot be compared: ${check.why}.`,
      evidence: { ...evidence, why: check.why ?? null },
      hint: `Set ${check.parameterName} explicitly in the parameter group to a plain value, or check the running value with SHOW VARIABLES / SHOW; then adjust the baseline if needed.`,
    });
  }
  return make(ctx, {
    code: 'PARAM_DRIFT',
    severity: check.severity,
    region: check.region,
    resource: check.resource,
    message:
      `${check.parameterName} on ${what} (${check.region}) is ${check.actualDisplay} (${whereValue(check)}); ` +
      `the baseline expects ${check.expected}: ${check.reason}`,
    evidence,
    hint: settingHint(check, check.suggested),
  });
}

// ---------------------------------------------------------------------------------------------
// Apply status

const PENDING_STATUSES = new Set(['pending-reboot', 'pending-database-upgrade']);
const QUIET_STATUSES = new Set(['in-sync', 'applying']);

function applyStatusFindings(ctx: EvaluationContext): Finding[] {
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
      const onlyUpgrade = pending.every((s) => s.status !== 'pending-reboot');
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
            : `Reboot ${rebootTarget} in a maintenance window (aws rds reboot-db-instance --db-instance-identifier ${node.id}); reboot replicas before their source.`,
        }),
      );
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Replica parity: parameters

const HOT_STANDBY_PARAMETERS = [
  'max_connections',
  'max_worker_processes',
  'max_wal_senders',
  'max_prepared_transactions',
  'max_locks_per_transaction',
] as const;

const GENERATES_GTID = new Set(['on', 'on_permissive']);
const ACCEPTS_GTID = new Set(['on', 'on_permissive', 'off_permissive']);
const ACCEPTS_ANONYMOUS = new Set(['off', 'off_permissive', 'on_permissive']);

interface Pair {
  readonly replica: Replica;
  readonly node: DatabaseNode;
  readonly source: DatabaseNode;
  readonly replicaParams: DatabaseParameters;
  readonly sourceParams: DatabaseParameters;
}

/** Both sides unset with no known default, on the same engine and version: they run the same default. */
function sameUnknownDefault(pair: Pair, r: EffectiveParameter, s: EffectiveParameter): boolean {
  return (
    r.raw === undefined &&
    s.raw === undefined &&
    pair.replicaParams.engine === pair.sourceParams.engine &&
    pair.replicaParams.engineVersion !== undefined &&
    pair.replicaParams.engineVersion === pair.sourceParams.engineVersion
  );
}

function describeSide(params: DatabaseParameters, p: EffectiveParameter, value: Resolved): string {
  if (p.raw === undefined) return 'not set (engine default unknown)';
  const shown = describeResolved(value);
  return p.origin === 'engine-default' ? `${shown} (engine default)` : `${shown} (${p.group ?? params.groups.join('/')})`;
}

function parityEvidence(pair: Pair, name: string, r: EffectiveParameter, s: EffectiveParameter, rv: Resolved, sv: Resolved, comparable: boolean): Record<string, EvidenceValue> {
  return {
    parameter: r.canonical,
    parameterName: name,
    replicaValue: r.raw ?? null,
    replicaEvaluated: evaluatedEvidence(rv),
    replicaParameterGroup: r.group ?? null,
    replicaOrigin: r.origin,
    sourceValue: s.raw ?? null,
    sourceEvaluated: evaluatedEvidence(sv),
    sourceParameterGroup: s.group ?? null,
    sourceOrigin: s.origin,
    source: pair.source.id,
    sourceRegion: pair.source.region,
    replicaClass: pair.replicaParams.env.instanceClass ?? null,
    sourceClass: pair.sourceParams.env.instanceClass ?? null,
    comparable,
  };
}

function pairLabel(pair: Pair): string {
  return `replica ${pair.node.id} (${pair.node.region}) and its source ${pair.source.id} (${pair.source.region})`;
}

function belowSourceFindings(ctx: EvaluationContext, pair: Pair): Finding[] {
  const findings: Finding[] = [];
  const aurora = pair.replicaParams.engine === 'aurora-postgresql';
  for (const name of HOT_STANDBY_PARAMETERS) {
    const r = pair.replicaParams.get(name);
    const s = pair.sourceParams.get(name);
    if (sameUnknownDefault(pair, r, s)) continue;
    const rv = pair.replicaParams.resolve(r, 'number');
    const sv = pair.sourceParams.resolve(s, 'number');
    const result = atLeast(rv, sv);
    if (result.outcome === 'yes') continue;
    if (result.outcome === 'not-comparable') {
      findings.push(
        make(ctx, {
          code: 'REPLICA_PARAM_BELOW_SOURCE',
          severity: 'info',
          region: pair.node.region,
          resource: pair.node.id,
          message:
            `Cannot tell whether ${name} on ${pair.node.id} (${pair.node.region}) is at least its source ${pair.source.id}'s: ` +
            `replica ${describeSide(pair.replicaParams, r, rv)}, source ${describeSide(pair.sourceParams, s, sv)}; ${result.reason}.`,
          evidence: { ...parityEvidence(pair, name, r, s, rv, sv, false), why: result.reason },
          hint: `Compare SHOW ${name}; on both databases; set ${name} explicitly on the replica to at least the source's value.`,
        }),
      );
      continue;
    }
    findings.push(
      make(ctx, {
        code: 'REPLICA_PARAM_BELOW_SOURCE',
        severity: aurora ? 'warning' : 'critical',
        region: pair.node.region,
        resource: pair.node.id,
        message:
          `${name} on ${pair.node.id} (${pair.node.region}) is ${describeSide(pair.replicaParams, r, rv)}, below its source ` +
          `${pair.source.id} (${pair.source.region}) at ${describeSide(pair.sourceParams, s, sv)}: a PostgreSQL standby needs ` +
          `${name} at least the primary's, or it stops replaying WAL (hot standby not possible).`,
        evidence: parityEvidence(pair, name, r, s, rv, sv, true),
        hint: `Raise ${name} on ${pair.node.id}'s parameter group to at least the source's value and reboot the replica; when raising it on a source, raise the replicas first.`,
      }),
    );
  }
  return findings;
}

function mismatchFindings(ctx: EvaluationContext, pair: Pair): Finding[] {
  const findings: Finding[] = [];
  const mysqlProper = pair.replicaParams.engine !== 'mariadb' && pair.sourceParams.engine !== 'mariadb';
  const checks: { name: string; type: ValueType; compare: 'equal' | 'at-least' | 'gtid' }[] = [
    { name: 'binlog_format', type: 'string', compare: 'equal' },
    ...(mysqlProper
      ? ([
          { name: 'gtid_mode', type: 'string', compare: 'gtid' },
          { name: 'enforce_gtid_consistency', type: 'string', compare: 'equal' },
        ] as const)
      : []),
    { name: 'max_allowed_packet', type: 'number', compare: 'at-least' },
  ];
  for (const check of checks) {
    const r = pair.replicaParams.get(check.name);
    const s = pair.sourceParams.get(check.name);
    if (sameUnknownDefault(pair, r, s)) continue;
    const rv = pair.replicaParams.resolve(r, check.type);
    const sv = pair.sourceParams.resolve(s, check.type);
    // An Aurora MySQL replica cluster with binary logging off replicates fine; it only has no binlog of its own.
    if (check.name === 'binlog_format' && rv.kind === 'string' && rv.value === 'off') continue;
    const label = check.name === 'max_allowed_packet' ? `${check.name} (replica must be at least the source's)` : check.name;
    let outcome: 'ok' | 'bad' | 'unknown';
    let reason = '';
    if (check.compare === 'at-least') {
      const result = atLeast(rv, sv);
      outcome = result.outcome === 'yes' ? 'ok' : result.outcome === 'no' ? 'bad' : 'unknown';
      if (result.outcome === 'not-comparable') reason = result.reason;
    } else {
      const result = compareEqual(rv, sv);
      outcome = result.outcome === 'equal' ? 'ok' : result.outcome === 'different' ? 'bad' : 'unknown';
      if (result.outcome === 'not-comparable') reason = result.reason;
    }
    if (outcome === 'ok') continue;
    if (outcome === 'unknown') {
      findings.push(
        make(ctx, {
          code: 'REPLICA_PARAM_MISMATCH',
          severity: 'info',
          region: pair.node.region,
          resource: pair.node.id,
          message:
            `Cannot compare ${label} between ${pairLabel(pair)}: replica ${describeSide(pair.replicaParams, r, rv)}, ` +
            `source ${describeSide(pair.sourceParams, s, sv)}; ${reason}.`,
          evidence: { ...parityEvidence(pair, check.name, r, s, rv, sv, false), why: reason },
          hint: `Check SHOW VARIABLES LIKE '${check.name}' on both; set it explicitly in both parameter groups.`,
        }),
      );
      continue;
    }
    let severity: Severity = 'warning';
    let consequence = 'replication settings should match so the replica applies and, once promoted, produces the same events';
    if (check.compare === 'gtid' && rv.kind === 'string' && sv.kind === 'string') {
      const incompatible =
        (GENERATES_GTID.has(sv.value) && !ACCEPTS_GTID.has(rv.value)) || (!GENERATES_GTID.has(sv.value) && !ACCEPTS_ANONYMOUS.has(rv.value));
      if (incompatible) {
        severity = 'critical';
        consequence = GENERATES_GTID.has(sv.value)
          ? 'the source writes GTID transactions the replica refuses: replication stops'
          : 'the source writes anonymous transactions a gtid_mode=ON replica refuses: replication stops';
      } else {
        consequence = 'the modes can replicate now but a failover or a further gtid_mode step can break it';
      }
    } else if (check.compare === 'at-least') {
      consequence = 'a row event or statement larger than the replica allows stops replication';
    } else if (check.name === 'binlog_format') {
      consequence = 'after a promotion, or for replicas chained below this one, the binlog format silently changes';
    }
    findings.push(
      make(ctx, {
        code: 'REPLICA_PARAM_MISMATCH',
        severity,
        region: pair.node.region,
        resource: pair.node.id,
        message:
          `${check.name} differs between ${pairLabel(pair)}: replica ${describeSide(pair.replicaParams, r, rv)}, ` +
          `source ${describeSide(pair.sourceParams, s, sv)}; ${consequence}.`,
        evidence: parityEvidence(pair, check.name, r, s, rv, sv, true),
        hint:
          check.compare === 'at-least'
            ? `Raise ${check.name} on ${pair.node.id}'s parameter group to at least the source's value (dynamic: no reboot).`
            : `Make ${check.name} the same in both parameter groups (change the replica first for gtid_mode, one step at a time: OFF → OFF_PERMISSIVE → ON_PERMISSIVE → ON).`,
      }),
    );
  }
  return findings;
}

function writableFinding(ctx: EvaluationContext, pair: Pair): Finding | undefined {
  const p = pair.replicaParams.get('read_only');
  const value = pair.replicaParams.resolve(p, 'boolean');
  const evidence: Record<string, EvidenceValue> = {
    parameter: p.canonical,
    parameterName: p.name,
    value: p.raw ?? null,
    evaluated: evaluatedEvidence(value),
    origin: p.origin,
    parameterGroup: p.group ?? null,
    source: pair.source.id,
    sourceRegion: pair.source.region,
  };
  if (value.kind === 'boolean' && value.value) return undefined;
  const sharedWithSource =
    p.group !== undefined && pair.source.region === pair.node.region && pair.sourceParams.groups.includes(p.group);
  if (value.kind !== 'boolean') {
    const why = value.kind === 'unknown' ? value.reason : `"${value.text}" is not a boolean`;
    return make(ctx, {
      code: 'REPLICA_WRITABLE',
      severity: 'info',
      region: pair.node.region,
      resource: pair.node.id,
      message: `Cannot tell whether replica ${pair.node.id} (${pair.node.region}) is read-only: read_only is ${describeSide(pair.replicaParams, p, value)}; ${why}.`,
      evidence: { ...evidence, comparable: false, why },
      hint: `Check SHOW VARIABLES LIKE 'read_only' on ${pair.node.id}; set read_only = 1 (or {TrueIfReplica}) in its parameter group.`,
    });
  }
  return make(ctx, {
    code: 'REPLICA_WRITABLE',
    severity: 'critical',
    region: pair.node.region,
    resource: pair.node.id,
    message:
      `Replica ${pair.node.id} (${pair.node.region}) of ${pair.source.id} (${pair.source.region}) accepts writes: read_only is ` +
      `${describeSide(pair.replicaParams, p, value)}. A write on the replica diverges it from the source or stops replication on the next conflicting event.`,
    evidence: { ...evidence, comparable: true },
    hint: sharedWithSource
      ? `Set read_only = {TrueIfReplica} in ${p.group}, which ${pair.source.id} shares: it is on for the replica and stays off on the source (never 1 in a shared group). Dynamic, no reboot. Then find which client wrote to the replica.`
      : `Set read_only = {TrueIfReplica} or 1 in ${p.group ?? "the replica's parameter group"} (dynamic: no reboot), then find which client wrote to the replica.`,
  });
}

const MYSQL_ENGINES = new Set(['mysql', 'mariadb']);

function parameterParityFindings(ctx: EvaluationContext, index: ParameterIndex): Finding[] {
  const findings: Finding[] = [];
  for (const replica of ctx.topology.replicas) {
    const { node, source } = replica;
    if (!node || !source) continue;
    const replicaEngine = baselineEngine(node.engine);
    const isPostgres = replicaEngine === 'postgres' || replicaEngine === 'aurora-postgresql';
    const isMysqlReplica = replica.kind === 'rds-read-replica' && MYSQL_ENGINES.has(replicaEngine ?? '');
    const isAuroraBinlogReplica = replica.kind === 'aurora-replica-cluster' && replicaEngine === 'aurora-mysql';
    if (!isPostgres && !isMysqlReplica && !isAuroraBinlogReplica) continue;
    const r = index.lookup(node);
    const s = index.lookup(source);
    if (r.status !== 'ok' || s.status !== 'ok') continue;
    const pair: Pair = { replica, node, source, replicaParams: r.params, sourceParams: s.params };
    if (isPostgres) findings.push(...belowSourceFindings(ctx, pair));
    if (isMysqlReplica || isAuroraBinlogReplica) {
      findings.push(...mismatchFindings(ctx, pair));
      const writable = writableFinding(ctx, pair);
      if (writable) findings.push(writable);
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Replica parity: instance size, engine version; sources' backups

function sizeFindings(ctx: EvaluationContext, replica: Replica): Finding[] {
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

function versionFinding(ctx: EvaluationContext, replica: Replica): Finding | undefined {
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

function backupFindings(ctx: EvaluationContext): Finding[] {
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

// ---------------------------------------------------------------------------------------------
// Missing groups

function missingGroupFindings(ctx: EvaluationContext, index: ParameterIndex): Finding[] {
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

// ---------------------------------------------------------------------------------------------

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

/**
 * A region whose data has databases but no parameter groups at all (a snapshot taken without
 * them, or a run that did not read them): say that the parameter rules were skipped there.
 */
function unreadParameterFindings(ctx: EvaluationContext, index: ParameterIndex): Finding[] {
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
