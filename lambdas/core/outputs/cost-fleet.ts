/**
 * What a fleet costs to read: the metric series a health run requests, counted from the same
 * planner the live reader uses (`planMetricQueries`), never from a per-replica formula. A real
 * fleet comes from a snapshot; a fleet size without a fleet is turned into a synthetic snapshot
 * of a stated mix and planned the same way, so a new series in the planner shows up in the bill.
 */
import type { ReadLevel } from '../fleet/cadence';
import { planMetricQueries } from '../fleet/metric-plan';
import { SNAPSHOT_FORMAT, type DbCluster, type DbInstance, type FleetSnapshot, type GlobalCluster, type OrgSnapshot, type RegionSnapshot } from '../fleet/model';
import { accountFleet } from '../fleet/snapshot';
import { buildTopology, type ReplicaKind } from '../fleet/topology';

/** How one health run reads a fleet. */
export interface FleetUsage {
  /** Where the figures come from, for the report ("snapshot fleet.json", "synthetic mixed fleet"). */
  readonly source: string;
  readonly replicas: number;
  readonly regions: readonly string[];
  readonly replicasByKind: Readonly<Partial<Record<ReplicaKind, number>>>;
  /** Metrics one health run that reads everything requests through GetMetricData (each query is one metric requested). */
  readonly metricsPerHealthRun: number;
  /** Metrics one health run requests at each read level (lambdas/core/fleet/cadence). */
  readonly metricsPerRunByLevel: Readonly<Record<ReadLevel, number>>;
  /** The same count by metric name, to show where the bill comes from. */
  readonly metricsByName: Readonly<Record<string, number>>;
  /**
   * Metrics requested per day when measured rather than planned (e.g. a simulated day of runs
   * with a cadence that varies): replaces health runs × `metricsPerHealthRun` when present.
   */
  readonly measuredMetricsPerDay?: number;
}

/** Plans one health run over a fleet: the queries the live reader would issue for it. */
export function planFleetUsage(snapshot: FleetSnapshot, source: string): FleetUsage {
  const topology = buildTopology(snapshot);
  const queries = planMetricQueries(topology);
  const replicasByKind: Partial<Record<ReplicaKind, number>> = {};
  for (const replica of topology.replicas) replicasByKind[replica.kind] = (replicasByKind[replica.kind] ?? 0) + 1;
  const metricsByName: Record<string, number> = {};
  for (const q of queries) metricsByName[q.metricName] = (metricsByName[q.metricName] ?? 0) + 1;
  return {
    source,
    replicas: topology.replicas.length,
    regions: topology.regions,
    replicasByKind,
    metricsPerHealthRun: queries.length,
    metricsPerRunByLevel: {
      status: planMetricQueries(topology, 'status').length,
      lag: planMetricQueries(topology, 'lag').length,
      full: queries.length,
    },
    metricsByName,
  };
}

