import { describe, expect, it } from 'vitest';
import { planTransitions, type AlertState } from '../../../lambdas/core/outputs/alert-lifecycle';
import { readLevelAt, resolveCadence, runsPerDay } from '../../../lambdas/core/fleet/cadence';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../../../lambdas/core/config';
import { PRICES, estimateMonthlyCost } from '../../../lambdas/core/outputs/cost';
import { syntheticFleet, syntheticFleetUsage, type FleetMix } from '../../../lambdas/core/outputs/cost-fleet';
import { NOT_EVALUATED, evaluate } from '../../../lambdas/core/rules/evaluate';
import { buildMetrics } from '../../../lambdas/core/outputs/metrics';
import { MetricIndex, planLagFallbacks, planMetricQueries } from '../../../lambdas/core/fleet/metric-plan';
import { buildTopology } from '../../../lambdas/core/fleet/topology';
import { NOW, fleet, instance, lag, replica, series } from '../../support/fleet';

const MINUTE = 60_000;
const DAY = 1440;

describe('the default profile\'s price per replica-month', () => {
  it.each<FleetMix>(['mysql', 'postgres', 'global'])('reads lag for 1,000 replicas of the %s mix for under $0.10 a replica, as the reader really asks', (mix) => {
    // Prepare: the planner's queries for each run of a simulated day of the default schedule.
    const cadence = resolveCadence(DEFAULT_CONFIG.schedule);
    const topology = buildTopology(syntheticFleet(mix, 1000, DEFAULT_CONFIG.regions));
    let perDay = 0;
    for (let minute = 0; minute < DAY; minute += cadence.statusEveryMinutes) {
      perDay += planMetricQueries(topology, readLevelAt(cadence, minute * MINUTE)).length;
    }

    // Act
    const estimate = estimateMonthlyCost({ config: DEFAULT_CONFIG, fleet: syntheticFleetUsage(mix, 1000, DEFAULT_CONFIG.regions) });

    // Assess: the bill's metric line is the simulated day's queries, and the whole bill fits.
    expect(perDay * 30 * PRICES.getMetricDataPerMetric).toBeLessThanOrEqual(0.1 * 1000);
    expect(estimate.lines.find((l) => l.item.startsWith('GetMetricData'))!.quantity).toBe(perDay * 30);
    expect(estimate.detection).toMatchObject({ brokenMinutes: 1, lagOverCriticalMinutes: 5, rpoMinutes: 5, detailMinutes: 720 });
  });

  const wholeBill = (mix: FleetMix) =>
    estimateMonthlyCost({ config: DEFAULT_CONFIG, fleet: syntheticFleetUsage(mix, 1000, DEFAULT_CONFIG.regions) }).perReplicaMonthUsd!;

  // Headroom under the $0.10 target, so that a small addition to the bill does not tip a mix over it.
  it.each<FleetMix>(['mysql', 'postgres', 'aurora', 'global', 'mixed'])('fits the whole bill of 1,000 replicas of the %s mix in $0.099 a replica', (mix) => {
    expect(wholeBill(mix)).toBeLessThanOrEqual(0.099);
  });

  it('the fast profile reads everything every minute and costs over four times as much', () => {
    const fast = parseConfig({ schedule: { profile: 'fast' } });

    const standard = estimateMonthlyCost({ config: DEFAULT_CONFIG, fleet: syntheticFleetUsage('mysql', 1000, DEFAULT_CONFIG.regions) });
    const quick = estimateMonthlyCost({ config: fast, fleet: syntheticFleetUsage('mysql', 1000, fast.regions) });

    expect(runsPerDay(resolveCadence(fast.schedule))).toEqual({ status: 0, lag: 0, full: 1440 });
    expect(quick.perReplicaMonthUsd!).toBeGreaterThan(4 * standard.getMetricDataPerReplicaMonthUsd!);
    expect(quick.detection).toMatchObject({ brokenMinutes: 1, lagOverCriticalMinutes: 1 });
  });
});

