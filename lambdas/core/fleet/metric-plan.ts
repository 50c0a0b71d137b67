/**
 * Which CloudWatch series the rules need, and how to find them again in a snapshot.
 * The live reader asks for exactly these; the rules look them up with `MetricIndex`.
 */
import type { FleetSnapshot, MetricSeries } from './model';
import type { ReadLevel } from './cadence';
import { engineFamily, type Replica, type Topology } from './topology';

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

/**
 * What the lag is read for. `lag` is how far the replica is behind (the health rules); `rpo` is how
 * much committed data a failover to it would lose (the RPO rule). They differ only for Aurora
 * Global Database, which publishes a metric for each.
 */
export type LagPurpose = 'lag' | 'rpo';

const lagMetric = (
  metricName: string,
  dimensions: Record<string, string>,
  toSeconds: number,
  minusOneMeansBroken: boolean,
): LagMetric => ({ metricName, dimensions, toSeconds, minusOneMeansBroken });

/**
 * The instance of a Multi-AZ DB cluster read replica whose `ReplicaLag` is the cluster's lag: its
 * writer, the one instance that replicates from the source. Its readers replicate from that writer
 * and are judged on their own; a failover to the cluster keeps what the writer has applied. With
 * no writer flagged (a failover in progress) every member is tried, in identifier order.
 */
function multiAzReplicaLagInstances(replica: Replica): string[] {
  const members = replica.node?.cluster?.DBClusterMembers ?? [];
  const writer = members.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
  if (writer) return [writer];
  return [...new Set(members.map((m) => m.DBInstanceIdentifier).filter((id): id is string => typeof id === 'string'))].sort();
}

/** The lag metrics of a replica in order of preference: the first one with data is used. */
export function lagMetricsFor(replica: Replica, purpose: LagPurpose = 'lag'): readonly LagMetric[] {
  switch (replica.kind) {
    case 'rds-read-replica':
    case 'multi-az-cluster-reader':
      return [lagMetric('ReplicaLag', { DBInstanceIdentifier: replica.id }, 1, true)];
    case 'multi-az-cluster-replica':
      return multiAzReplicaLagInstances(replica).map((id) => lagMetric('ReplicaLag', { DBInstanceIdentifier: id }, 1, true));
    case 'aurora-reader':
      return [lagMetric('AuroraReplicaLag', { DBInstanceIdentifier: replica.id }, 0.001, false)];
    case 'aurora-replica-cluster':
      // An Aurora PostgreSQL cluster can replicate from an RDS PostgreSQL instance; Aurora MySQL uses
      // binlog replication, whose lag AWS recommends reading from the writer's series (Role=WRITER).
      return engineFamily(replica.engine) === 'aurora-postgresql'
        ? [lagMetric('RDSToAuroraPostgreSQLReplicaLag', { DBClusterIdentifier: replica.id }, 1, false)]
        : [
            lagMetric('AuroraBinlogReplicaLag', { DBClusterIdentifier: replica.id, Role: 'WRITER' }, 1, true),
            lagMetric('AuroraBinlogReplicaLag', { DBClusterIdentifier: replica.id }, 1, true),
          ];
    case 'aurora-global-secondary': {
      // Published per secondary cluster with its source region; the cluster-only dimension set is
      // asked for too, in case a partition or engine version publishes it without SourceRegion.
      const withSource = { DBClusterIdentifier: replica.id, SourceRegion: replica.sourceRegion };
      const clusterOnly = { DBClusterIdentifier: replica.id };
      const both = (name: string) => [lagMetric(name, withSource, 0.001, false), lagMetric(name, clusterOnly, 0.001, false)];
      // Lag: ProgressLag (newer engine versions; user and system transactions) before ReplicationLag.
      // RPO: RPOLag measures only user transactions, the data a failover would lose; then the lag.
      const lag = [...both('AuroraGlobalDBProgressLag'), ...both('AuroraGlobalDBReplicationLag')];
      return purpose === 'rpo' ? [...both('AuroraGlobalDBRPOLag'), ...lag] : [...lag, ...both('AuroraGlobalDBRPOLag')];
    }
  }
}

/** A series as the evidence names it: `Metric{Dim=value,...}` (dimensions sorted). */
export function seriesName(metric: Pick<LagMetric, 'metricName' | 'dimensions'>): string {
  return `${metric.metricName}{${dimensionsKey(metric.dimensions)}}`;
}

/**
 * WAL written by a PostgreSQL source, to tell the idle-source lag artefact from real lag. The only
 * source-activity series read: the idle rule judges bytes of WAL, not write operations, and every
 * series requested is billed.
 */
export const WAL_RATE_METRIC = 'TransactionLogsGeneration';
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
 * Every series the first request of a check asks for at a level (lambdas/core/fleet/cadence),
 * deduplicated: each replica's preferred lag series, and on a full read its preferred RPO series
 * (a series of its own only for Aurora Global Database) and the slot lag of every PostgreSQL
 * instance. Replicas are read in their own region, slot lag in the instance's, and only for regions
 * being read. What only some replicas need comes in a second request (`planFollowUps`).
 */
