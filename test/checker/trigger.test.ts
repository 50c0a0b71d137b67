import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { TriggerError, triggerOf, type CheckerEvent, type CloudTrailDetail, type RdsEventDetail } from '../../lambdas/checker/trigger';

function event<D extends string, T>(detailType: D, detail: T): EventBridgeEvent<D, T> {
  return {
    id: 'e-1',
    version: '0',
    account: '123456789012',
    time: '2026-11-24T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    source: 'aws.rds',
    'detail-type': detailType,
    detail,
  };
}

const EVENT_AT = Date.parse('2026-11-24T10:00:00Z');

describe('triggerOf', () => {
  it('runs the scope a schedule asks for', () => {
    expect(triggerOf({ scope: 'health' })).toEqual({ scope: 'health', reason: 'schedule' });
    expect(triggerOf({ scope: 'drift' })).toEqual({ scope: 'drift', reason: 'schedule' });
  });

  it('runs a health check for a replication event, naming it', () => {
    const e = event<'RDS DB Instance Event', RdsEventDetail>('RDS DB Instance Event', { EventID: 'RDS-EVENT-0045', SourceIdentifier: 'orders-ro-1' });

    expect(triggerOf(e)).toEqual({ scope: 'health', reason: 'RDS DB Instance Event RDS-EVENT-0045 orders-ro-1', eventAt: EVENT_AT });
  });

  it('runs a health check for a cluster failover or stop/start event, naming it', () => {
    const e = event<'RDS DB Cluster Event', RdsEventDetail>('RDS DB Cluster Event', { EventID: 'RDS-EVENT-0071', SourceIdentifier: 'orders-aurora' });

    expect(triggerOf(e)).toEqual({ scope: 'health', reason: 'RDS DB Cluster Event RDS-EVENT-0071 orders-aurora', eventAt: EVENT_AT });
  });

  it('runs a drift check for parameter group events and API calls', () => {
    const pg = event<'RDS DB Parameter Group Event', RdsEventDetail>('RDS DB Parameter Group Event', { EventID: 'RDS-EVENT-0037' });
    const api = event<'AWS API Call via CloudTrail', CloudTrailDetail>('AWS API Call via CloudTrail', { eventName: 'ModifyDBParameterGroup', awsRegion: 'eu-west-1' });

    expect(triggerOf(pg).scope).toBe('drift');
    expect(triggerOf(api)).toEqual({ scope: 'drift', reason: 'ModifyDBParameterGroup in eu-west-1', eventAt: EVENT_AT });
  });

  it('dates an event by its time, and one without a readable (or with a future) time as now, so it is never taken as already checked', () => {
    const now = EVENT_AT + 60_000;
    const e = event<'RDS DB Instance Event', RdsEventDetail>('RDS DB Instance Event', { EventID: 'RDS-EVENT-0045' });

    expect(triggerOf(e, now).eventAt).toBe(EVENT_AT);
    expect(triggerOf({ ...e, time: 'yesterday' }, now).eventAt).toBe(now);
    expect(triggerOf({ ...e, time: undefined } as unknown as CheckerEvent, now).eventAt).toBe(now);
    expect(triggerOf({ ...e, time: '2026-11-24T11:00:00Z' }, now).eventAt).toBe(now);
    expect(triggerOf({ scope: 'health' }, now).eventAt).toBeUndefined();
  });

  it('refuses what it cannot map rather than guessing', () => {
    expect(() => triggerOf({ scope: 'everything' } as unknown as CheckerEvent)).toThrow(TriggerError);
    expect(() => triggerOf(event('RDS DB Snapshot Event', {}) as unknown as CheckerEvent)).toThrow(/RDS DB Snapshot Event/);
  });

  it("runs a health check on a fan-out run's parts, and refuses a run without its results", () => {
    // Act
    const trigger = triggerOf({ fanOutRun: { runId: 'exec-1', capturedAt: '2026-11-24T10:00:00Z', results: [{ index: 0, accounts: 3 }] } });
    const broken = () => triggerOf({ fanOutRun: { runId: 'exec-1', capturedAt: '2026-11-24T10:00:00Z' } } as unknown as CheckerEvent);

    // Assess
    expect(trigger).toMatchObject({ scope: 'health', reason: 'fan-out run exec-1', fanOutRun: { runId: 'exec-1' } });
    expect(trigger.scheduledAt).toBeUndefined();
    expect(broken).toThrow(TriggerError);
    expect(broken).toThrow('"fanOutRun" must carry');
  });
});