describe('readLevelAt', () => {
  it('reads lag once in every 5 minutes and everything twice a day by default', () => {
    const cadence = resolveCadence(DEFAULT_CONFIG.schedule);

    expect(cadence).toMatchObject({ profile: 'standard', statusEveryMinutes: 1, lagEveryMinutes: 5, detailEveryMinutes: 720 });
    expect(runsPerDay(cadence)).toEqual({ status: 1152, lag: 286, full: 2 });
    // Runs fire seconds into a minute: the level follows the minute, whatever the second.
    expect(readLevelAt(cadence, Date.parse('2026-11-24T10:05:37Z'))).toBe('lag');
    expect(readLevelAt(cadence, Date.parse('2026-11-24T10:06:02Z'))).toBe('status');
    expect(readLevelAt(cadence, Date.parse('2026-11-24T12:00:09Z'))).toBe('full');
  });

  it('puts one lag read in each slot when runs are less frequent than every minute', () => {
    const cadence = resolveCadence(parseConfig({ schedule: { checkRateMinutes: 2, profile: 'standard' } }).schedule);

    // 5 is not a multiple of 2: the next multiple that divides a day.
    expect(cadence.lagEveryMinutes).toBe(6);
    expect(runsPerDay(cadence).lag + runsPerDay(cadence).full).toBe(DAY / 6);
  });

  it('rejects explicit cadences that cannot line up with the runs, naming the field', () => {
    expect(() => parseConfig({ schedule: { checkRateMinutes: 2, lagEveryMinutes: 5 } })).toThrow(ConfigError);
    expect(() => parseConfig({ schedule: { checkRateMinutes: 2, lagEveryMinutes: 5 } })).toThrow(/schedule\.lagEveryMinutes/);
    expect(() => parseConfig({ schedule: { lagEveryMinutes: 5, detailEveryMinutes: 7 } })).toThrow(/schedule\.detailEveryMinutes/);
    expect(() => parseConfig({ schedule: { checkRateMinutes: 7, lagEveryMinutes: 7 } })).toThrow(/divides a day/);
  });
});

describe('a run that did not read lag', () => {
  const config = DEFAULT_CONFIG;
  /** A replica that lagged 10 minutes ago; no series read this run. */
  const unread = (statusInfos = [{ StatusType: 'read replication', Normal: true, Status: 'replicating' }]) =>
    fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders', { StatusInfos: statusInfos })], metrics: [] } });
  const openLagAlert: AlertState = {
    scope: 'health',
    key: 'REPLICA_LAG_HIGH|us-east-1|orders-ro',
    code: 'REPLICA_LAG_HIGH',
    severity: 'critical',
    region: 'us-east-1',
    resource: 'orders-ro',
    status: 'open',
    message: 'lagging',
    openedAt: '2026-11-24T09:50:00Z',
    lastNotifiedAt: '2026-11-24T09:50:00Z',
    version: 1,
    dependsOn: ['us-east-1'],
  };
  const plan = (reads: 'status' | 'full') => {
    const report = evaluate(unread(), { config, scope: 'health', reads });
    return {
      report,
      plan: planTransitions({
        scope: 'health',
        previous: [openLagAlert],
        findings: report.findings,
        now: new Date(NOW),
        reminderHours: 4,
        minSeverity: 'warning',
        notEvaluated: new Set(NOT_EVALUATED[reads]),
        regionsRead: ['us-east-1'],
      }),
    };
  };

  it('neither resolves the open lag alert nor raises LAG_METRIC_MISSING', () => {
    const { report, plan: status } = plan('status');

    expect(report.findings).toEqual([]);
    expect(report.replicas[0]).toMatchObject({ id: 'orders-ro', status: 'unknown', lagSeconds: null });
    expect(status.transitions).toEqual([]);
    expect(status.open.map((s) => s.key)).toEqual([openLagAlert.key]);
  });

  it('(a full read of the same empty series does both: what the status run must not do)', () => {
    const { report, plan: full } = plan('full');

    expect(report.findings.map((f) => f.code)).toEqual(['LAG_METRIC_MISSING']);
    expect(full.transitions.map((t) => [t.kind, t.key])).toContainEqual(['resolved', openLagAlert.key]);
  });

  it('publishes only its heartbeat and duration, not lag counts of zero', () => {
    const report = evaluate(unread(), { config, scope: 'health', reads: 'status' });

    const datums = buildMetrics({ report, scope: 'health', config, durationMs: 10, degraded: false, reads: 'status' });

    expect(datums.map((d) => d.MetricName).sort()).toEqual(['CheckDurationMs', 'Heartbeat'].sort());
  });
});

