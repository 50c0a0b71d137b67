/**
 * The benchmark fleet as a `replguard-snapshot/v1` file, with a lag series for every replica, so
 * offline consumers (report, check) can be measured and tested at 1,000 replicas.
 */
import type { FleetSnapshot, MetricSeries } from '../../lambdas/core/fleet/model';
import { generateReplicationFleet } from './fleet';

export const LARGE_FLEET_CAPTURED_AT = '2026-11-24T10:00:00Z';

function lagSeries(metricName: string, dimensions: Record<string, string>, values: readonly number[]): MetricSeries {
  const end = Date.parse(LARGE_FLEET_CAPTURED_AT);
  return {
    namespace: 'AWS/RDS',
    metricName,
    dimensions,
    stat: 'Maximum',
    period: 60,
    timestamps: values.map((_, i) => new Date(end - (values.length - 1 - i) * 60_000).toISOString()),
    values: [...values],
  };
}

/** 1,000 replicas in four regions; every 50th replica lags, every 97th has stopped (-1 or an error status). */
export function largeFleetSnapshot(): FleetSnapshot {
  const fleet = generateReplicationFleet();
  // Dates become ISO strings, as in a snapshot file.
  const plain = JSON.parse(JSON.stringify(fleet)) as ReturnType<typeof generateReplicationFleet>;
  const regions: Record<string, FleetSnapshot['regions'][string]> = {};
  let n = 0;
  for (const [region, data] of Object.entries(plain)) {
    const metrics: MetricSeries[] = [];
    const clusterOf = new Map<string, string>();
    for (const c of data.clusters) for (const m of c.DBClusterMembers ?? []) clusterOf.set(m.DBInstanceIdentifier!, c.DBClusterIdentifier!);
    const writers = new Set(data.clusters.flatMap((c) => (c.DBClusterMembers ?? []).filter((m) => m.IsClusterWriter).map((m) => m.DBInstanceIdentifier!)));
    const wave = (base: number) => Array.from({ length: 15 }, (_, i) => Math.round((base + Math.sin((n + i) / 2) * base * 0.4) * 100) / 100);
    for (const db of data.instances) {
      const id = db.DBInstanceIdentifier!;
      if (db.ReadReplicaSourceDBInstanceIdentifier) {
        n++;
        const values = n % 97 === 0 ? Array(15).fill(-1) : n % 50 === 0 ? wave(600) : wave(2);
        metrics.push(lagSeries('ReplicaLag', { DBInstanceIdentifier: id }, values));
      } else if (clusterOf.has(id) && !writers.has(id)) {
        n++;
        metrics.push(lagSeries('AuroraReplicaLag', { DBInstanceIdentifier: id }, wave(20)));
      }
    }
    for (const c of data.clusters) {
      if (c.GlobalClusterIdentifier && !(c.DBClusterMembers ?? []).some((m) => m.IsClusterWriter)) {
        metrics.push(lagSeries('AuroraGlobalDBRPOLag', { DBClusterIdentifier: c.DBClusterIdentifier! }, wave(900)));
      }
    }
    regions[region] = {
      dbInstances: data.instances as never,
      dbClusters: data.clusters as never,
      globalClusters: data.globalClusters as never,
      metrics,
    };
  }
  return { format: 'replguard-snapshot/v1', capturedAt: LARGE_FLEET_CAPTURED_AT, regions };
}
