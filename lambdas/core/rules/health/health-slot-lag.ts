/**
 * PostgreSQL replication slot lag: WAL a source retains for its slowest slot, over the byte
 * thresholds in M of the last N datapoints.
 */
import { readsDetail } from '../../fleet/cadence';
import type { EvaluationContext } from '../context';
import { makeFinding, type Finding, type Severity } from '../../findings';
import { formatBytes } from '../../shared/format';
import { inWindow, isSustained, lastCounted, sinceText, streakStart } from './health-window';
import { samplesOf, SLOT_LAG_METRIC } from '../../fleet/metric-plan';
import { engineFamily } from '../../fleet/topology';

const finding = makeFinding;

/** Slot-lag findings for every PostgreSQL instance read. */
export function slotLagFindings(ctx: EvaluationContext): Finding[] {
  const { config } = ctx;
  const findings: Finding[] = [];
  if (!readsDetail(ctx.reads ?? 'full')) return findings;
  const { datapointsToAlarm: m } = config.lag;
  for (const instance of ctx.topology.instances) {
    if (engineFamily(instance.engine) !== 'postgres') continue;
    const samples = inWindow(
      samplesOf(ctx.metrics.find(instance.region, SLOT_LAG_METRIC, { DBInstanceIdentifier: instance.id })),
      ctx.now,
      config.lag.windowMinutes,
    );
    const recent = lastCounted(ctx, samples);
    const { warningBytes, criticalBytes } = config.replicationSlot;
    const over = (limit: number) => recent.filter((s) => s.value > limit).length;
    const severity: Severity | undefined = isSustained(over(criticalBytes), recent.length, m)
      ? 'critical'
      : isSustained(over(warningBytes), recent.length, m)
        ? 'warning'
        : undefined;
    if (!severity) continue;
    const limit = severity === 'critical' ? criticalBytes : warningBytes;
    const latest = recent[recent.length - 1]!.value;
    const since = sinceText(streakStart(samples, (v) => v > limit), samples[0]?.timestamp);
    findings.push(
      finding(config, {
        code: 'REPLICATION_SLOT_LAG_HIGH',
        severity,
        region: instance.region,
        resource: instance.id,
        message:
          `${instance.id} (${instance.region}) retains ${formatBytes(latest)} of WAL for its slowest replication slot, ` +
          `over the ${severity} threshold of ${formatBytes(limit)} in ${over(limit)} of the last ${recent.length} datapoints, ${since}.`,
        evidence: {
          metric: SLOT_LAG_METRIC,
          bytes: latest,
          thresholdBytes: limit,
          datapointsOver: over(limit),
          evaluatedDatapoints: recent.length,
          since: since || null,
        },
        hint: 'Find the slot in pg_replication_slots (inactive or far behind); fix or drop its consumer before the WAL fills the storage.',
      }),
    );
  }
  return findings;
}
