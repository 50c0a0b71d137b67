/**
 * Boundaries of the health, DR and lifecycle rules, one row per consequence a user would notice.
 * Rows assert on evidence (values, thresholds, counts), not on message wording. The semantics
 * pinned here are the ones docs/configuration.md states: "above" a threshold or the RPO is
 * strict; M of the last N datapoints, or every datapoint when fewer than M arrived; a lag series
 * whose newest datapoint is N + 3 minutes old or older counts as missing.
 */
import { describe, expect, it } from 'vitest';
import { planTransitions, type AlertState } from '../../../lambdas/core/outputs/alert-lifecycle';
import { parseConfig, type ConfigInput } from '../../../lambdas/core/config';
import { evaluate } from '../../../lambdas/core/rules/evaluate';
import { findingKey, type FindingCode, type Severity } from '../../../lambdas/core/findings';
import type { FleetSnapshot, MetricSeries, ReadError } from '../../../lambdas/core/fleet/model';
import { sawtooth } from '../../support/curves';
import { finding } from '../../support/findings';
import { fleet, instance, instanceArn, lag, NOW, replica, series } from '../../support/fleet';

const NOW_MS = Date.parse(NOW);
const MINUTE = 60_000;

const check = (snapshot: FleetSnapshot, config: ConfigInput = {}) => evaluate(snapshot, { config: parseConfig(config), scope: 'health' });

/** Datapoints `minutesAgo` before NOW (oldest first), for staleness rows. */
function lagAt(id: string, points: readonly (readonly [minutesAgo: number, value: number])[]): MetricSeries {
  return {
    ...lag(id, []),
    timestamps: points.map(([ago]) => new Date(NOW_MS - ago * MINUTE).toISOString()),
    values: points.map(([, v]) => v),
  };
}

/** A MySQL source and its same-region read replica reporting `values` (one a minute, ending at NOW). */
const pair = (metric: MetricSeries) =>
  fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics: [metric] } });

interface HealthRow {
  readonly name: string;
  readonly metric: MetricSeries;
  readonly code: FindingCode;
  /** Undefined: no finding of that code. */
  readonly severity?: Severity;
  readonly evidence?: Record<string, unknown>;
}

