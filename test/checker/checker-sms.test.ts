/**
 * Who the deployed checker pages: the real SNS client publishing to a FaultWorld endpoint, which
 * records the message attribute the SMS subscriptions' filter policy matches (see
 * test/lib/paging.test.ts for the policy itself, evaluated with SNS's matching rules).
 */
import { describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../lambdas/core/config';
import { SMS_ATTRIBUTE, SMS_PAGE, SMS_QUIET } from '../../lambdas/core/outputs/notify';
import { FaultWorld } from '../support/fault-world';
import { deployInWorld, useWorldServers } from '../support/world-checker';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const T0 = Date.parse('2026-11-24T10:00:00Z');

const servers = useWorldServers();

/** One health run over a replica 120 s behind: over the warning threshold, under the critical one. */
async function warningRun(notifications: ConfigInput['notifications']) {
  const world = new FaultWorld();
  world.lag.set('orders-ro', 120);
  world.now = () => new Date(T0);
  const { invoke } = await deployInWorld(servers, world, {
    config: { regions: ['us-east-1', 'us-west-2'], lag: { warningSeconds: 60, criticalSeconds: 600 }, notifications },
    clock: () => new Date(T0),
    name: 'sms',
  });
  await invoke();
  return world.sent;
}

describe('who the deployed checker pages', () => {
  it('does not page phones for a warning by default (smsMinSeverity critical); the email still goes out', async () => {
    // Act
    const sent = await warningRun({ emails: ['oncall@example.com'], smsNumbers: ['+15555550100'] });

    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]!.news).toEqual(['NEW REPLICA_LAG_HIGH orders-ro']);
    expect(sent[0]!.attributes).toEqual({ [SMS_ATTRIBUTE]: SMS_QUIET });
  });

  it('pages phones for the same warning when smsMinSeverity is warning', async () => {
    // Act
    const sent = await warningRun({ emails: ['oncall@example.com'], smsNumbers: ['+15555550100'], smsMinSeverity: 'warning' });

    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]!.attributes).toEqual({ [SMS_ATTRIBUTE]: SMS_PAGE });
    expect(sent[0]!.sms).toContain('orders-ro');
  });
});
