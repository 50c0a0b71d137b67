/**
 * How the lag rules read a series: the window's edges, when a streak began, and which replicas
 * the idle-source explanation may apply to. Asserted on evidence and severities.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { FleetSnapshot, MetricSeries } from '../../../../lambdas/core/fleet/model';
import { sawtooth } from '../../../support/curves';
import { cluster, fleet, instance, lag, NOW_MS, replica, series } from '../../../support/fleet';

const MiB = 1024 ** 2;
const check = (snapshot: FleetSnapshot, config: ConfigInput = {}) => evaluate(snapshot, { config: parseConfig(config), scope: 'health' });
const at = (minutesFromNow: number) => new Date(NOW_MS + minutesFromNow * 60_000).toISOString();

/** ReplicaLag of `orders-ro` at the given minutes from now (negative: past). */
const lagAt = (points: ReadonlyArray<readonly [number, number]>): MetricSeries => ({
  ...lag('orders-ro', []),
  timestamps: points.map(([minute]) => at(minute)),
  values: points.map(([, value]) => value),
});

const pair = (metrics: MetricSeries[]) =>
  fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics } });

describe('the lag window (15 min by default)', () => {
  it('ignores datapoints older than the window: the replica reported nothing in it', () => {
    // Prepare
    const snapshot = pair([lagAt([[-20, 1], [-18, 1], [-16, 1]])]);

    // Act
    const report = check(snapshot);

    // Assess
    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.resource}`)).toEqual(['LAG_METRIC_MISSING:warning:orders-ro']);
    expect(report.findings[0]!.evidence).toMatchObject({ lastDatapoint: null, windowMinutes: 15 });
  });

  it('leaves out a datapoint exactly at the window\'s start', () => {
    // Prepare: over the critical threshold every minute from 15 min ago to now.
    const snapshot = pair([lagAt(Array.from({ length: 16 }, (_, i) => [i - 15, 400] as const))]);

    // Act
    const [finding] = check(snapshot).findings;

    // Assess
    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'critical' });
    expect(finding!.evidence.since).toBe(at(-14));
  });

  it.each([
    ['a datapoint one minute ahead of the clock counts', [[-2, 10], [-1, 10], [0, 10], [1, 20]], 20],
    ['a datapoint two minutes ahead does not', [[-2, 10], [-1, 10], [0, 10], [2, 20]], 10],
  ] as const)('%s', (_, points, latest) => {
    const report = check(pair([lagAt(points)]));

    expect(report.findings).toEqual([]);
    expect(report.replicas[0]).toMatchObject({ id: 'orders-ro', lagSeconds: latest, status: 'healthy' });
  });
});

describe('when a lag streak began', () => {
  it.each([
    ['lag that has eased since', [400, 400, 400, 10, 10], {}, 'critical', -4],
    ['a single spike counted with datapointsToAlarm 1', [10, 10, 400, 10, 10], { lag: { datapointsToAlarm: 1 } }, 'critical', -2],
    ['a spike at the window\'s first datapoint', [400, 10, 10], { lag: { datapointsToAlarm: 1 } }, 'critical', -2],
    // A lone -1 is a gap in the series, not a datapoint under the threshold.
    ['lag with a -1 blip inside the streak', [400, -1, 400, 400, 400], {}, 'critical', -4],
  ] as const)('is the start of the latest streak over the threshold, for %s', (_, values, config, severity, minute) => {
    // Act
    const [finding] = check(pair([lag('orders-ro', values)]), config).findings;

    // Assess
    expect(`${finding!.code}:${finding!.severity}`).toBe(`REPLICA_LAG_HIGH:${severity}`);
    expect(finding!.evidence.since).toBe(at(minute));
  });
});

describe('which replicas the idle PostgreSQL source explanation applies to', () => {
  const IDLE_WAL = series('TransactionLogsGeneration', { DBInstanceIdentifier: 'users' }, [0, 0, 0, 41_000, 0, 0, 0, 0, 38_500, 0, 0, 0, 0, 40_200, 0]);
  const slot = (bytes: readonly number[]) => series('OldestReplicationSlotLag', { DBInstanceIdentifier: 'users' }, bytes);
  const pgPair = (source: MetricSeries[]) =>
    fleet({
      'us-east-1': {
        dbInstances: [instance('users', { Engine: 'postgres' }), replica('users-ro', 'users', { Engine: 'postgres' })],
        metrics: [lag('users-ro', sawtooth({ phaseSeconds: 130 })), ...source],
      },
    });
  const lagFinding = (snapshot: FleetSnapshot) => {
    const found = check(snapshot).findings.filter((f) => f.code === 'REPLICA_LAG_HIGH');
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('is applied for an RDS for PostgreSQL replica of an idle source', () => {
    const finding = lagFinding(pgPair([IDLE_WAL, slot(Array.from({ length: 15 }, () => 64 * MiB))]));

    expect(finding.severity).toBe('info');
    expect(finding.evidence).toMatchObject({ idleExplanation: 'applied', sourceSlotLagBytes: 64 * MiB });
  });

  it('is applied with the source slot exactly at its limit (128 MiB): over means more than', () => {
    const finding = lagFinding(pgPair([IDLE_WAL, slot(Array.from({ length: 15 }, () => 128 * MiB))]));

    expect(finding.severity).toBe('info');
    expect(finding.evidence).toMatchObject({ idleExplanation: 'applied', sourceSlotLagBytes: 128 * MiB });
  });

  it('is not applied when the source slot peaked over its limit once in the window', () => {
    const bytes = Array.from({ length: 15 }, (_, i) => (i === 7 ? 200 * MiB : 64 * MiB));

    const finding = lagFinding(pgPair([IDLE_WAL, slot(bytes)]));

    expect(finding.severity).toBe('warning');
    expect(finding.evidence).toMatchObject({ idleExplanation: 'not applied', sourceSlotLagBytes: 200 * MiB });
  });

  it('is not applied for a replica of a replica: the intermediate writes no WAL of its own', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('users', { Engine: 'postgres' }),
          replica('users-ro', 'users', { Engine: 'postgres' }),
          replica('users-ro2', 'users-ro', { Engine: 'postgres' }),
        ],
        metrics: [lag('users-ro', [0, 0, 0, 0, 0]), lag('users-ro2', sawtooth({ phaseSeconds: 130 }))],
      },
    });

    const finding = lagFinding(snapshot);

    expect(`${finding.severity}:${finding.resource}`).toBe('warning:users-ro2');
    expect(finding.evidence.idleExplanation).toBe('not applied');
  });

  it.each([
    [
      'an RDS for MySQL replica',
      fleet({ 'us-east-1': { dbInstances: [instance('users'), replica('users-ro', 'users')], metrics: [lag('users-ro', sawtooth({ phaseSeconds: 130 }))] } }),
    ],
    [
      'a Multi-AZ DB cluster reader on PostgreSQL',
      fleet({
        'us-east-1': {
          dbClusters: [cluster('users', { 'users-1': true, 'users-ro': false }, { Engine: 'postgres' })],
          dbInstances: ['users-1', 'users-ro'].map((id) => instance(id, { Engine: 'postgres', DBClusterIdentifier: 'users' })),
          metrics: [lag('users-ro', sawtooth({ phaseSeconds: 130 }))],
        },
      }),
    ],
  ])('does not apply to %s: the lag pages as usual', (_, snapshot) => {
    const finding = lagFinding(snapshot);

    expect(`${finding.severity}:${finding.resource}`).toBe('warning:users-ro');
    expect(finding.evidence.idleExplanation).toBeUndefined();
  });
});
