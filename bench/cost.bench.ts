/**
 * What the default config costs per replica-month for 1,000-replica fleets of each mix, priced
 * from the GetMetricData metrics the live reader really requests over a simulated day of the
 * schedule (counted on the wire of mocked AWS clients), checked against the planner `replguard
 * cost` prices from; and how long the default schedule takes to see a replica that starts lagging
 * and one that breaks, by running the real rules minute by minute.
 *
 * The reader is driven once per read level a mix meets in the day (status, lag, full) and its
 * count multiplied by the runs of that level: a fixed fleet gets the same queries at the same level.
 */
import { GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type { DBCluster, DBInstance, GlobalCluster } from '@aws-sdk/client-rds';
import { LiveFleetReader } from '../lambdas/aws/live-reader';
import { lowestLagThresholdSeconds, parseConfig } from '../lambdas/core/config';
import { READ_LEVELS, readLevelAt, resolveCadence, type ReadLevel } from '../lambdas/core/fleet/cadence';
import { estimateMonthlyCost } from '../lambdas/core/outputs/cost';
import { evaluate } from '../lambdas/core/rules/evaluate';
import { MetricIndex, planFollowUps } from '../lambdas/core/fleet/metric-plan';
import { buildTopology } from '../lambdas/core/fleet/topology';
import { planFleetUsage, syntheticFleet, type FleetMix } from '../lambdas/core/outputs/cost-fleet';
import type { FleetSnapshot, MetricSeries } from '../lambdas/core/fleet/model';
import type { Fleet } from './support/fleet';
import { mockAws } from './support/mock-aws';
import type { Benchmark, BenchContext, BenchValue } from './types';

const REPLICAS = 1000;
const MIXES: readonly FleetMix[] = ['mysql', 'postgres', 'aurora', 'global', 'mixed'];
const DAY_MINUTES = 1440;
const TARGETS = { usdPerReplicaMonth: 0.1, brokenMinutes: 2, lagOverCriticalMinutes: 5 };

/** The synthetic snapshot in the SDK's response shapes, for the mocked describe calls. */
function asSdkFleet(snapshot: FleetSnapshot): Fleet {
  const fleet: Fleet = {};
  for (const [region, data] of Object.entries(snapshot.regions)) {
    fleet[region] = {
      instances: (data.dbInstances ?? []) as unknown as DBInstance[],
      clusters: (data.dbClusters ?? []) as unknown as DBCluster[],
      globalClusters: (data.globalClusters ?? []) as unknown as GlobalCluster[],
      dbParameters: {},
      clusterParameters: {},
    };
  }
  return fleet;
}

/**
 * Metrics the reader requests on one run of a level, and the second request's share: the mocked
 * CloudWatch answers every series, with one replica in 50 lagging, so PostgreSQL sources of those
 * get their WAL rate read as in production.
 */
async function metricsRequestedByReader(
  snapshot: FleetSnapshot,
  metricLevel: ReadLevel,
  walAboveSeconds: number,
): Promise<{ requested: number; followUps: number }> {
  const aws = mockAws(asSdkFleet(snapshot), 0);
  try {
    const read = await new LiveFleetReader({
      regions: Object.keys(snapshot.regions),
      windowMinutes: 15,
      metricLevel,
      walAboveSeconds,
      clients: (region) => aws.clients(region),
    }).read();
    let requested = 0;
    for (const mocked of Object.values(aws.regions)) {
      for (const call of mocked.cloudwatch.commandCalls(GetMetricDataCommand)) {
        requested += ((call.args[0].input as GetMetricDataCommandInput).MetricDataQueries ?? []).length;
      }
    }
    const followUps = planFollowUps(buildTopology(read), new MetricIndex(read), { level: metricLevel, walAboveSeconds }).length;
    return { requested, followUps };
  } finally {
    aws.restore();
  }
}

/** One-minute lag datapoints over `minutes` before `at`, `over` seconds from `from` on, published a minute late. */
function lagSeries(id: string, at: number, from: number, over: number): MetricSeries {
  const timestamps: string[] = [];
  const values: number[] = [];
  for (let t = at - 15 * 60_000; t <= at - 60_000; t += 60_000) {
    timestamps.push(new Date(t).toISOString());
    values.push(t >= from ? over : 1);
  }
  return { namespace: 'AWS/RDS', metricName: 'ReplicaLag', dimensions: { DBInstanceIdentifier: id }, stat: 'Maximum', period: 60, timestamps, values };
}

/**
 * Minutes from the fault to the first scheduled run whose report shows it, for a fault starting at
 * each second-offset minute of an hour; the worst and the mean.
 */
function simulatedDetection(config: ReturnType<typeof parseConfig>, fault: 'lag' | 'broken'): number[] {
  const cadence = resolveCadence(config.schedule);
  const day = Date.parse('2026-11-24T00:00:00Z');
  const delays: number[] = [];
  for (let start = 0; start < 60; start++) {
    const faultAt = day + (start + 0.5) * 60_000 + 10 * 60 * 60_000;
    // The schedule runs at second 20 of every statusEveryMinutes minute.
    for (let run = Math.ceil((faultAt - day) / 60_000); ; run += 1) {
      if (run % cadence.statusEveryMinutes !== 0) continue;
      const at = day + run * 60_000 + 20_000;
      if (at < faultAt) continue;
      const reads = readLevelAt(cadence, at);
      const broken = fault === 'broken';
      const snapshot: FleetSnapshot = {
        format: 'replguard-snapshot/v1',
        capturedAt: new Date(at).toISOString(),
        regions: {
          'us-east-1': {
            dbInstances: [
              { DBInstanceIdentifier: 'orders', Engine: 'mysql', DBInstanceStatus: 'available', ReadReplicaDBInstanceIdentifiers: ['orders-ro'] },
              {
                DBInstanceIdentifier: 'orders-ro',
                Engine: 'mysql',
                DBInstanceStatus: 'available',
                ReadReplicaSourceDBInstanceIdentifier: 'orders',
                StatusInfos: [{ StatusType: 'read replication', Normal: !broken, Status: broken ? 'error' : 'replicating' }],
              },
            ],
            dbClusters: [],
            globalClusters: [],
            metrics: reads === 'status' ? [] : [lagSeries('orders-ro', at, broken ? Infinity : faultAt, 7200)],
          },
        },
      };
      const report = evaluate(snapshot, { config, scope: 'health', reads });
      const seen = report.findings.some((f) =>
        broken ? f.code === 'REPLICATION_BROKEN' && f.severity === 'critical' : f.code === 'REPLICA_LAG_HIGH' && f.severity === 'critical',
      );
      if (seen) {
        delays.push((at - faultAt) / 60_000);
        break;
      }
      if (run > DAY_MINUTES * 2) throw new Error(`${fault} never detected`);
    }
  }
  return delays;
}

const round = (n: number) => Math.round(n * 100) / 100;
const summary = (delays: readonly number[]) => ({
  worst: round(Math.max(...delays)),
  mean: round(delays.reduce((a, b) => a + b, 0) / delays.length),
});

export const costBench: Benchmark = {
  name: `cost: default config, ${REPLICAS.toLocaleString('en-US')} replicas per mix, a simulated day of metrics counted on the wire`,
  async run(ctx: BenchContext) {
    const config = parseConfig({ regions: ['us-east-1', 'us-west-2'] });
    const cadence = resolveCadence(config.schedule);
    const runs: Record<ReadLevel, number> = { status: 0, lag: 0, full: 0 };
    for (let minute = 0; minute < DAY_MINUTES; minute += cadence.statusEveryMinutes) runs[readLevelAt(cadence, minute * 60_000)]++;
    ctx.log(`  profile ${cadence.profile}: a day has ${runs.status} status, ${runs.lag} lag and ${runs.full} full runs`);
    const results: Record<string, BenchValue> = {};
    for (const mix of MIXES) {
      const snapshot = syntheticFleet(mix, REPLICAS, config.regions);
      const planned = planFleetUsage(snapshot, `synthetic ${mix} fleet`);
      let perDay = 0;
      let followUpsPerDay = 0;
      for (const level of READ_LEVELS) {
        const { requested, followUps } = await metricsRequestedByReader(snapshot, level, lowestLagThresholdSeconds(config));
        if (requested !== planned.metricsPerRunByLevel[level] + followUps) {
          ctx.fail(
            `${mix}: the reader requested ${requested} metrics on a ${level} run, the planner ${planned.metricsPerRunByLevel[level]} + ${followUps} in a second request`,
          );
        }
        perDay += requested * runs[level];
        followUpsPerDay += followUps * runs[level];
      }
      const estimate = estimateMonthlyCost({ config, fleet: { ...planned, measuredMetricsPerDay: perDay } });
      const perReplica = estimate.perReplicaMonthUsd!;
      ctx.log(
        `  ${mix.padEnd(9)} ${perDay.toLocaleString('en-US').padStart(9)} metrics a day, ` +
          `(${followUpsPerDay.toLocaleString('en-US')} of them second requests for lagging replicas), ` +
          `$${estimate.totalUsd.toFixed(2)} a month, $${perReplica.toFixed(4)} per replica-month ` +
          `(GetMetricData $${estimate.getMetricDataPerReplicaMonthUsd!.toFixed(4)})`,
      );
      if (perReplica > TARGETS.usdPerReplicaMonth) {
        ctx.fail(`${mix}: $${perReplica} per replica-month is over the $${TARGETS.usdPerReplicaMonth} target`);
      }
      results[`cost_${mix}_metricsPerDay`] = perDay;
      results[`cost_${mix}_usdPerReplicaMonth`] = perReplica;
    }
    const lagDelays = simulatedDetection(config, 'lag');
    // The same fault under a schedule that reads everything every minute: what the rule itself takes.
    const everyMinute = simulatedDetection(parseConfig({ regions: config.regions, schedule: { profile: 'fast' } }), 'lag');
    const lag = summary(lagDelays);
    const added = summary(lagDelays.map((d, i) => d - everyMinute[i]!));
    const broken = summary(simulatedDetection(config, 'broken'));
    ctx.log(
      `  detection (scheduled runs only): broken replication worst ${broken.worst} min (mean ${broken.mean}); ` +
        `lag over critical worst ${added.worst} min (mean ${added.mean}) after the rule's ${config.lag.datapointsToAlarm} of ${config.lag.evaluationPeriods} datapoints are in, ` +
        `${lag.worst} min (mean ${lag.mean}) after the first datapoint over critical`,
    );
    if (broken.worst > TARGETS.brokenMinutes) ctx.fail(`broken replication seen after ${broken.worst} min, over the ${TARGETS.brokenMinutes}-minute target`);
    if (added.worst > TARGETS.lagOverCriticalMinutes) {
      ctx.fail(`lag over critical seen ${added.worst} min after the rule could, over the ${TARGETS.lagOverCriticalMinutes}-minute target`);
    }
    results.detect_lagOverCritical_afterRule_worstMinutes = added.worst;
    results.detect_lagOverCritical_afterRule_meanMinutes = added.mean;
    results.cost_profile = cadence.profile;
    results.detect_broken_worstMinutes = broken.worst;
    results.detect_broken_meanMinutes = broken.mean;
    results.detect_lagOverCritical_fromFirstDatapoint_worstMinutes = lag.worst;
    results.detect_lagOverCritical_fromFirstDatapoint_meanMinutes = lag.mean;
    return results;
  },
};
