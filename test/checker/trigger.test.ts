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

describe('triggerOf', () => {
  it('runs the scope a schedule asks for', () => {
    expect(triggerOf({ scope: 'health' })).toEqual({ scope: 'health', reason: 'schedule' });
    expect(triggerOf({ scope: 'drift' })).toEqual({ scope: 'drift', reason: 'schedule' });
  });

  it('runs a health check for a replication event, naming it', () => {
    const e = event<'RDS DB Instance Event', RdsEventDetail>('RDS DB Instance Event', { EventID: 'RDS-EVENT-0045', SourceIdentifier: 'orders-ro-1' });

    expect(triggerOf(e)).toEqual({ scope: 'health', reason: 'RDS DB Instance Event RDS-EVENT-0045 orders-ro-1' });
  });

  it('runs a health check for a cluster failover or stop/start event, naming it', () => {
    const e = event<'RDS DB Cluster Event', RdsEventDetail>('RDS DB Cluster Event', { EventID: 'RDS-EVENT-0071', SourceIdentifier: 'orders-aurora' });

    expect(triggerOf(e)).toEqual({ scope: 'health', reason: 'RDS DB Cluster Event RDS-EVENT-0071 orders-aurora' });
  });

  it('runs a drift check for parameter group events and API calls', () => {
    const pg = event<'RDS DB Parameter Group Event', RdsEventDetail>('RDS DB Parameter Group Event', { EventID: 'RDS-EVENT-0037' });
    const api = event<'AWS API Call via CloudTrail', CloudTrailDetail>('AWS API Call via CloudTrail', { eventName: 'ModifyDBParameterGroup', awsRegion: 'eu-west-1' });

    expect(triggerOf(pg).scope).toBe('drift');
    expect(triggerOf(api)).toEqual({ scope: 'drift', reason: 'ModifyDBParameterGroup in eu-west-1' });
  });

  it('refuses what it cannot map rather than guessing', () => {
    expect(() => triggerOf({ scope: 'everything' } as unknown as CheckerEvent)).toThrow(TriggerError);
    expect(() => triggerOf(event('RDS DB Snapshot Event', {}) as unknown as CheckerEvent)).toThrow(/RDS DB Snapshot Event/);
  });
});
