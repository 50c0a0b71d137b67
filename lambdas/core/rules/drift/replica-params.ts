/**
 * Replica/source parameter parity: PostgreSQL standby settings below the source's
 * (REPLICA_PARAM_BELOW_SOURCE), MySQL/MariaDB settings that must match (REPLICA_PARAM_MISMATCH), and
 * a replica left writable (REPLICA_WRITABLE). An unknown default is never reported as equal.
 * Pure: evaluation context + parameter index in, findings out.
 */
import type { EvaluationContext } from '../context';
import { makeFinding, type EvidenceValue, type Finding, type FindingDraft, type Severity } from '../../findings';
import type { DatabaseNode, Replica } from '../../fleet/topology';
import { baselineEngine } from './engines';
import { ParameterIndex, type DatabaseParameters, type EffectiveParameter } from './parameters';
import { atLeast, compareEqual, describeResolved, evaluatedEvidence, type Resolved, type ValueType } from './values';

function make(ctx: EvaluationContext, draft: FindingDraft): Finding {
  return makeFinding(ctx.config, draft);
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

export function parameterParityFindings(ctx: EvaluationContext, index: ParameterIndex): Finding[] {
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
