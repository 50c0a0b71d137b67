/**
 * Probe observations carried in a snapshot, judged beside the CloudWatch-based rules: the
 * heartbeat's lag replaces CloudWatch's for a replica when it is fresh, and the probe's
 * replication-stopped findings (with the engine's own error) replace the status-based ones.
 */
import type { Config } from '../../config';
import type { Finding, FindingCode } from '../../findings';
import type { FleetSnapshot } from '../../fleet/model';
import type { ProbeObservation } from '../../fleet/probe-observation';
import { evaluateProbes, type ProbeReplicaVerdict } from './probe-rules';

export interface SnapshotProbeResult {
  readonly findings: readonly Finding[];
  /** Replicas whose lag the heartbeat measured, by `region\0id`. */
  readonly heartbeatLag: ReadonlyMap<string, ProbeReplicaVerdict>;
  /** Places the probe found replication stopped. */
  readonly stopped: ReadonlySet<string>;
}

export const placeKey = (region: string, resource: string) => `${region}\u0000${resource}`;

/** Observations older than the lag window before `capturedAt` say nothing about now. */
export function evaluateSnapshotProbes(snapshot: FleetSnapshot, config: Config): SnapshotProbeResult {
  const now = Date.parse(snapshot.capturedAt);
  const oldest = now - config.lag.windowMinutes * 60_000;
  const observations: ProbeObservation[] = [];
  for (const [region, data] of Object.entries(snapshot.regions)) {
    for (const o of data.probes ?? []) {
      const at = Date.parse(o.observedAt);
      if (at >= oldest && at <= now + 60_000) observations.push({ ...o, region });
    }
  }
  if (observations.length === 0) return { findings: [], heartbeatLag: new Map(), stopped: new Set() };
  const result = evaluateProbes(observations, config);
  const heartbeatLag = new Map(
    result.replicas.filter((r) => r.lagSource === 'heartbeat').map((r) => [placeKey(r.region, r.target), r]),
  );
  const stopped = new Set(
    result.findings
      .filter((f) => f.code === 'REPLICATION_BROKEN' || f.code === 'REPLICATION_IO_STOPPED')
      .map((f) => placeKey(f.region, f.resource)),
  );
  return { findings: result.findings, heartbeatLag, stopped };
}

const REPLACED_BY_HEARTBEAT: ReadonlySet<FindingCode> = new Set(['REPLICA_LAG_HIGH', 'LAG_METRIC_MISSING']);

/** The CloudWatch-based health findings the probe's fresher evidence replaces, removed. */
export function withoutReplacedByProbe(health: readonly Finding[], probe: SnapshotProbeResult): Finding[] {
  return health.filter((f) => {
    const place = placeKey(f.region, f.resource);
    if (REPLACED_BY_HEARTBEAT.has(f.code) && probe.heartbeatLag.has(place)) return false;
    if (f.code === 'REPLICATION_BROKEN' && probe.stopped.has(place)) return false;
    return true;
  });
}
