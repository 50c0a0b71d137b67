import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseConfig, type ConfigInput } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import { analyseIdleSawtooth } from '../../../../lambdas/core/rules/health/idle-sawtooth';
import type { FleetSnapshot, MetricSeries } from '../../../../lambdas/core/fleet/model';
import { parseSnapshotText } from '../../../../lambdas/core/fleet/snapshot';
import { ramp, sawtooth } from '../../../support/curves';
import { fleet, instance, instanceArn, lag, replica, series } from '../../../support/fleet';

const check = (snapshot: FleetSnapshot, config: ConfigInput = {}) =>
  evaluate(snapshot, { config: parseConfig(config), scope: 'health' });

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/**
 * What an idle RDS for PostgreSQL source writes: RDS's own heartbeat and the WAL segment switch
 * every 5 minutes, a few KB/s on average (already above the 1 KB/s some tools assume), with the
 * replica's physical slot caught up.
 */
const IDLE_SOURCE = [
  series('TransactionLogsGeneration', { DBInstanceIdentifier: 'users' }, [0, 0, 0, 41_000, 0, 0, 0, 0, 38_500, 0, 0, 0, 0, 40_200, 0]),
  series('OldestReplicationSlotLag', { DBInstanceIdentifier: 'users' }, Array.from({ length: 15 }, () => 64 * MiB)),
];

function pgPair(values: readonly number[], source: readonly MetricSeries[] = IDLE_SOURCE): FleetSnapshot {
  return fleet({
    'us-east-1': {
      dbInstances: [instance('users', { Engine: 'postgres' }), replica('users-ro', 'users', { Engine: 'postgres' })],
      metrics: [lag('users-ro', values), ...source],
    },
  });
}

const paging = (snapshot: FleetSnapshot, config: ConfigInput = {}) =>
  check(snapshot, config).findings.filter((f) => f.severity !== 'info');

describe('idle PostgreSQL source: the lag sawtooth', () => {
  it.each([0, 45, 130, 210, 299])('does not page for an idle source whose sawtooth starts %i s into its cycle', (phaseSeconds) => {
    // Prepare
    const snapshot = pgPair(sawtooth({ phaseSeconds }));

    // Act
    const report = check(snapshot);

    // Assess
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.replicas[0]).toMatchObject({ id: 'users-ro', status: 'healthy' });
  });

  it('says in the evidence that the idle explanation was applied, and why', () => {
    const [finding] = check(pgPair(sawtooth({ phaseSeconds: 130 }))).findings;

    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'info', resource: 'users-ro' });
    expect(finding!.evidence).toMatchObject({
      idleExplanation: 'applied',
      idleCapSeconds: 330,
      lagResets: 3,
      sourceSlotLagBytes: 64 * MiB,
    });
    expect(finding!.evidence.lagSlope).toBeCloseTo(1, 1);
    expect(finding!.evidence.sourceWalBytesPerSecond).toBeGreaterThan(1024);
    expect(String(finding!.evidence.idleReason)).toContain('started over 3 time(s)');
  });

  it('tolerates real-ish jitter on each datapoint', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const report = check(pgPair(sawtooth({ phaseSeconds: 90, jitterSeconds: 6, seed })));
      expect(report.findings.map((f) => f.severity)).not.toContain('warning');
      expect(report.findings.map((f) => f.severity)).not.toContain('critical');
    }
  });

  it('pages a stuck replica: no reset, lag grows with the clock past the cap', () => {
    const report = check(pgPair(ramp(100, 1)));

    const [finding] = report.findings;
    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'critical', resource: 'users-ro' });
    expect(finding!.evidence).toMatchObject({ idleExplanation: 'not applied', peakSeconds: 940 });
    expect(report.replicas[0]!.status).toBe('lagging');
  });

  it('pages a replica falling behind a busy source: lag grows slower than the clock and never resets', () => {
    const [finding] = paging(pgPair(ramp(40, 0.25)));

    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'warning' });
    expect(finding!.evidence).toMatchObject({ idleExplanation: 'not applied', lagResets: 0 });
  });

  it('pages lag that climbs faster than the clock, even when it drops back', () => {
    const [finding] = paging(pgPair(sawtooth({ rate: 1.5, periodSeconds: 200 })));

    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'warning' });
    expect(finding!.evidence.idleExplanation).toBe('not applied');
  });

  it('pages lag that hovers instead of climbing with the clock', () => {
    const [finding] = paging(pgPair([200, 210, 195, 205, 200, 190, 210, 200, 205, 195, 200, 210, 205, 200, 195]));

    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'warning' });
    expect(finding!.evidence.idleExplanation).toBe('not applied');
  });

  it('does not excuse a clock-rate sawtooth when the source writes far more WAL than an idle one', () => {
    const busy = [series('TransactionLogsGeneration', { DBInstanceIdentifier: 'users' }, Array.from({ length: 15 }, () => 5 * MiB))];

    const [finding] = paging(pgPair(sawtooth({ phaseSeconds: 130 }), busy));

    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'warning' });
    expect(finding!.evidence).toMatchObject({ idleExplanation: 'not applied', sourceWalBytesPerSecond: 5 * MiB });
  });

  it('does not excuse it when WAL is piling up behind a replication slot on the source', () => {
    const held = [series('OldestReplicationSlotLag', { DBInstanceIdentifier: 'users' }, Array.from({ length: 15 }, () => 2 * GiB))];

    const [finding] = paging(pgPair(sawtooth({ phaseSeconds: 130 }), held));

    expect(finding!.evidence).toMatchObject({ idleExplanation: 'not applied', sourceSlotLagBytes: 2 * GiB });
  });

  it('decides on the curve alone when no source metric was read, and says so', () => {
    const [finding] = check(pgPair(sawtooth({ phaseSeconds: 130 }), [])).findings;

    expect(finding).toMatchObject({ severity: 'info' });
    expect(finding!.evidence).toMatchObject({ idleExplanation: 'applied', sourceWalBytesPerSecond: null, sourceSlotLagBytes: null });
  });
});

