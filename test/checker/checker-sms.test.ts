/**
 * Who the deployed checker pages: the real SNS client publishing to a FaultWorld endpoint, which
 * records the message attribute the SMS subscriptions' filter policy matches (see
 * test/lib/paging.test.ts for the policy itself, evaluated with SNS's matching rules).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CheckerEnvironment } from '../../lambdas/checker/env';
import { parseConfig, type ConfigInput } from '../../lambdas/core/config';
import { SMS_ATTRIBUTE, SMS_PAGE, SMS_QUIET } from '../../lambdas/core/outputs/notify';
import { startDynalite, type LocalDynamo } from '../support/dynalite';
import { ACCOUNT, FaultWorld, TOPIC_ARN } from '../support/fault-world';
import type { LocalAwsEndpoint } from '../support/local-aws-endpoint';
import { worldChecker } from '../support/world-checker';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const T0 = Date.parse('2026-11-24T10:00:00Z');

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});
let endpoint: LocalAwsEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

/** One health run over a replica 120 s behind: over the warning threshold, under the critical one. */
async function warningRun(notifications: ConfigInput['notifications']) {
  const world = new FaultWorld();
  world.lag.set('orders-ro', 120);
  endpoint = await world.start();
  world.now = () => new Date(T0);
  const env: CheckerEnvironment = {
    config: parseConfig({ regions: ['us-east-1', 'us-west-2'], lag: { warningSeconds: 60, criticalSeconds: 600 }, notifications }),
    configFile: 'sms',
    tableName: await dynamo.createAlertTable(),
    topicArn: TOPIC_ARN,
    dashboardName: 'replication-guard',
    dashboardRegion: 'us-east-1',
    deploymentName: 'sms-suite',
  };
  const check = worldChecker({ env, endpointUrl: endpoint.url, dynamoUrl: dynamo.url, clock: () => new Date(T0) });
  await check(
    { scope: 'health' },
    { awsRequestId: 'req-1', invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:checker`, getRemainingTimeInMillis: () => 120_000 },
  );
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
