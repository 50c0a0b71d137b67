/**
 * Full health check of 1,000 replicas in 4 regions over mocked AWS APIs that answer in 50 ms:
 * LiveFleetReader.read() + evaluate(). Compared with a naive checker that reads one replica's
 * lag per GetMetricData call, in sequence.
 */
import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { LiveFleetReader, METRIC_QUERIES_PER_CALL } from '../lambdas/aws/live-reader';
import { lowestLagThresholdSeconds, parseConfig } from '../lambdas/core/config';
import { evaluate } from '../lambdas/core/rules/evaluate';
import { lagMetricsFor, MetricIndex, planFollowUps, planMetricQueries, RDS_NAMESPACE } from '../lambdas/core/fleet/metric-plan';
import { SNAPSHOT_FORMAT, type FleetSnapshot, type MetricSeries, type RegionSnapshot } from '../lambdas/core/fleet/model';
import { buildTopology } from '../lambdas/core/fleet/topology';
import { BENCH_REGIONS, generateReplicationFleet } from './support/fleet';
import { mockAws, pagesFor, type MockedAws } from './support/mock-aws';
import type { Benchmark, BenchContext } from './types';

const LATENCY_MS = 50;
const TARGET_WALL_MS = 1000;
const WINDOW_MINUTES = 15;

const describeCommands = [DescribeDBInstancesCommand, DescribeDBClustersCommand, DescribeGlobalClustersCommand] as const;

async function fullCheck(aws: MockedAws, now: Date) {
  const config = parseConfig({});
  const started = performance.now();
  const snapshot = await new LiveFleetReader({
    regions: BENCH_REGIONS,
    windowMinutes: WINDOW_MINUTES,
    walAboveSeconds: lowestLagThresholdSeconds(config),
    now: () => now,
    clients: (region) => aws.clients(region),
  }).read();
  const report = evaluate(snapshot, { config });
  return { snapshot, report, wallMs: performance.now() - started };
}

/** What a first attempt looks like: everything in sequence, one GetMetricData call per replica. */
async function naiveCheck(aws: MockedAws, now: Date) {
  const config = parseConfig({});
  const started = performance.now();
  const regions: Record<string, RegionSnapshot> = {};
  const describeAll = async <T>(rds: RDSClient, fetch: (rds: RDSClient, marker?: string) => Promise<{ items?: T[]; marker?: string }>) => {
    const items: T[] = [];
    let marker: string | undefined;
    do {
      const out = await fetch(rds, marker);
      items.push(...(out.items ?? []));
      marker = out.marker;
    } while (marker);
    return items;
  };
  for (const region of BENCH_REGIONS) {
    const { rds } = aws.clients(region);
    const dbInstances = await describeAll(rds, async (c, Marker) => {
      const out = await c.send(new DescribeDBInstancesCommand({ Marker, MaxRecords: 100 }));
      return { items: out.DBInstances, marker: out.Marker };
    });
    const dbClusters = await describeAll(rds, async (c, Marker) => {
      const out = await c.send(new DescribeDBClustersCommand({ Marker, MaxRecords: 100 }));
      return { items: out.DBClusters, marker: out.Marker };
    });
    const globalClusters = await describeAll(rds, async (c, Marker) => {
      const out = await c.send(new DescribeGlobalClustersCommand({ Marker, MaxRecords: 100 }));
      return { items: out.GlobalClusters, marker: out.Marker };
    });
    regions[region] = JSON.parse(JSON.stringify({ dbInstances, dbClusters, globalClusters })) as RegionSnapshot;
  }
  const described: FleetSnapshot = { format: SNAPSHOT_FORMAT, capturedAt: now.toISOString(), regions };
  const metrics: Record<string, MetricSeries[]> = {};
  let calls = 0;
  for (const replica of buildTopology(described).replicas) {
    const { cloudwatch } = aws.clients(replica.region);
    const lagMetrics = lagMetricsFor(replica);
    const queries: MetricDataQuery[] = lagMetrics.map((m, i) => ({
      Id: `m${i}`,
      MetricStat: {
        Metric: { Namespace: RDS_NAMESPACE, MetricName: m.metricName, Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })) },
        Period: 60,
        Stat: 'Maximum',
      },
    }));
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(now.getTime() - WINDOW_MINUTES * 60_000),
        EndTime: now,
        ScanBy: 'TimestampAscending',
      }),
    );
    calls++;
    for (const result of out.MetricDataResults ?? []) {
      const metric = lagMetrics[Number(result.Id?.slice(1))];
      if (!metric || !result.Values?.length) continue;
      (metrics[replica.region] ??= []).push({
        namespace: RDS_NAMESPACE,
        metricName: metric.metricName,
        dimensions: metric.dimensions,
        stat: 'Maximum',
        period: 60,
        timestamps: (result.Timestamps ?? []).map((t) => t.toISOString()),
        values: result.Values,
      });
    }
  }
  const snapshot: FleetSnapshot = {
    ...described,
    regions: Object.fromEntries(Object.entries(regions).map(([r, data]) => [r, { ...data, metrics: metrics[r] ?? [] }])),
  };
  const report = evaluate(snapshot, { config });
  return { report, calls, wallMs: performance.now() - started };
}

