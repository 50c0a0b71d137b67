/**
 * What the default config costs per replica-month for 1,000-replica fleets of each mix, priced
 * from the GetMetricData metrics the live reader really requests (counted on the wire of mocked
 * AWS clients), and checked against the planner `replguard cost` prices from.
 */
import { GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type { DBCluster, DBInstance, GlobalCluster } from '@aws-sdk/client-rds';
import { LiveFleetReader } from '../lambdas/aws/live-reader';
import { parseConfig } from '../lambdas/core/config';
import { estimateMonthlyCost } from '../lambdas/core/cost';
import { planFleetUsage, syntheticFleet, type FleetMix } from '../lambdas/core/cost-fleet';
import type { FleetSnapshot } from '../lambdas/core/model';
import type { Fleet } from './support/fleet';
import { mockAws } from './support/mock-aws';
import type { Benchmark, BenchContext, BenchValue } from './types';

const REPLICAS = 1000;
const MIXES: readonly FleetMix[] = ['mysql', 'postgres', 'global', 'mixed'];

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

async function metricsRequestedByReader(snapshot: FleetSnapshot): Promise<number> {
  const aws = mockAws(asSdkFleet(snapshot), 0);
  try {
    await new LiveFleetReader({
      regions: Object.keys(snapshot.regions),
      windowMinutes: 15,
      clients: (region) => aws.clients(region),
    }).read();
    let requested = 0;
    for (const mocked of Object.values(aws.regions)) {
      for (const call of mocked.cloudwatch.commandCalls(GetMetricDataCommand)) {
        requested += ((call.args[0].input as GetMetricDataCommandInput).MetricDataQueries ?? []).length;
      }
    }
    return requested;
  } finally {
    aws.restore();
  }
}

export const costBench: Benchmark = {
  name: `cost: default config, ${REPLICAS.toLocaleString('en-US')} replicas per mix, metrics counted on the wire`,
  async run(ctx: BenchContext) {
    const config = parseConfig({ regions: ['us-east-1', 'us-west-2'] });
    const runsPerDay = (24 * 60) / config.schedule.checkRateMinutes;
    const results: Record<string, BenchValue> = {};
    for (const mix of MIXES) {
      const snapshot = syntheticFleet(mix, REPLICAS, config.regions);
      const planned = planFleetUsage(snapshot, `synthetic ${mix} fleet`);
      const requested = await metricsRequestedByReader(snapshot);
      if (requested !== planned.metricsPerHealthRun) {
        ctx.fail(`${mix}: the reader requested ${requested} metrics a run, the cost model planned ${planned.metricsPerHealthRun}`);
      }
      const estimate = estimateMonthlyCost({ config, fleet: { ...planned, measuredMetricsPerDay: requested * runsPerDay } });
      ctx.log(
        `  ${mix.padEnd(9)} ${requested.toLocaleString('en-US').padStart(6)} metrics a run (planned ${planned.metricsPerHealthRun}), ` +
          `$${estimate.totalUsd.toFixed(2)} a month, $${estimate.perReplicaMonthUsd!.toFixed(4)} per replica-month ` +
          `(GetMetricData $${estimate.getMetricDataPerReplicaMonthUsd!.toFixed(4)})`,
      );
      results[`cost_${mix}_metricsPerRun`] = requested;
      results[`cost_${mix}_usdPerReplicaMonth`] = estimate.perReplicaMonthUsd;
    }
    return results;
  },
};