describe('an alert a lag read could not judge', () => {
  const rpoAlert = (resource: string): AlertState => ({
    scope: 'health',
    key: `RPO_EXCEEDED/eu-west-1/${resource}`,
    code: 'RPO_EXCEEDED',
    severity: 'critical',
    region: 'eu-west-1',
    resource,
    status: 'open',
    message: 'over the RPO',
    openedAt: '2026-11-24T09:00:00Z',
    lastNotifiedAt: '2026-11-24T09:00:00Z',
    version: 1,
    dependsOn: ['eu-west-1'],
  });

  it('is held by its key while the alerts the read did judge resolve', () => {
    // Prepare: neither finding came back; only the global secondary's RPO was not read.
    const judged = rpoAlert('orders-dr');
    const unread = rpoAlert('payments-euw1');

    // Act
    const plan = planTransitions({
      scope: 'health',
      previous: [judged, unread],
      findings: [],
      now: new Date(NOW),
      reminderHours: 4,
      minSeverity: 'warning',
      notEvaluated: new Set(NOT_EVALUATED.lag),
      notEvaluatedKeys: new Set([unread.key]),
      regionsRead: ['us-east-1', 'eu-west-1'],
    });

    // Assess
    expect(plan.transitions.map((t) => [t.kind, t.key])).toEqual([['resolved', judged.key]]);
    expect(plan.open.map((a) => a.key)).toEqual([unread.key]);
  });
});

describe('broken replication on a status run', () => {
  it('is reported from StatusInfos without reading any metric', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders'),
          replica('orders-ro', 'orders', {
            StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error', Message: 'Error 1062 Duplicate entry' }],
          }),
        ],
      },
    });
    expect(planMetricQueries(buildTopology(snapshot), 'status')).toEqual([]);

    const report = evaluate(snapshot, { config: DEFAULT_CONFIG, scope: 'health', reads: 'status' });

    expect(report.findings.map((f) => [f.code, f.severity, f.resource])).toEqual([['REPLICATION_BROKEN', 'critical', 'orders-ro']]);
    expect(report.replicas[0]!.status).toBe('broken');
  });

  it('a lag run reads one series per replica and judges lag on it', () => {
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics: [lag('orders-ro', [900, 900, 900, 900, 900])] },
    });

    const report = evaluate(snapshot, { config: DEFAULT_CONFIG, scope: 'health', reads: 'lag' });

    expect(planMetricQueries(buildTopology(snapshot), 'lag').map((q) => q.metricName)).toEqual(['ReplicaLag']);
    expect(report.findings.map((f) => [f.code, f.severity])).toEqual([['REPLICA_LAG_HIGH', 'critical']]);
  });
});

describe('a lag read of a replica whose preferred series is empty', () => {
  const snapshot = syntheticFleet('global', 2, ['us-east-1', 'us-west-2']);
  const topology = buildTopology(snapshot);
  const secondary = topology.replicas.find((r) => r.kind === 'aurora-global-secondary')!;
  const reader = topology.replicas.find((r) => r.kind === 'aurora-reader')!;

  it('asks for the rest of its lag series in a second pass, and only for it', () => {
    const readerLag = series('AuroraReplicaLag', { DBInstanceIdentifier: reader.id }, [5, 5, 5]);
    const firstPass = { ...snapshot, regions: { [reader.region]: { metrics: [readerLag] } } };

    const fallbacks = planLagFallbacks(topology, new MetricIndex(firstPass));

    expect(fallbacks.length).toBeGreaterThan(0);
    expect(new Set(fallbacks.map((q) => q.dimensions.DBClusterIdentifier))).toEqual(new Set([secondary.id]));
    expect(fallbacks.map((q) => q.metricName)).toContain('AuroraGlobalDBReplicationLag');
  });

  it('asks for nothing more when every preferred series has data', () => {
    const firstPass = {
      ...snapshot,
      regions: {
        [reader.region]: { metrics: [series('AuroraReplicaLag', { DBInstanceIdentifier: reader.id }, [5])] },
        [secondary.region]: {
          metrics: [series('AuroraGlobalDBProgressLag', { DBClusterIdentifier: secondary.id, SourceRegion: secondary.sourceRegion }, [5])],
        },
      },
    };

    expect(planLagFallbacks(topology, new MetricIndex(firstPass))).toEqual([]);
  });
});
