/**
 * Mocked RDS and CloudWatch clients that serve a generated fleet, every call answering after a
 * fixed latency, with real paging (Marker / MaxRecords) so call counts mean what they would live.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
  type Parameter,
} from '@aws-sdk/client-rds';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { RegionClients } from '../../lambdas/aws/live-reader';
import type { Fleet } from './fleet';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface MockedRegion {
  readonly clients: RegionClients;
  readonly rds: AwsClientStub<RDSClient>;
  readonly cloudwatch: AwsClientStub<CloudWatchClient>;
}

export interface MockedAws {
  readonly regions: Record<string, MockedRegion>;
  clients(region: string): RegionClients;
  resetHistory(): void;
  restore(): void;
}

interface PageInput {
  readonly Marker?: string;
  readonly MaxRecords?: number;
}

function page<T>(key: string, items: readonly T[], input: PageInput): Record<string, unknown> {
  const start = input.Marker ? Number(input.Marker) : 0;
  const end = start + Math.min(input.MaxRecords ?? 100, 100);
  return { [key]: items.slice(start, end), ...(end < items.length ? { Marker: String(end) } : {}) };
}

/** Deterministic lag per series: mostly healthy, 1 in 50 lagging, in the metric's own unit. */
function lagValue(query: MetricDataQuery): number {
  const dims = query.MetricStat?.Metric?.Dimensions ?? [];
  const name = query.MetricStat?.Metric?.MetricName ?? '';
  const key = dims.map((d) => d.Value).join('/');
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const lagging = hash % 50 === 0;
  switch (name) {
    case 'ReplicaLag':
    case 'AuroraBinlogReplicaLag':
      return lagging ? 600 : hash % 4;
    case 'AuroraReplicaLag':
      return lagging ? 45_000 : 15 + (hash % 20);
    case 'AuroraGlobalDBReplicationLag':
    case 'AuroraGlobalDBRPOLag':
      return lagging ? 90_000 : 800;
    case 'OldestReplicationSlotLag':
      return 64 * 1024 * 1024;
    default:
      return 100 + (hash % 50);
  }
}

function metricAnswer(input: GetMetricDataCommandInput): { MetricDataResults: MetricDataResult[] } {
  const start = input.StartTime instanceof Date ? input.StartTime.getTime() : Date.now() - 15 * 60_000;
  const end = input.EndTime instanceof Date ? input.EndTime.getTime() : Date.now();
  const first = Math.ceil(start / 60_000) * 60_000;
  const timestamps: Date[] = [];
  for (let t = first; t < end; t += 60_000) timestamps.push(new Date(t));
  return {
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const value = lagValue(q);
      return { Id: q.Id, Label: q.MetricStat?.Metric?.MetricName, Timestamps: timestamps, Values: timestamps.map(() => value), StatusCode: 'Complete' };
    }),
  };
}

function parameterAnswer(groups: Record<string, Parameter[]>, name: string | undefined, input: PageInput) {
  const parameters = name ? groups[name] : undefined;
  if (!parameters) throw Object.assign(new Error(`DBParameterGroup ${name} not found`), { name: 'DBParameterGroupNotFoundFault' });
  return page('Parameters', parameters, input);
}

/** One real client pair per region, each mocked on its own instance. */
export function mockAws(fleet: Fleet, latencyMs: number): MockedAws {
  const regions: Record<string, MockedRegion> = {};
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  for (const [region, data] of Object.entries(fleet)) {
    const clients = { rds: new RDSClient({ region, credentials }), cloudwatch: new CloudWatchClient({ region, credentials }) };
    const rds = mockClient(clients.rds);
    const cloudwatch = mockClient(clients.cloudwatch);
    const slow =
      <I, O>(answer: (input: I) => O) =>
      async (input: I): Promise<O> => {
        await sleep(latencyMs);
        return answer(input);
      };
    rds.on(DescribeDBInstancesCommand).callsFake(slow((i: PageInput) => page('DBInstances', data.instances, i)));
    rds.on(DescribeDBClustersCommand).callsFake(slow((i: PageInput) => page('DBClusters', data.clusters, i)));
    rds.on(DescribeGlobalClustersCommand).callsFake(slow((i: PageInput) => page('GlobalClusters', data.globalClusters, i)));
    rds
      .on(DescribeDBParametersCommand)
      .callsFake(slow((i: PageInput & { DBParameterGroupName?: string }) => parameterAnswer(data.dbParameters, i.DBParameterGroupName, i)));
    rds
      .on(DescribeDBClusterParametersCommand)
      .callsFake(
        slow((i: PageInput & { DBClusterParameterGroupName?: string }) =>
          parameterAnswer(data.clusterParameters, i.DBClusterParameterGroupName, i),
        ),
      );
    cloudwatch.on(GetMetricDataCommand).callsFake(slow(metricAnswer));
    regions[region] = { clients, rds, cloudwatch };
  }
  return {
    regions,
    clients: (region) => {
      const mocked = regions[region];
      if (!mocked) throw new Error(`bench: no mocked clients for region ${region}`);
      return mocked.clients;
    },
    resetHistory: () => {
      for (const r of Object.values(regions)) {
        r.rds.resetHistory();
        r.cloudwatch.resetHistory();
      }
    },
    restore: () => {
      for (const r of Object.values(regions)) {
        r.rds.restore();
        r.cloudwatch.restore();
      }
    },
  };
}

/** Describe pages a region needs for `count` items at 100 per page (an empty list is one page). */
export const pagesFor = (count: number) => Math.max(1, Math.ceil(count / 100));