/** Plans one health run over every account of an organization: each account is read on its own, so the plans add up. */
export function planOrgUsage(org: OrgSnapshot, source: string): FleetUsage {
  const parts = Object.keys(org.accounts).map((id) => planFleetUsage(accountFleet(org, id), source));
  const add = <K extends string>(records: readonly Readonly<Partial<Record<K, number>>>[]): Partial<Record<K, number>> => {
    const out: Partial<Record<K, number>> = {};
    for (const record of records) for (const [k, v] of Object.entries(record) as [K, number][]) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const sum = (pick: (u: FleetUsage) => number) => parts.reduce((n, u) => n + pick(u), 0);
  return {
    source,
    replicas: sum((u) => u.replicas),
    regions: [...new Set(parts.flatMap((u) => u.regions))].sort(),
    replicasByKind: add(parts.map((u) => u.replicasByKind)),
    metricsPerHealthRun: sum((u) => u.metricsPerHealthRun),
    metricsPerRunByLevel: {
      status: sum((u) => u.metricsPerRunByLevel.status),
      lag: sum((u) => u.metricsPerRunByLevel.lag),
      full: sum((u) => u.metricsPerRunByLevel.full),
    },
    metricsByName: add(parts.map((u) => u.metricsByName)) as Record<string, number>,
  };
}

/** Fleet mixes `cost --replicas N --mix M` can price. */
export const FLEET_MIXES = ['mysql', 'postgres', 'aurora', 'global', 'mixed'] as const;
export type FleetMix = (typeof FLEET_MIXES)[number];
export const DEFAULT_MIX: FleetMix = 'mixed';

/** Shares of the `mixed` fleet; the rest of a rounding goes to MySQL. */
export const MIXED_SHARES: Readonly<Record<Exclude<FleetMix, 'mixed'>, number>> = {
  mysql: 0.4,
  postgres: 0.3,
  aurora: 0.2,
  global: 0.1,
};

/** What each mix is made of, in words, for the report and the docs. */
export const MIX_DESCRIPTIONS: Readonly<Record<FleetMix, string>> = {
  mysql: 'RDS MySQL read replicas, one per source',
  postgres: 'RDS PostgreSQL read replicas, one per source (replica lag, slot lag on source and replica; the source WAL rate only while the replica lags)',
  aurora: 'Aurora MySQL readers, two per cluster',
  global: 'Aurora global databases: a secondary cluster in another region with one reader (two replicas per database)',
  mixed: '40% MySQL read replicas, 30% PostgreSQL read replicas, 20% Aurora readers, 10% Aurora global secondaries with their readers',
};

const ACCOUNT = '123456789012';
const dbArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:db:${id}`;
const clusterArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:cluster:${id}`;

/** A region to put global secondaries in when the config names only one. */
function secondRegion(regions: readonly string[]): string {
  return regions[0] === 'us-west-2' ? 'us-east-1' : 'us-west-2';
}

/** Regions a synthetic fleet of this mix spans: global databases need two. */
export function syntheticRegions(mix: FleetMix, regions: readonly string[]): readonly string[] {
  const needsTwo = mix === 'global' || (mix === 'mixed' && MIXED_SHARES.global > 0);
  return needsTwo && regions.length < 2 ? [...regions, secondRegion(regions)] : regions;
}

function mixCounts(mix: FleetMix, replicas: number): Record<Exclude<FleetMix, 'mixed'>, number> {
  const counts = { mysql: 0, postgres: 0, aurora: 0, global: 0 };
  if (mix !== 'mixed') {
    counts[mix] = replicas;
    return counts;
  }
  counts.postgres = Math.floor(replicas * MIXED_SHARES.postgres);
  counts.aurora = Math.floor(replicas * MIXED_SHARES.aurora);
  counts.global = Math.floor(replicas * MIXED_SHARES.global);
  counts.mysql = replicas - counts.postgres - counts.aurora - counts.global;
  return counts;
}

/**
 * A snapshot of `replicas` replicas of the given mix, spread over the regions round-robin, in the
 * SDK's response shapes, so the real topology and planner run on it.
 */
export function syntheticFleet(mix: FleetMix, replicas: number, configRegions: readonly string[]): FleetSnapshot {
  const regions = syntheticRegions(mix, configRegions);
  const data: Record<string, { dbInstances: DbInstance[]; dbClusters: DbCluster[]; globalClusters: GlobalCluster[] }> = {};
  for (const region of regions) data[region] = { dbInstances: [], dbClusters: [], globalClusters: [] };
  const regionAt = (i: number) => regions[i % regions.length]!;
  const counts = mixCounts(mix, replicas);

  const readReplicas = (engine: 'mysql' | 'postgres', count: number) => {
    for (let i = 0; i < count; i++) {
      const region = regionAt(i);
      const source = `${engine}-src-${i}`;
      const replica = `${engine}-ro-${i}`;
      data[region]!.dbInstances.push(
        { DBInstanceIdentifier: source, Engine: engine, DBInstanceStatus: 'available', ReadReplicaDBInstanceIdentifiers: [replica] },
        { DBInstanceIdentifier: replica, Engine: engine, DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: source },
      );
    }
  };
  readReplicas('mysql', counts.mysql);
  readReplicas('postgres', counts.postgres);

  // Aurora clusters of a writer and two readers; an odd count leaves one cluster with one reader.
  for (let c = 0, left = counts.aurora; left > 0; c++) {
    const region = regionAt(c);
    const id = `aurora-${c}`;
    const readers = Array.from({ length: Math.min(2, left) }, (_, r) => `${id}-reader-${r}`);
    left -= readers.length;
    const members = [`${id}-writer`, ...readers];
    data[region]!.dbClusters.push({
      DBClusterIdentifier: id,
      Engine: 'aurora-mysql',
      Status: 'available',
      DBClusterMembers: members.map((m, k) => ({ DBInstanceIdentifier: m, IsClusterWriter: k === 0 })),
    });
    for (const m of members) {
      data[region]!.dbInstances.push({ DBInstanceIdentifier: m, Engine: 'aurora-mysql', DBInstanceStatus: 'available', DBClusterIdentifier: id });
    }
  }

  // Global databases: primary (writer only) in one region, secondary with one reader in the next;
  // an odd count leaves one secondary without a reader.
  for (let g = 0, left = counts.global; left > 0; g++) {
    const primaryRegion = regionAt(g);
    const secondaryRegion = regionAt(g + 1);
    const globalId = `global-${g}`;
    const primary = `${globalId}-primary`;
    const secondary = `${globalId}-secondary`;
    const withReader = left >= 2;
    left -= withReader ? 2 : 1;
    const global: GlobalCluster = {
      GlobalClusterIdentifier: globalId,
      Engine: 'aurora-postgresql',
      GlobalClusterMembers: [
        { DBClusterArn: clusterArn(primaryRegion, primary), IsWriter: true },
        { DBClusterArn: clusterArn(secondaryRegion, secondary), IsWriter: false, SynchronizationStatus: 'connected' },
      ],
    };
    // DescribeGlobalClusters answers the same list in every region.
    for (const region of regions) data[region]!.globalClusters.push(global);
    data[primaryRegion]!.dbClusters.push({
      DBClusterIdentifier: primary,
      Engine: 'aurora-postgresql',
      Status: 'available',
      GlobalClusterIdentifier: globalId,
      DBClusterMembers: [{ DBInstanceIdentifier: `${primary}-writer`, IsClusterWriter: true }],
    });
    data[primaryRegion]!.dbInstances.push({
      DBInstanceIdentifier: `${primary}-writer`,
      Engine: 'aurora-postgresql',
      DBInstanceStatus: 'available',
      DBClusterIdentifier: primary,
    });
    data[secondaryRegion]!.dbClusters.push({
      DBClusterIdentifier: secondary,
      DBClusterArn: clusterArn(secondaryRegion, secondary),
      Engine: 'aurora-postgresql',
      Status: 'available',
      GlobalClusterIdentifier: globalId,
      DBClusterMembers: withReader ? [{ DBInstanceIdentifier: `${secondary}-reader`, IsClusterWriter: false }] : [],
    });
    if (withReader) {
      data[secondaryRegion]!.dbInstances.push({
        DBInstanceIdentifier: `${secondary}-reader`,
        DBInstanceArn: dbArn(secondaryRegion, `${secondary}-reader`),
        Engine: 'aurora-postgresql',
        DBInstanceStatus: 'available',
        DBClusterIdentifier: secondary,
      });
    }
  }

  return {
    format: SNAPSHOT_FORMAT,
    capturedAt: '2026-01-01T00:00:00Z',
    regions: data as Record<string, RegionSnapshot>,
  };
}

/** The usage of a synthetic fleet of `replicas` replicas of a mix, planned by the real planner. */
export function syntheticFleetUsage(mix: FleetMix, replicas: number, configRegions: readonly string[]): FleetUsage {
  return planFleetUsage(syntheticFleet(mix, replicas, configRegions), `synthetic ${mix} fleet (${MIX_DESCRIPTIONS[mix]})`);
}