export function planMetricQueries(topology: Topology, level: ReadLevel = 'full'): MetricQuery[] {
  const readRegions = new Set(topology.regions);
  const queries = new Map<string, MetricQuery>();
  const add = (q: MetricQuery) => {
    if (readRegions.has(q.region)) queries.set(queryKey(q), q);
  };
  if (level === 'status') return [];
  for (const replica of topology.replicas) {
    for (const purpose of level === 'full' ? (['lag', 'rpo'] as const) : (['lag'] as const)) {
      const [first] = lagMetricsFor(replica, purpose);
      if (first) add(query(replica.region, first.metricName, { ...first.dimensions }));
    }
  }
  if (level === 'full') {
    for (const instance of topology.instances) {
      if (engineFamily(instance.engine) === 'postgres') {
        add(query(instance.region, SLOT_LAG_METRIC, { DBInstanceIdentifier: instance.id }));
      }
    }
  }
  return [...queries.values()];
}

export interface FollowUpOptions {
  /** What the first request was planned for. @default 'full' */
  readonly level?: ReadLevel;
  /**
   * A PostgreSQL read replica with a lag datapoint over this many seconds gets its source's WAL
   * rate read, so the idle-source explanation rests on bytes, not only on the curve's shape
   * (`lowestLagThresholdSeconds` in lambdas/core/config).
   * @default 0: every PostgreSQL replica with any lag
   */
  readonly walAboveSeconds?: number;
}

/**
 * The second request of a read, decided by what the first returned (`read`):
 * - the rest of a replica's lag series when its preferred one came back empty (published under
 *   another dimension set or metric, it still gets a verdict); on a full read, likewise for the
 *   RPO series;
 * - on a full read, the source's WAL rate of a PostgreSQL read replica whose lag is over the lowest
 *   threshold: the byte-level evidence the idle-source rule weighs, needed only when lag could
 *   raise a finding (lag reads judge the idle source on the curve's shape alone).
 * A healthy fleet needs none of them.
 */
export function planFollowUps(topology: Topology, read: MetricIndex, options: FollowUpOptions = {}): MetricQuery[] {
  const level = options.level ?? 'full';
  if (level === 'status') return [];
  const readRegions = new Set(topology.regions);
  const asked = new Set(planMetricQueries(topology, level).map(queryKey));
  const queries = new Map<string, MetricQuery>();
  const add = (q: MetricQuery) => {
    const k = queryKey(q);
    if (readRegions.has(q.region) && !asked.has(k)) queries.set(k, q);
  };
  const returned = (replica: Replica, metric: LagMetric) =>
    samplesOf(read.find(replica.region, metric.metricName, metric.dimensions));
  for (const replica of topology.replicas) {
    if (!readRegions.has(replica.region)) continue;
    for (const purpose of level === 'full' ? (['lag', 'rpo'] as const) : (['lag'] as const)) {
      const [first, ...rest] = lagMetricsFor(replica, purpose);
      if (!first || returned(replica, first).length > 0) continue;
      for (const metric of rest) add(query(replica.region, metric.metricName, { ...metric.dimensions }));
    }
    // On a full read only: a replica that lags for hours would otherwise add a series to every lag read.
    if (level === 'full' && replica.kind === 'rds-read-replica' && engineFamily(replica.engine) === 'postgres') {
      const [lag] = lagMetricsFor(replica, 'lag');
      const over = lag ? returned(replica, lag).some((s) => s.value * lag.toSeconds > (options.walAboveSeconds ?? 0)) : false;
      if (over) add(query(replica.sourceRegion, WAL_RATE_METRIC, { DBInstanceIdentifier: replica.sourceId }));
    }
  }
  return [...queries.values()];
}

/** The lag fallbacks of a lag read (`planFollowUps` at the lag level). */
export function planLagFallbacks(topology: Topology, read: MetricIndex): MetricQuery[] {
  return planFollowUps(topology, read, { level: 'lag' });
}

const dimensionsKey = (dimensions: Readonly<Record<string, string>>) =>
  Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/**
 * Finds series by metric name and exact dimension set, as CloudWatch does: a series published
 * with more or fewer dimensions is a different metric, in a snapshot as in a live read.
 */
export class MetricIndex {
  private readonly exact = new Map<string, MetricSeries>();

  constructor(snapshot: FleetSnapshot) {
    for (const [region, data] of Object.entries(snapshot.regions)) {
      for (const series of data.metrics ?? []) {
        const exactKey = `${region}|${series.namespace}|${series.metricName}|${dimensionsKey(series.dimensions)}`;
        if (!this.exact.has(exactKey)) this.exact.set(exactKey, series);
      }
    }
  }

  find(
    region: string,
    metricName: string,
    dimensions: Readonly<Record<string, string>>,
    namespace = RDS_NAMESPACE,
  ): MetricSeries | undefined {
    return this.exact.get(`${region}|${namespace}|${metricName}|${dimensionsKey(dimensions)}`);
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