function countCalls(aws: MockedAws) {
  const perRegion: Record<string, { getMetricData: number; describe: number }> = {};
  for (const [region, mocked] of Object.entries(aws.regions)) {
    perRegion[region] = {
      getMetricData: mocked.cloudwatch.commandCalls(GetMetricDataCommand).length,
      describe: describeCommands.reduce((n, command) => n + mocked.rds.commandCalls(command).length, 0),
    };
  }
  return perRegion;
}

const ms = (value: number) => Math.round(value);

export const replicationReadBench: Benchmark = {
  name: `replication read: 1,000 replicas, ${BENCH_REGIONS.length} regions, ${LATENCY_MS} ms per AWS call`,
  async run(ctx: BenchContext) {
    const fleet = generateReplicationFleet();
    const aws = mockAws(fleet, LATENCY_MS);
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    try {
      // Measured cold: the first run pays for JIT and SDK middleware set-up, as a CLI run would.
      const { snapshot, report, wallMs } = await fullCheck(aws, now);
      const calls = countCalls(aws);

      const topology = buildTopology(snapshot);
      const queries = planMetricQueries(topology);
      // The second request: the WAL rate of the sources of PostgreSQL replicas lagging over the lowest threshold.
      const followUps = planFollowUps(topology, new MetricIndex(snapshot), { walAboveSeconds: lowestLagThresholdSeconds(parseConfig({})) });
      if (topology.replicas.length !== 1000) ctx.fail(`expected 1000 replicas, the topology has ${topology.replicas.length}`);

      ctx.log(`full check (read + evaluate): ${ms(wallMs)} ms  [target <= ${TARGET_WALL_MS} ms: ${wallMs <= TARGET_WALL_MS ? 'met' : 'MISSED'}]`);
      ctx.log(
        `  replicas ${report.summary.replicas}, healthy ${report.summary.healthy}, findings critical ${report.summary.critical} / ` +
          `warning ${report.summary.warning} / info ${report.summary.info}; metric queries ${queries.length}`,
      );
      let getMetricDataCalls = 0;
      let describeCalls = 0;
      for (const region of BENCH_REGIONS) {
        const regionQueries = queries.filter((q) => q.region === region).length;
        const regionFollowUps = followUps.filter((q) => q.region === region).length;
        const expectedGmd = Math.ceil(regionQueries / METRIC_QUERIES_PER_CALL) + Math.ceil(regionFollowUps / METRIC_QUERIES_PER_CALL);
        const data = fleet[region]!;
        const expectedPages = pagesFor(data.instances.length) + pagesFor(data.clusters.length) + pagesFor(data.globalClusters.length);
        const got = calls[region]!;
        getMetricDataCalls += got.getMetricData;
        describeCalls += got.describe;
        ctx.log(
          `  ${region.padEnd(15)} GetMetricData ${got.getMetricData} (ceil(${regionQueries}/${METRIC_QUERIES_PER_CALL}) + ceil(${regionFollowUps}/${METRIC_QUERIES_PER_CALL}) = ${expectedGmd}), ` +
            `describe calls ${got.describe} (pages ${expectedPages})`,
        );
        if (got.getMetricData !== expectedGmd) ctx.fail(`${region}: ${got.getMetricData} GetMetricData calls, expected ${expectedGmd}`);
        if (got.describe !== expectedPages) ctx.fail(`${region}: ${got.describe} describe calls, expected ${expectedPages} pages`);
      }
      const errors = Object.values(snapshot.regions).flatMap((r) => r.errors ?? []);
      if (errors.length > 0) ctx.fail(`read errors: ${errors.map((e) => `${e.operation}: ${e.message}`).join('; ')}`);

      const warm: number[] = [];
      for (let i = 0; i < 3; i++) warm.push((await fullCheck(aws, now)).wallMs);
      ctx.log(`  warm runs: ${warm.map((w) => `${ms(w)} ms`).join(', ')}`);

      aws.resetHistory();
      ctx.log(`naive check (sequential, one GetMetricData per replica): running ~${Math.round((topology.replicas.length * LATENCY_MS) / 1000)} s ...`);
      const naive = await naiveCheck(aws, now);
      if (naive.report.summary.replicas !== report.summary.replicas) {
        ctx.fail(`naive check saw ${naive.report.summary.replicas} replicas, the reader ${report.summary.replicas}`);
      }
      const speedup = Math.round((naive.wallMs / wallMs) * 10) / 10;
      ctx.log(`  naive: ${ms(naive.wallMs)} ms, ${naive.calls} GetMetricData calls  ->  speed-up x${speedup}`);
      // maxRSS is the process's peak so far (KiB on Linux and macOS).
      const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
      ctx.log(`peak RSS: ${peakRssMb} MB`);

      return {
        replicas: topology.replicas.length,
        regions: BENCH_REGIONS.length,
        wallMs: ms(wallMs),
        getMetricDataCalls,
        describeCalls,
        naiveWallMs: ms(naive.wallMs),
        speedup,
        peakRssMb,
      };
    } finally {
      aws.restore();
    }
  },
};
