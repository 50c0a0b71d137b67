/**
 * Which CloudWatch series the rules need, and how to find them again in a snapshot.
 * The live reader asks for exactly these; the rules look them up with `MetricIndex`.
 */
import type { FleetSnapshot, MetricSeries } from './model';
import { engineFamily, type Replica, type Topology } from './topology';
import { own } from './records';

export const RDS_NAMESPACE = 'AWS/RDS';

export interface MetricQuery {
  readonly region: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  readonly period: number;
}

export interface LagMetric {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Multiply a datapoint by this to get seconds (Aurora reader and global lag are in ms). */
  readonly toSeconds: number;
  /** Whether -1 means "replication not running" rather than a real value. */
  readonly minusOneMeansBroken: boolean;
}

/** The lag metrics of a replica in order of preference: the first one with data is used. */
export function lagMetricsFor(replica: Replica): readonly LagMetric[] {
  switch (replica.kind) {
    case 'rds-read-replica':
      return [
        { metricName: 'ReplicaLag', dimensions: { DBInstanceIdentifier: replica.id }, toSeconds: 1, minusOneMeansBroken: true },
      ];
    case 'aurora-reader':
      return [
        { metricName: 'AuroraReplicaLag', dimensions: { DBInstanceIdentifier: replica.id }, toSeconds: 0.001, minusOneMeansBroken: false },
      ];
    case 'multi-az-cluster-reader':
      return [
        { metricName: 'ReplicaLag', dimensions: { DBInstanceIdentifier: replica.id }, toSeconds: 1, minusOneMeansBroken: true },
      ];
    case 'aurora-replica-cluster':
      // An Aurora PostgreSQL cluster can replicate from an RDS PostgreSQL instance; Aurora MySQL uses binlog replication.
      return engineFamily(replica.engine) === 'aurora-postgresql'
        ? [{ metricName: 'RDSToAuroraPostgreSQLReplicaLag', dimensions: { DBClusterIdentifier: replica.id }, toSeconds: 1, minusOneMeansBroken: false }]
        : [{ metricName: 'AuroraBinlogReplicaLag', dimensions: { DBClusterIdentifier: replica.id }, toSeconds: 1, minusOneMeansBroken: true }];
    case 'aurora-global-secondary': {
      // Published per secondary cluster with its source region; the cluster-only dimension set is
      // asked for too, in case a partition or engine version publishes it without SourceRegion.
      const withSource = { DBClusterIdentifier: replica.id, SourceRegion: replica.sourceRegion };
      const clusterOnly = { DBClusterIdentifier: replica.id };
      return [
        { metricName: 'AuroraGlobalDBRPOLag', dimensions: withSource, toSeconds: 0.001, minusOneMeansBroken: false },
        { metricName: 'AuroraGlobalDBRPOLag', dimensions: clusterOnly, toSeconds: 0.001, minusOneMeansBroken: false },
        { metricName: 'AuroraGlobalDBReplicationLag', dimensions: withSource, toSeconds: 0.001, minusOneMeansBroken: false },
        { metricName: 'AuroraGlobalDBReplicationLag', dimensions: clusterOnly, toSeconds: 0.001, minusOneMeansBroken: false },
      ];
    }
  }
}

/** Writes on a PostgreSQL source, to tell the idle-source lag artefact from real lag. */
export const WAL_RATE_METRIC = 'TransactionLogsGeneration';
export const WRITE_IOPS_METRIC = 'WriteIOPS';
const SOURCE_ACTIVITY_METRICS = [WAL_RATE_METRIC, WRITE_IOPS_METRIC] as const;
export const SLOT_LAG_METRIC = 'OldestReplicationSlotLag';

const query = (region: string, metricName: string, dimensions: Record<string, string>): MetricQuery => ({
  region,
  namespace: RDS_NAMESPACE,
  metricName,
  dimensions,
  stat: 'Maximum',
  period: 60,
});

function queryKey(q: Pick<MetricQuery, 'region' | 'namespace' | 'metricName' | 'dimensions' | 'stat'>): string {
  return `${q.region}|${q.namespace}|${q.metricName}|${dimensionsKey(q.dimensions)}|${q.stat}`;
}

/**
 * Every series one check reads, deduplicated. Replicas are read in their own region; source
 * activity and slot lag in the source's region, and only for regions being read.
 */
export function planMetricQueries(topology: Topology): MetricQuery[] {
  const readRegions = new Set(topology.regions);
  const queries = new Map<string, MetricQuery>();
  const add = (q: MetricQuery) => {
    if (readRegions.has(q.region)) queries.set(queryKey(q), q);
  };

  for (const replica of topology.replicas) {
    for (const metric of lagMetricsFor(replica)) add(query(replica.region, metric.metricName, { ...metric.dimensions }));
    if (replica.kind === 'rds-read-replica' && engineFamily(replica.engine) === 'postgres') {
      for (const name of SOURCE_ACTIVITY_METRICS) {
        add(query(replica.sourceRegion, name, { DBInstanceIdentifier: replica.sourceId }));
      }
    }
  }
  for (const instance of topology.instances) {
    if (engineFamily(instance.engine) === 'postgres') {
      add(query(instance.region, SLOT_LAG_METRIC, { DBInstanceIdentifier: instance.id }));
    }
  }
  return [...queries.values()];
}

const dimensionsKey = (dimensions: Readonly<Record<string, string>>) =>
  Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/**
 * Finds series by metric name and dimensions: an exact match first (what the live reader asks
 * for), else a series carrying the asked dimensions among others (hand-written snapshots).
 */
export class MetricIndex {
  private readonly exact = new Map<string, MetricSeries>();
  private readonly byRegionAndName = new Map<string, MetricSeries[]>();

  constructor(snapshot: FleetSnapshot) {
    for (const [region, data] of Object.entries(snapshot.regions)) {
      for (const series of data.metrics ?? []) {
        const k = `${region}|${series.namespace}|${series.metricName}`;
        const exactKey = `${k}|${dimensionsKey(series.dimensions)}`;
        if (!this.exact.has(exactKey)) this.exact.set(exactKey, series);
        const list = this.byRegionAndName.get(k) ?? [];
        list.push(series);
        this.byRegionAndName.set(k, list);
      }
    }
  }

  find(
    region: string,
    metricName: string,
    dimensions: Readonly<Record<string, string>>,
    namespace = RDS_NAMESPACE,
  ): MetricSeries | undefined {
    const k = `${region}|${namespace}|${metricName}`;
    const exact = this.exact.get(`${k}|${dimensionsKey(dimensions)}`);
    if (exact) return exact;
    const candidates = this.byRegionAndName.get(k) ?? [];
    return candidates.find((series) =>
      Object.entries(dimensions).every(([name, value]) => own(series.dimensions, name) === value),
    );
  }
}

export interface Sample {
  readonly timestamp: string;
  readonly value: number;
}

/** Datapoints oldest first, whatever order the source listed them in. */
export function samplesOf(series: MetricSeries | undefined): Sample[] {
  if (!series) return [];
  const samples: Sample[] = [];
  const count = Math.min(series.timestamps.length, series.values.length);
  for (let i = 0; i < count; i++) {
    const value = series.values[i]!;
    if (Number.isFinite(value)) samples.push({ timestamp: series.timestamps[i]!, value });
  }
  return samples.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
}