const HEALTH_ROWS: readonly HealthRow[] = [
  { name: 'lag equal to the warning threshold is not above it', metric: lag('orders-ro', [30, 30, 30, 30, 30]), code: 'REPLICA_LAG_HIGH' },
  {
    name: 'one second above the warning threshold warns',
    metric: lag('orders-ro', [31, 31, 31, 31, 31]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'warning',
    evidence: { thresholdSeconds: 30, lagSeconds: 31, datapointsOver: 5, evaluatedDatapoints: 5 },
  },
  {
    name: 'lag equal to the critical threshold stays a warning',
    metric: lag('orders-ro', [300, 300, 300, 300, 300]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'warning',
    evidence: { thresholdSeconds: 30, criticalSeconds: 300 },
  },
  {
    name: 'one second above the critical threshold is critical',
    metric: lag('orders-ro', [301, 301, 301, 301, 301]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'critical',
    evidence: { thresholdSeconds: 300, datapointsOver: 5 },
  },
  {
    name: 'M of N: 3 of the last 5 over warns',
    metric: lag('orders-ro', [0, 0, 31, 31, 31]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'warning',
    evidence: { datapointsOver: 3, evaluatedDatapoints: 5 },
  },
  { name: 'M of N: 2 of the last 5 over is quiet', metric: lag('orders-ro', [0, 0, 0, 31, 31]), code: 'REPLICA_LAG_HIGH' },
  {
    name: 'M of N counts datapoints, not a consecutive run',
    metric: lag('orders-ro', [31, 0, 31, 0, 31]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'warning',
    evidence: { datapointsOver: 3, evaluatedDatapoints: 5 },
  },
  { name: 'lag older than the last N datapoints does not count', metric: lag('orders-ro', [400, 400, 400, 0, 0, 0, 0, 0]), code: 'REPLICA_LAG_HIGH' },
  {
    name: 'sparse data: fewer than M datapoints, all over, raises the finding',
    metric: lag('orders-ro', [400, 400]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'critical',
    evidence: { datapointsOver: 2, evaluatedDatapoints: 2 },
  },
  { name: 'sparse data: fewer than M datapoints, not all over, is quiet', metric: lag('orders-ro', [400, 0]), code: 'REPLICA_LAG_HIGH' },
  {
    name: 'peak is the largest of the last N datapoints, the current value the newest',
    metric: lag('orders-ro', [400, 350, 320, 310, 305]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'critical',
    evidence: { peakSeconds: 400, lagSeconds: 305 },
  },
  {
    name: '-1 then lag: the -1 is not sustained, the lag datapoint is judged alone',
    metric: lag('orders-ro', [-1, 400]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'critical',
    evidence: { lagSeconds: 400, datapointsOver: 1, evaluatedDatapoints: 1 },
  },
  { name: '-1 then lag: no REPLICATION_BROKEN for one -1 in two datapoints', metric: lag('orders-ro', [-1, 400]), code: 'REPLICATION_BROKEN' },
  {
    name: 'lag then -1: the current lag is unknown, the peak is kept',
    metric: lag('orders-ro', [400, -1]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'critical',
    evidence: { lagSeconds: null, peakSeconds: 400, evaluatedDatapoints: 1 },
  },
  {
    name: '-1 in M of the last N datapoints is broken replication',
    metric: lag('orders-ro', [-1, -1, -1, 400, 400]),
    code: 'REPLICATION_BROKEN',
    severity: 'critical',
    evidence: { minusOneDatapoints: 3, evaluatedDatapoints: 5 },
  },
  {
    name: '-1 in M of N: the lag alert is not raised on top of the break',
    metric: lag('orders-ro', [-1, -1, -1, 400, 400]),
    code: 'REPLICA_LAG_HIGH',
  },
  {
    name: '-1 in fewer than M of N: the remaining lag is judged',
    metric: lag('orders-ro', [-1, -1, 400, 400, 400]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'critical',
    evidence: { datapointsOver: 3, evaluatedDatapoints: 3 },
  },
  {
    name: 'staleness: a newest datapoint N + 3 min old means the replica stopped reporting',
    metric: lagAt('orders-ro', [[12, 400], [11, 400], [10, 400], [9, 400], [8, 400]]),
    code: 'LAG_METRIC_MISSING',
    severity: 'warning',
    evidence: { lastDatapoint: new Date(NOW_MS - 8 * MINUTE).toISOString() },
  },
  {
    name: 'staleness: one minute newer still counts, as the only recent datapoint',
    metric: lagAt('orders-ro', [[11, 400], [10, 400], [9, 400], [8, 400], [7, 400]]),
    code: 'REPLICA_LAG_HIGH',
    severity: 'critical',
    evidence: { datapointsOver: 1, evaluatedDatapoints: 1 },
  },
  {
    name: 'staleness: the recent datapoint keeps LAG_METRIC_MISSING away',
    metric: lagAt('orders-ro', [[11, 400], [10, 400], [9, 400], [8, 400], [7, 400]]),
    code: 'LAG_METRIC_MISSING',
  },
];

describe('health rule boundaries', () => {
  it.each(HEALTH_ROWS)('$name', ({ metric, code, severity, evidence }) => {
    const found = check(pair(metric)).findings.filter((f) => f.code === code && f.resource === 'orders-ro');

    if (severity === undefined) {
      expect(found).toEqual([]);
      return;
    }
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe(severity);
    expect(found[0]!.evidence).toMatchObject(evidence ?? {});
  });
});

/** A DR primary in us-east-1 and its cross-region read replica in us-west-2 reporting `values`. */
function drPair(values: readonly number[]): FleetSnapshot {
  return fleet({
    'us-east-1': { dbInstances: [instance('orders', { ReadReplicaDBInstanceIdentifiers: [instanceArn('us-west-2', 'orders-dr')] })] },
    'us-west-2': {
      dbInstances: [replica('orders-dr', instanceArn('us-east-1', 'orders'))],
      metrics: [lag('orders-dr', values)],
    },
  });
}
const DR: ConfigInput = { dr: { identifiers: ['orders'], rpoSeconds: 60 } };

describe('RPO boundaries', () => {
  it.each([
    { name: 'lag equal to rpoSeconds is within the RPO', values: [60, 60, 60, 60, 60], evidence: undefined, ready: true },
    {
      name: 'one second over rpoSeconds exceeds it',
      values: [61, 61, 61, 61, 61],
      evidence: { rpoSeconds: 60, lagSeconds: 61, datapointsOver: 5, evaluatedDatapoints: 5 },
      ready: false,
    },
    { name: 'M of N applies to the RPO too: 2 of 5 over is within it', values: [0, 0, 0, 61, 61], evidence: undefined, ready: true },
    {
      name: 'sparse data: two datapoints, both over, exceed it',
      values: [61, 90],
      evidence: { datapointsOver: 2, evaluatedDatapoints: 2, peakSeconds: 90, lagSeconds: 90 },
      ready: false,
    },
  ])('$name', ({ values, evidence, ready }) => {
    const report = check(drPair(values), DR);
    const rpo = report.findings.filter((f) => f.code === 'RPO_EXCEEDED');

    if (evidence === undefined) expect(rpo).toEqual([]);
    else {
      expect(rpo).toHaveLength(1);
      expect(rpo[0]).toMatchObject({ resource: 'orders-dr', region: 'us-west-2', severity: 'critical' });
      expect(rpo[0]!.evidence).toMatchObject(evidence);
    }
    expect(report.dr.find((d) => d.primary === 'orders')?.ready).toBe(ready);
  });
});

describe('regions that were not read, or could not be', () => {
  const describeFailed: ReadError = { operation: 'rds:DescribeDBInstances', code: 'ThrottlingException', message: 'Rate exceeded' };

  it('a PostgreSQL replica whose source region was not read is judged on its lag, without the idle explanation', () => {
    const snapshot = fleet({
      'us-west-2': {
        dbInstances: [replica('users-dr', instanceArn('us-east-1', 'users'), { Engine: 'postgres', EngineVersion: '16.4' })],
        metrics: [lag('users-dr', sawtooth({ phaseSeconds: 130 }))],
      },
    });

    const report = check(snapshot);

    const found = report.findings.filter((f) => f.code === 'REPLICA_LAG_HIGH' && f.resource === 'users-dr');
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe('warning');
    expect(found[0]!.evidence).toMatchObject({ idleExplanation: 'not applied' });
    expect(found[0]!.evidence.idleReason).toContain('users');
  });

  it('replicas in a region whose describe failed are unknown, not missing, and the DR verdict is unknown, not "no replica"', () => {
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders', { ReadReplicaDBInstanceIdentifiers: [instanceArn('us-west-2', 'orders-dr')] })] },
      'us-west-2': { errors: [describeFailed] },
    });

    const report = check(snapshot, DR);

    expect(report.replicas.find((r) => r.id === 'orders-dr')).toMatchObject({ region: 'us-west-2', status: 'unknown' });
    const codes = report.findings.map((f) => `${f.code} ${f.region} ${f.resource}`);
    expect(codes).toContain('CHECK_DEGRADED us-west-2 rds:DescribeDBInstances');
    expect(report.findings.find((f) => f.code === 'CHECK_DEGRADED' && f.region === 'us-west-2')?.severity).toBe('critical');
    expect(codes.filter((c) => c.startsWith('LAG_METRIC_MISSING') || c.startsWith('NO_CROSS_REGION_REPLICA'))).toEqual([]);
    expect(report.dr.find((d) => d.primary === 'orders')?.ready).toBe('unknown');
  });

  it('a primary in a region whose describe failed: its replica elsewhere is still judged on its lag', () => {
    const snapshot = fleet({
      'us-east-1': { errors: [describeFailed] },
      'us-west-2': { dbInstances: [replica('orders-dr', instanceArn('us-east-1', 'orders'))], metrics: [lag('orders-dr', [400, 400, 400, 400, 400])] },
    });

    const report = check(snapshot, DR);

    const lagFinding = report.findings.find((f) => f.code === 'REPLICA_LAG_HIGH' && f.resource === 'orders-dr');
    expect(lagFinding).toMatchObject({ severity: 'critical', region: 'us-west-2' });
    expect(lagFinding!.evidence).toMatchObject({ lagSeconds: 400, thresholdSeconds: 300 });
    expect(report.findings.filter((f) => f.code === 'NO_CROSS_REGION_REPLICA')).toEqual([]);
  });
});

describe('idle rule: the source WAL rate is judged on its mean over the window', () => {
  const LIMIT = 447_392; // postgresIdle.maxSourceWalBytesPerSecond (default)
  /** One burst among 15 datapoints: the mean is burst / 15. */
  const wal = (burst: number) => series('TransactionLogsGeneration', { DBInstanceIdentifier: 'users' }, [...Array.from({ length: 14 }, () => 0), burst]);
  const pg = (burst: number) =>
    fleet({
      'us-east-1': {
        dbInstances: [instance('users', { Engine: 'postgres' }), replica('users-ro', 'users', { Engine: 'postgres' })],
        metrics: [lag('users-ro', sawtooth({ phaseSeconds: 130 })), wal(burst)],
      },
    });

  it.each([
    { name: 'one burst whose mean equals the limit: still idle', burst: LIMIT * 15, severity: 'info', applied: 'applied', mean: LIMIT },
    { name: 'one burst whose mean is one byte/s over: not idle, it pages', burst: (LIMIT + 1) * 15, severity: 'warning', applied: 'not applied', mean: LIMIT + 1 },
    { name: 'no WAL at all: idle', burst: 0, severity: 'info', applied: 'applied', mean: 0 },
  ])('$name', ({ burst, severity, applied, mean }) => {
    const [found] = check(pg(burst)).findings.filter((f) => f.code === 'REPLICA_LAG_HIGH');

    expect(found).toMatchObject({ resource: 'users-ro', severity });
    expect(found!.evidence).toMatchObject({ idleExplanation: applied, sourceWalBytesPerSecond: mean });
  });
});

describe('lifecycle boundaries', () => {
  const open = finding({ code: 'REPLICA_LAG_HIGH', severity: 'critical', resource: 'orders-ro', region: 'us-east-1' });
  const state = (lastNotifiedAt: string, fields: Partial<AlertState> = {}): AlertState => ({
    scope: 'health',
    key: findingKey(open),
    code: open.code,
    severity: open.severity,
    region: open.region,
    resource: open.resource,
    status: 'open',
    message: open.message,
    openedAt: lastNotifiedAt,
    lastNotifiedAt,
    version: 3,
    dependsOn: ['us-east-1'],
    ...fields,
  });
  const plan = (previous: AlertState[], findings = [open], fields: { now?: Date; held?: string[]; minSeverity?: Severity } = {}) =>
    planTransitions({
      scope: 'health',
      previous,
      findings,
      now: fields.now ?? new Date(NOW_MS),
      reminderHours: 4,
      minSeverity: fields.minSeverity ?? 'warning',
      heldRegions: new Set(fields.held ?? []),
      regionsRead: ['us-east-1'],
    });
  const at = (msBefore: number) => new Date(NOW_MS - msBefore).toISOString();

  it.each([
    { name: 'exactly reminderHours since the last notice: a reminder', since: 4 * 3_600_000, kinds: ['reminder'] },
    { name: 'one millisecond short of reminderHours: nothing', since: 4 * 3_600_000 - 1, kinds: [] },
  ])('$name', ({ since, kinds }) => {
    const result = plan([state(at(since))]);

    expect(result.transitions.map((t) => t.kind)).toEqual(kinds);
    expect(result.transitions.map((t) => [t.key, t.next.lastNotifiedAt, t.next.version])).toEqual(
      kinds.map(() => [findingKey(open), new Date(NOW_MS).toISOString(), 4]),
    );
    expect(result.open.map((s) => s.key)).toEqual([findingKey(open)]);
  });

  it.each([
    { name: 'a finding gone while its region read cleanly resolves', held: [], kinds: ['resolved'], open: 0 },
    { name: 'a finding gone while its region could not be read is held open', held: ['us-east-1'], kinds: [], open: 1 },
    { name: 'a failed read in another region does not hold it', held: ['eu-west-1'], kinds: ['resolved'], open: 0 },
  ])('$name', ({ held, kinds, open: stillOpen }) => {
    const result = plan([state(at(60_000))], [], { held });

    expect(result.transitions.map((t) => t.kind)).toEqual(kinds);
    expect(result.open).toHaveLength(stillOpen);
  });

  it.each([
    { name: 'a finding at minSeverity opens an alert', severity: 'warning' as const, kinds: ['opened'] },
    { name: 'a finding below minSeverity opens none', severity: 'info' as const, kinds: [] },
  ])('$name', ({ severity, kinds }) => {
    const result = plan([], [{ ...open, severity }]);

    expect(result.transitions.map((t) => t.kind)).toEqual(kinds);
  });
});
