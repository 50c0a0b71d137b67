/**
 * Baseline drift: each database's parameter groups against the baseline entries that apply to it
 * (by engine, version, identifier, tags and role). PARAM_DRIFT at the entry's severity; info when
 * the value cannot be compared. Pure: evaluation context + baseline in, findings out.
 */
import { compilePattern } from '../../config';
import { own } from '../../shared/records';
import type { EvaluationContext } from '../context';
import { makeFinding, type EvidenceValue, type Finding, type FindingDraft, type Severity } from '../../findings';
import type { DatabaseNode } from '../../fleet/topology';
import { describeExpectation, type Baseline, type BaselineEntry, type Expectation, type Role } from './baseline';
import { baselineEngine } from './engines';
import { ParameterIndex, type DatabaseParameters, type EffectiveParameter, type ParameterLookup } from './parameters';
import { atLeast, canonicalParameterName, compareEqual, describeResolved, evaluatedEvidence, resolveValue, type Resolved, type ValueType } from './values';

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
        // As the group lists it, set or not (else as the baseline spells it): the hint's command must name it so.
        parameterName: parameter.name,
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

export function driftFinding(ctx: EvaluationContext, check: BaselineCheck): Finding {
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
