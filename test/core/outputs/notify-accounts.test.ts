import { describe, expect, it } from 'vitest';
import { planTransitions, type AlertState } from '../../../lambdas/core/outputs/alert-lifecycle';
import { MAX_SMS_BYTES, buildNotification, byteLength } from '../../../lambdas/core/outputs/notify';
import type { Finding } from '../../../lambdas/core/findings';
import { finding } from '../../support/findings';
import { NOW_DATE } from '../../support/fleet';

const PAYMENTS = '111122223333';
const SEARCH = '444455556666';

const broken = (accountId: string, accountName?: string): Finding =>
  finding({ code: 'REPLICATION_BROKEN', severity: 'critical', resource: 'orders-db', accountId, ...(accountName ? { accountName } : {}) });

function notify(findings: readonly Finding[], previous: readonly AlertState[] = []) {
  const plan = planTransitions({ scope: 'health', previous, findings, now: NOW_DATE, reminderHours: 4, minSeverity: 'warning' });
  return {
    plan,
    notification: buildNotification({
      scope: 'health',
      transitions: plan.transitions,
      open: plan.open,
      checkedAt: NOW_DATE.toISOString(),
      runbookBaseUrl: 'docs/runbook.md',
      smsMinSeverity: 'critical',
      reminderHours: 4,
    })!,
  };
}

describe('notifications name the account', () => {
  it('tells orders-db in two accounts apart, in the email and the SMS', () => {
    // Act
    const { notification } = notify([broken(PAYMENTS, 'payments-prod'), broken(SEARCH)]);

    // Assess
    expect(notification.email).toContain(`[CRITICAL] REPLICATION_BROKEN on orders-db (us-east-1, account ${PAYMENTS} payments-prod)`);
    expect(notification.email).toContain(`[CRITICAL] REPLICATION_BROKEN on orders-db (us-east-1, account ${SEARCH})`);
    expect(notification.sms).toContain('REPLICATION_BROKEN orders-db us-east-1 payments-prod');
    expect(notification.sms).toContain(`REPLICATION_BROKEN orders-db us-east-1 ${SEARCH}`);
  });

  it('names the account in the resolution', () => {
    // Prepare
    const { plan } = notify([broken(SEARCH)]);
    const stored = plan.transitions.map(({ next: { unsent: _sent, ...s } }) => s);

    // Act
    const { notification } = notify([], stored);

    // Assess
    expect(notification.email).toContain(`[RESOLVED] REPLICATION_BROKEN on orders-db (us-east-1, account ${SEARCH}), was critical`);
  });

  it.each([
    ['a long account name', 'payments-production-eu-central-and-more-words-to-make-it-long'],
    ['a multi-byte account name', 'Zahlungsverkehr-Produktion-Europa-Süd-Ost-Ümlaut'],
  ])('keeps the SMS within one part with %s, cutting the name, never the code', (_case, name) => {
    // Act
    const { notification } = notify([broken(PAYMENTS, name), broken(SEARCH, name)]);

    // Assess
    expect(byteLength(notification.sms)).toBeLessThanOrEqual(MAX_SMS_BYTES);
    expect(notification.sms).toContain(`REPLICATION_BROKEN orders-db us-east-1 ${[...name].slice(0, 16).join('')}`);
    expect(notification.sms).not.toContain(name);
  });
});
