/**
 * Global database members: pending-resync secondaries (protected or not), and the source and
 * global-cluster state named on a DR target's findings.
 */
import type { EvaluationContext } from '../context';
import { makeFinding, type Finding } from '../../findings';
import { withGlobalState, withSourceState } from '../health/health';

const finding = makeFinding;

/** A replica's findings name a down source or a running global switchover, as its health findings do. */
export function withReplicaContext(ctx: EvaluationContext, f: Finding): Finding {
  if (f.code !== 'RPO_EXCEEDED' && f.code !== 'GLOBAL_SECONDARY_NOT_SYNCED') return f;
  const replica = ctx.topology.replicas.find((r) => r.region === f.region && r.id === f.resource);
  if (!replica) return f;
  return withGlobalState(ctx.topology, replica.globalClusterId, withSourceState(replica, f));
}

/**
 * A resyncing global secondary matters whether or not the database is marked for DR: readers
 * in that region see stale data and a switchover to it is blocked.
 */
export function unprotectedResyncs(ctx: EvaluationContext, protectedGlobals: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const global of ctx.topology.globalClusters) {
    if (protectedGlobals.has(global.id)) continue;
    for (const secondary of global.secondaries) {
      if (secondary.synchronizationStatus !== 'pending-resync') continue;
      const writer = global.writer ? ` (writer ${global.writer.id} in ${global.writer.region})` : '';
      findings.push(resyncFinding(ctx, secondary, global.id, global.writer?.region ?? null, `global database ${global.id}${writer}`));
    }
  }
  return findings;
}

export function resyncFinding(
  ctx: EvaluationContext,
  secondary: { readonly id: string; readonly region: string },
  globalClusterId: string,
  writerRegion: string | null,
  label: string,
): Finding {
  return finding(ctx.config, {
    code: 'GLOBAL_SECONDARY_NOT_SYNCED',
    severity: 'warning',
    region: secondary.region,
    resource: secondary.id,
    message:
      `Secondary cluster ${secondary.id} (${secondary.region}) of ${label} has SynchronizationStatus ` +
      `pending-resync as of ${ctx.snapshot.capturedAt}: it is not in sync with the writer and is not a ` +
      `safe failover target until it reports connected.`,
    evidence: { globalCluster: globalClusterId, synchronizationStatus: 'pending-resync', writerRegion },
    hint: "Usually follows a switchover or failover and clears on its own; if it lasts, read the global cluster's events and the secondary's status before relying on it.",
  });
}
