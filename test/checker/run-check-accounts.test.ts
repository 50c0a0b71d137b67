import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DynamoAlertStateStore, toItem } from '../../lambdas/aws/alert-state-store';
import { CloudWatchMetricsPublisher } from '../../lambdas/aws/metrics-publisher';
import { SnsNotificationPublisher } from '../../lambdas/aws/sns-publisher';
import { deployingAccountOf } from '../../lambdas/checker/account-targets';
import { runCheck, type CheckLogger } from '../../lambdas/checker/run-check';
import { parseConfig } from '../../lambdas/core/config';
import { SNAPSHOT_FORMAT_V2, type AccountSnapshot, type FleetSnapshot, type OrgSnapshot } from '../../lambdas/core/fleet/model';
import type { OrgReader } from '../../lambdas/core/fleet/reader';
import { planTransitions } from '../../lambdas/core/outputs/alert-lifecycle';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import { fakeAlertTable } from '../support/alert-table-fake';
import { fleet, instance, lag, NOW_DATE, replica } from '../support/fleet';

const DEPLOYING = '111122223333';
const MEMBER = '444455556666';
const silent: CheckLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const config = parseConfig({ regions: ['us-east-1'], notifications: { emails: ['oncall@example.com'] } });

const at = (minutes: number) => new Date(NOW_DATE.getTime() + minutes * 60_000).toISOString();
const lagging = (minutes: number): FleetSnapshot =>
  fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics: [lag('orders-ro', [900, 900, 900, 900, 900])] } }, at(minutes));
const healthy = (minutes: number): FleetSnapshot =>
  fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics: [lag('orders-ro', [1, 1, 1, 1, 1])] } }, at(minutes));
const unreadable: AccountSnapshot = { regions: {}, errors: [{ operation: 'sts:AssumeRole', code: 'AccessDenied', message: 'not authorized' }] };

const org = (minutes: number, accounts: Record<string, AccountSnapshot>): OrgSnapshot => ({ format: SNAPSHOT_FORMAT_V2, capturedAt: at(minutes), accounts });

function harness() {
  const table = fakeAlertTable();
  const sns = new SNSClient({ region: 'us-east-1' });
  const snsMock = mockClient(sns);
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
  const cw = new CloudWatchClient({ region: 'us-east-1' });
  mockClient(cw).on(PutMetricDataCommand).resolves({});
  const check = (token: string, read: OrgSnapshot) => {
    const reader: OrgReader = { read: async () => read };
    return runCheck(
      { scope: 'health', token, reason: 'test' },
      { config, deployingAccountId: DEPLOYING },
      {
        readerFor: () => reader,
        metrics: new CloudWatchMetricsPublisher(cw),
        store: new DynamoAlertStateStore(table.client, 'alerts'),
        notifier: new SnsNotificationPublisher(sns, 'arn:aws:sns:us-east-1:111122223333:alerts'),
        logger: silent,
      },
    );
  };
  const emails = () => snsMock.commandCalls(PublishCommand).map((c) => JSON.parse(c.args[0].input.Message!).email as string);
  return { table, check, emails };
}

describe('a check over accounts, through the alert table', () => {
  it('reads alerts stored before keys named the account as the deploying account\'s: no RESOLVED+NEW on upgrade', async () => {
    // Prepare: the open lag alert as the previous version stored it, keyed without an account.
    const h = harness();
    const before = planTransitions({ scope: 'health', previous: [], findings: evaluate(lagging(0), { config, scope: 'health' }).findings, now: NOW_DATE, reminderHours: 4, minSeverity: 'warning' });
    for (const t of before.transitions) {
      const { unsent: _sent, ...stored } = t.next;
      const item = toItem(stored);
      h.table.items.set(`${item.pk!.S}|${item.sk!.S}`, item);
    }
    const legacyKeys = [...h.table.items.keys()];

    // Act
    const upgraded = await h.check('req-1', org(1, { [DEPLOYING]: { regions: lagging(1).regions } }));
    const cleared = await h.check('req-2', org(2, { [DEPLOYING]: { regions: healthy(2).regions } }));

    // Assess
    expect(legacyKeys).toEqual(['health|REPLICA_LAG_HIGH/us-east-1/orders-ro']);
    expect(upgraded.transitions).toEqual({});
    expect(cleared.transitions).toEqual({ resolved: 1 });
    expect(h.emails()).toHaveLength(1);
    expect(h.emails()[0]).toContain(`[RESOLVED] REPLICA_LAG_HIGH on orders-ro (us-east-1, account ${DEPLOYING})`);
    // Resolved in the item it was stored under: no second item for the same alert.
    expect([...h.table.items.keys()]).toEqual(legacyKeys);
    expect(h.table.items.get(legacyKeys[0]!)!.status!.S).toBe('resolved');
  });

  it('holds an unreadable account\'s alerts and pages its CHECK_DEGRADED, while another account resolves', async () => {
    // Prepare: the same replica name lags in both accounts.
    const h = harness();
    const opened = await h.check('req-1', org(0, { [DEPLOYING]: { regions: lagging(0).regions }, [MEMBER]: { name: 'search', regions: lagging(0).regions } }));

    // Act: the member account's role cannot be assumed; the deploying account's replica recovered.
    const blind = await h.check('req-2', org(1, { [DEPLOYING]: { regions: healthy(1).regions }, [MEMBER]: { name: 'search', ...unreadable } }));

    // Assess
    expect(opened.transitions).toEqual({ opened: 2 });
    expect(blind.transitions).toEqual({ opened: 1, resolved: 1 });
    expect(blind.degradedRegions).toEqual([`${MEMBER}/us-east-1`]);
    expect(blind.accounts).toBe(2);
    const email = h.emails()[1]!;
    expect(email).toContain(`[CRITICAL] CHECK_DEGRADED on sts:AssumeRole (us-east-1, account ${MEMBER} search)`);
    expect(email).toContain(`[RESOLVED] REPLICA_LAG_HIGH on orders-ro (us-east-1, account ${DEPLOYING})`);
    expect(email).not.toContain(`[RESOLVED] REPLICA_LAG_HIGH on orders-ro (us-east-1, account ${MEMBER}`);
    const memberLag = [...h.table.items.values()].find((i) => i.sk!.S === `${MEMBER}/REPLICA_LAG_HIGH/us-east-1/orders-ro`);
    expect(memberLag!.status!.S).toBe('open');
  });
});

describe('the deploying account', () => {
  it.each([
    ['arn:aws:lambda:us-east-1:111122223333:function:checker', '111122223333'],
    ['arn:aws:lambda:us-east-1:111122223333:function:checker:live', '111122223333'],
    ['arn:aws-cn:lambda:cn-north-1:444455556666:function:checker', '444455556666'],
  ])('is the account of the invoked function ARN %s', (arn, account) => {
    expect(deployingAccountOf({ invokedFunctionArn: arn })).toBe(account);
  });

  it('refuses an invocation whose ARN names no account, rather than guess one', () => {
    expect(() => deployingAccountOf({ invokedFunctionArn: 'checker' })).toThrow(/names no 12-digit account/);
  });
});
