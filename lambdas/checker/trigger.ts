/**
 * What started a check, and so which scope it runs. Schedules send a constant `{"scope": ...}`;
 * RDS and CloudTrail events arrive as EventBridge events and are mapped by detail type.
 * The stack builds its rules from the same constants, so the two cannot drift apart.
 */
import type { AggregateEvent } from '../fanout/fan-out';
import type { EventBridgeEvent } from 'aws-lambda';

export type CheckScope = 'health' | 'drift';

/** The constant input of the two schedules. */
export interface ScheduledCheckInput {
  readonly scope: CheckScope;
  /** The schedule's event time (EventBridge `$.time`): what a health run reads is decided by it (lambdas/core/fleet/cadence). */
  readonly time?: string;
}

export const RDS_EVENT_SOURCE = 'aws.rds';
export const RDS_INSTANCE_EVENT = 'RDS DB Instance Event';
export const RDS_CLUSTER_EVENT = 'RDS DB Cluster Event';
export const RDS_PARAMETER_GROUP_EVENT = 'RDS DB Parameter Group Event';
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/** Replication error (0045), resumed (0046), streaming terminated (0057), manually stopped (0062). */
export const REPLICATION_EVENT_IDS = ['RDS-EVENT-0045', 'RDS-EVENT-0046', 'RDS-EVENT-0057', 'RDS-EVENT-0062'] as const;
/**
 * DB cluster events that change who replicates from whom, or whether readers can: failover
 * failed (0069), restarted (0070), finished (0071), begun in the same AZ (0072) or across AZs
 * (0073); cluster stopped (0150) and started (0151); global database failover started (0181),
 * finished (0185), canceled (0186) and failed (0187).
 */
export const CLUSTER_EVENT_IDS = [
  'RDS-EVENT-0069',
  'RDS-EVENT-0070',
  'RDS-EVENT-0071',
  'RDS-EVENT-0072',
  'RDS-EVENT-0073',
  'RDS-EVENT-0150',
  'RDS-EVENT-0151',
  'RDS-EVENT-0181',
  'RDS-EVENT-0185',
  'RDS-EVENT-0186',
  'RDS-EVENT-0187',
] as const;
/** Parameter group updated. */
export const PARAMETER_GROUP_EVENT_IDS = ['RDS-EVENT-0037'] as const;
/** API calls that change a parameter or the instance/cluster settings the drift rules compare. */
export const DRIFT_API_CALLS = [
  'ModifyDBParameterGroup',
  'ModifyDBClusterParameterGroup',
  'ResetDBParameterGroup',
  'ResetDBClusterParameterGroup',
  'ModifyDBInstance',
  'ModifyDBCluster',
] as const;

/** `detail` of an RDS event (only the fields logged). */
export interface RdsEventDetail {
  readonly EventID?: string;
  readonly SourceIdentifier?: string;
  readonly SourceType?: string;
  readonly Message?: string;
}

/** `detail` of a CloudTrail API call event (only the fields logged). */
export interface CloudTrailDetail {
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly awsRegion?: string;
}

export type RdsEvent = EventBridgeEvent<
  typeof RDS_INSTANCE_EVENT | typeof RDS_CLUSTER_EVENT | typeof RDS_PARAMETER_GROUP_EVENT,
  RdsEventDetail
>;
export type CloudTrailEvent = EventBridgeEvent<typeof CLOUDTRAIL_API_CALL, CloudTrailDetail>;
/** The fan-out's last step: check the run's merged parts instead of reading AWS (lib/fan-out.ts). */
export interface FanOutRunInput {
  readonly fanOutRun: AggregateEvent;
}
export type CheckerEvent = ScheduledCheckInput | RdsEvent | CloudTrailEvent | FanOutRunInput;

export interface CheckTrigger {
  readonly scope: CheckScope;
  /** For the logs: "schedule", or the event's detail type and id. */
  readonly reason: string;
  /**
   * When the event happened (its `time`, epoch ms); absent for schedules. Event-triggered runs
   * are coalesced on it. An event without a readable time is treated as happening now.
   */
  readonly eventAt?: number;
  /** When a schedule fired (epoch ms), from its `time`; absent for events and for schedule inputs without one. */
  readonly scheduledAt?: number;
  /** A fan-out run whose parts this check reads. */
  readonly fanOutRun?: AggregateEvent;
}

export class TriggerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TriggerError';
  }
}

const isScope = (value: unknown): value is CheckScope => value === 'health' || value === 'drift';

/** The event's `time`; a missing or unreadable one counts as now, so the event is never dropped as covered. */
function eventTime(event: { readonly time?: unknown }, now: number): number {
  const at = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
  return Number.isFinite(at) ? Math.min(at, now) : now;
}

export function triggerOf(event: CheckerEvent, now: number = Date.now()): CheckTrigger {
  if ('fanOutRun' in event) {
    const run = event.fanOutRun;
    if (!run || typeof run.runId !== 'string' || typeof run.capturedAt !== 'string' || !Array.isArray(run.results)) {
      throw new TriggerError('Checker input "fanOutRun" must carry the run\'s runId, capturedAt and results.');
    }
    return { scope: 'health', reason: `fan-out run ${run.runId}`, fanOutRun: run };
  }
  if ('scope' in event) {
    if (!isScope(event.scope)) {
      throw new TriggerError(`Checker input "scope" must be "health" or "drift" (got ${JSON.stringify(event.scope)}).`);
    }
    const at = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
    return { scope: event.scope, reason: 'schedule', ...(Number.isFinite(at) ? { scheduledAt: at } : {}) };
  }
  const detailType: string = event['detail-type'];
  if (detailType === RDS_INSTANCE_EVENT || detailType === RDS_CLUSTER_EVENT || detailType === RDS_PARAMETER_GROUP_EVENT) {
    const detail = (event as RdsEvent).detail;
    return {
      scope: detailType === RDS_PARAMETER_GROUP_EVENT ? 'drift' : 'health',
      reason: `${detailType} ${detail?.EventID ?? ''} ${detail?.SourceIdentifier ?? ''}`.trim(),
      eventAt: eventTime(event, now),
    };
  }
  if (detailType === CLOUDTRAIL_API_CALL) {
    const detail = (event as CloudTrailEvent).detail;
    return { scope: 'drift', reason: `${detail?.eventName ?? 'API call'} in ${detail?.awsRegion ?? event.region}`, eventAt: eventTime(event, now) };
  }
  throw new TriggerError(`Checker cannot tell which check to run for event detail-type ${JSON.stringify(detailType)}.`);
}