describe('idle PostgreSQL source: DR replicas and the RPO', () => {
  const DR_TAG = [{ Key: 'replguard:dr', Value: 'required' }];
  const drPair = (values: readonly number[]) =>
    fleet({
      'us-east-1': {
        dbInstances: [
          instance('users', {
            Engine: 'postgres',
            TagList: DR_TAG,
            ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'users-dr')],
          }),
        ],
        metrics: IDLE_SOURCE,
      },
      'eu-west-1': {
        dbInstances: [replica('users-dr', instanceArn('us-east-1', 'users'), { Engine: 'postgres' })],
        metrics: [lag('users-dr', values)],
      },
    });

  it('does not raise RPO_EXCEEDED at the default 60 s RPO for the idle sawtooth', () => {
    const report = check(drPair(sawtooth({ phaseSeconds: 200 })));

    expect(report.findings.filter((f) => f.code === 'RPO_EXCEEDED')).toEqual([]);
    expect(report.dr[0]).toMatchObject({ primary: 'users', ready: true });
  });

  it('raises RPO_EXCEEDED for a stuck DR replica, saying why the idle explanation did not apply', () => {
    const report = check(drPair(ramp(100, 1)));

    const rpo = report.findings.find((f) => f.code === 'RPO_EXCEEDED');
    expect(rpo).toMatchObject({ severity: 'critical', resource: 'users-dr' });
    expect(rpo!.evidence).toMatchObject({ idleExplanation: 'not applied' });
    expect(String(rpo!.evidence.idleReason)).toContain('past the 330 s');
  });
});

describe('analyseIdleSawtooth', () => {
  const at = (values: readonly number[]) =>
    values.map((value, i) => ({ timestamp: new Date(Date.UTC(2026, 10, 24, 9, 46 + i)).toISOString(), value }));

  it.each([
    ['idle, reset mid-window', sawtooth({ phaseSeconds: 250 }), true],
    ['idle, one climb inside a cycle', sawtooth({ minutes: 4, phaseSeconds: 10 }), true],
    ['stuck past the cap', ramp(200, 1), false],
    ['slower than the clock', ramp(0, 0.5), false],
    ['faster than the clock', ramp(0, 2, 3), false],
    ['drops to a value the clock cannot explain', [100, 160, 220, 150, 210], false],
    ['flat', [120, 120, 120, 120], false],
  ] as const)('%s', (_, values, idle) => {
    expect(analyseIdleSawtooth(at(values), 330).idle).toBe(idle);
  });

  it('measures the slope in seconds of lag per second of clock', () => {
    const verdict = analyseIdleSawtooth(at(sawtooth({ phaseSeconds: 0 })), 330);
    expect(verdict).toMatchObject({ idle: true, slope: 1, resets: 2, peakSeconds: 240 });
  });

  it('handles a missing datapoint: the lag climbs by the whole gap', () => {
    const samples = at([60, 120, 180, 240]).filter((_, i) => i !== 2);
    expect(analyseIdleSawtooth(samples, 330).idle).toBe(true);
  });
});

describe('the demo fleet\'s idle PostgreSQL replica', () => {
  it('is healthy, with the idle explanation and its reasons in the evidence', () => {
    const demo = parseSnapshotText(readFileSync('examples/demo-fleet.json', 'utf8'), 'examples/demo-fleet.json');

    const report = evaluate(demo, { config: DEFAULT_CONFIG, scope: 'health' });

    const about = report.findings.filter((f) => f.resource === 'users-pg-ro-1');
    expect(about.map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICA_LAG_HIGH:info']);
    expect(about[0]!.evidence).toMatchObject({ idleExplanation: 'applied', lagResets: 3 });
    expect(report.replicas.find((r) => r.id === 'users-pg-ro-1')!.status).toBe('healthy');
  });
});
