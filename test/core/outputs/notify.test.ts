import { describe, expect, it } from 'vitest';
import { planTransitions, type AlertState, type Transition } from '../../../lambdas/core/outputs/alert-lifecycle';
import {
  MAX_SMS_BYTES,
  messageAttributes,
  SNS_MAX_PUBLISH_BYTES,
  buildNotification,
  byteLength,
  dashboardConsoleUrl,
  snsMessage,
  truncateBytes,
  type NotificationInput,
} from '../../../lambdas/core/outputs/notify';
import type { Finding } from '../../../lambdas/core/findings';
import { finding } from '../../support/findings';
import { NOW_DATE } from '../../support/fleet';

const broken = finding({
  code: 'REPLICATION_BROKEN',
  severity: 'critical',
  region: 'us-west-2',
  resource: 'orders-ro-west',
  message: 'orders-ro-west (us-west-2) stopped replicating from orders: read replication status "error" since 09:52Z.',
  hint: 'Read the replica\'s StatusInfos message and the RDS event log; a duplicate-key error means data diverged.',
  runbook: 'https://runbook.example/runbook.md#replication_broken',
});
const lag = finding({
  code: 'REPLICA_LAG_HIGH',
  severity: 'warning',
  resource: 'orders-ro-1',
  message: 'orders-ro-1 lag 95 s above the warning threshold 30 s for 6 min (since 09:54Z).',
  hint: 'Check the replica\'s CPU and IOPS against the source; a long transaction on the source shows as lag.',
});

/** The alert states after a run whose news was sent and confirmed. */
const delivered = (transitions: readonly Transition[]): AlertState[] => transitions.map(({ next: { unsent: _unsent, ...state } }) => state);

function opened(findings: readonly Finding[], previous: readonly AlertState[] = []) {
  return planTransitions({ scope: 'health', previous, findings, now: NOW_DATE, reminderHours: 4, minSeverity: 'warning' });
}

function input(transitions: readonly Transition[], open: readonly AlertState[], extra: Partial<NotificationInput> = {}): NotificationInput {
  return {
    scope: 'health',
    transitions,
    open,
    checkedAt: NOW_DATE.toISOString(),
    runbookBaseUrl: 'https://runbook.example/runbook.md',
    dashboardUrl: dashboardConsoleUrl('eu-central-1', 'ReplicationGuard-prod'),
    deploymentName: 'ReplicationGuard',
    smsMinSeverity: 'critical',
    reminderHours: 4,
    ...extra,
  };
}

describe('buildNotification', () => {
  it('sends nothing when nothing is news', () => {
    expect(buildNotification(input([], []))).toBeUndefined();
  });

  it('groups every new finding into one message with what, where, since, cause, runbook and dashboard', () => {
    // Prepare
    const plan = opened([broken, lag]);

    // Act
    const n = buildNotification(input(plan.transitions, plan.open))!;

    // Assess
    expect(n.subject).toBe('[Replication Guard] CRITICAL: 2 new (open: 1 critical, 1 warning) - ReplicationGuard');
    expect(n.email).toContain('== NEW (2) ==');
    expect(n.email).toContain('[CRITICAL] REPLICATION_BROKEN on orders-ro-west (us-west-2)');
    expect(n.email).toContain(`What: ${broken.message}`);
    expect(n.email).toContain(`Likely cause and first step: ${broken.hint}`);
    expect(n.email).toContain('Runbook: https://runbook.example/runbook.md#replication_broken');
    expect(n.email).toContain('Open since: 2026-11-24T10:00:00Z');
    expect(n.email).toContain('in the health check at 2026-11-24T10:00:00Z.');
    expect(n.email).toContain('[WARNING] REPLICA_LAG_HIGH on orders-ro-1 (us-east-1)');
    expect(n.email).toContain('Dashboard: https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards:name=ReplicationGuard-prod');
    expect(n.email).toContain('replguard report --out review.html');
    // Critical first.
    expect(n.email.indexOf('REPLICATION_BROKEN')).toBeLessThan(n.email.indexOf('REPLICA_LAG_HIGH'));
    expect(n.sendSms).toBe(true);
    expect(n.sms).toBe('ReplGuard CRIT: 2 new. REPLICATION_BROKEN orders-ro-west us-west-2; REPLICA_LAG_HIGH orders-ro-1 us-east-1');
  });

  it('builds the SNS json message with default, email and sms keys', () => {
    const plan = opened([broken]);
    const n = buildNotification(input(plan.transitions, plan.open))!;

    const parsed = JSON.parse(snsMessage(n)) as Record<string, string>;

    expect(Object.keys(parsed).sort()).toEqual(['default', 'email', 'sms']);
    expect(parsed.email).toBe(n.email);
    expect(parsed.sms).toBe(n.sms);
    expect(parsed.default).toContain('REPLICATION_BROKEN');
  });

  it('keeps the subject ASCII and under 100 characters however long the names are', () => {
    const plan = opened([finding({ code: 'REPLICA_LAG_HIGH', severity: 'warning', resource: 'x'.repeat(60) })]);

    const n = buildNotification(input(plan.transitions, plan.open, { deploymentName: 'Réplication-Überwachung-'.repeat(4) }))!;

    expect(n.subject.length).toBeLessThan(100);
    expect(n.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(n.subject).toContain('WARNING');
  });

  it('fits the SMS into 140 bytes even with many findings and multi-byte text', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      finding({ code: 'REPLICATION_BROKEN', resource: `réplica-ünïcode-${i}-東京`, region: 'ap-northeast-1' }),
    );
    const plan = opened(many);

    const n = buildNotification(input(plan.transitions, plan.open))!;

    expect(Buffer.byteLength(n.sms, 'utf8')).toBeLessThanOrEqual(MAX_SMS_BYTES);
    expect(n.sms).toMatch(/^ReplGuard CRIT: 40 new\./);
    expect(n.sms).toMatch(/\+\d+ more$/);
  });

  it('stays one message within SNS\'s 256 KB when a whole fleet breaks at once', () => {
    const storm = Array.from({ length: 2_000 }, (_, i) =>
      finding({ code: 'REPLICATION_BROKEN', resource: `replica-${String(i).padStart(4, '0')}`, message: `replica-${i} stopped replicating. ${'x'.repeat(300)}` }),
    );
    const plan = opened(storm);

    const n = buildNotification(input(plan.transitions, plan.open))!;

    expect(Buffer.byteLength(snsMessage(n), 'utf8')).toBeLessThan(256 * 1024);
    expect(n.subject).toContain('2000 new');
    expect(n.email.match(/Likely cause and first step/g)).toHaveLength(50);
    expect(n.email).toContain('- [CRITICAL] REPLICATION_BROKEN on replica-0050 (us-east-1)');
    expect(n.email).toMatch(/\.\.\. and \d+ more not listed here/);
  });

  it('budgets the bytes SNS receives, escapes and multi-byte text included, and names what it cut', () => {
    // Prepare: thousands of findings whose AWS text is long, quoted, with backslashes and non-ASCII.
    const awsText = `Réplication « arrêtée » — 复制已停止: "Error 'Duplicate entry' at C:\\data\\ib_log" ${'"\\'.repeat(900)} 🚨`;
    const storm = Array.from({ length: 5_000 }, (_, i) =>
      finding({ code: 'REPLICA_LAG_HIGH', severity: 'warning', resource: `db-${String(i).padStart(4, '0')}`, message: awsText, hint: awsText }),
    );
    const plan = opened(storm);

    // Act
    const n = buildNotification(input(plan.transitions, plan.open))!;

    // Assess: the whole publish as SNS counts it (MessageStructure JSON, subject, the SMS attribute).
    const published =
      byteLength(snsMessage(n)) + byteLength(n.subject) +
      Object.entries(messageAttributes(n)).reduce((sum, [name, value]) => sum + byteLength(name + 'String' + value), 0);
    expect(n.sendSms).toBe(false);
    expect(published).toBeLessThanOrEqual(SNS_MAX_PUBLISH_BYTES);
    const listed = n.email.match(/REPLICA_LAG_HIGH on db-\d{4} \(/g)!.length;
    const more = Number(/\.\.\. and (\d+) more not listed here: see the dashboard/.exec(n.email)?.[1]);
    // The most urgent in full, then as many as fit one line each, the rest counted.
    expect(n.email).toContain('Likely cause and first step');
    expect(listed).toBeGreaterThan(1_000);
    expect(listed + more).toBe(5_000);
    // The way out is never cut.
    expect(n.email).toContain('Dashboard: https://eu-central-1.console.aws.amazon.com/');
  });

  it('still names a finding whose AWS text alone is larger than SNS takes', () => {
    const huge = finding({ code: 'REPLICATION_BROKEN', resource: 'orders-ro-1', message: `"${'\\"'.repeat(150_000)}` });
    const plan = opened([huge, lag]);

    const n = buildNotification(input(plan.transitions, plan.open))!;

    expect(byteLength(snsMessage(n)) + byteLength(n.subject)).toBeLessThanOrEqual(SNS_MAX_PUBLISH_BYTES);
    expect(n.email).toContain('- [CRITICAL] REPLICATION_BROKEN on orders-ro-1 (us-east-1)');
    expect(n.email).toContain('[WARNING] REPLICA_LAG_HIGH on orders-ro-1 (us-east-1)');
  });

  it('labels a deleted database\'s alert as gone, not resolved', () => {
    const first = opened([broken]);
    const gone = planTransitions({
      scope: 'health',
      previous: delivered(first.transitions),
      findings: [],
      now: new Date(NOW_DATE.getTime() + 30 * 60_000),
      reminderHours: 4,
      minSeverity: 'warning',
      described: { regional: new Set(), global: new Set() },
      regionsRead: ['us-west-2'],
    });

    const n = buildNotification(input(gone.transitions, gone.open, { checkedAt: new Date(NOW_DATE.getTime() + 30 * 60_000).toISOString() }))!;

    expect(n.subject).toContain('GONE: 1 gone (open: none)');
    expect(n.email).toContain('== GONE (deleted) (1) ==');
    expect(n.email).toContain('[GONE] REPLICATION_BROKEN on orders-ro-west (us-west-2), was critical');
    expect(n.email).not.toContain('RESOLVED');
    expect(n.sms).toBe('ReplGuard OK: 1 gone. REPLICATION_BROKEN orders-ro-west us-west-2');
  });

  it('marks runs below smsMinSeverity so phones are spared', () => {
    const plan = opened([lag]);

    const n = buildNotification(input(plan.transitions, plan.open))!;

    expect(n.sendSms).toBe(false);
    expect(n.subject).toContain('WARNING: 1 new');
  });

  it('reports reminders and resolutions with how long the alert has been open', () => {
    const first = opened([broken, lag]);
    const later = new Date(NOW_DATE.getTime() + 4 * 3_600_000);
    const plan = planTransitions({
      scope: 'health',
      previous: delivered(first.transitions),
      findings: [broken],
      now: later,
      reminderHours: 4,
      minSeverity: 'warning',
    });

    const n = buildNotification(input(plan.transitions, plan.open, { checkedAt: later.toISOString() }))!;

    expect(plan.transitions.map((t) => t.kind).sort()).toEqual(['reminder', 'resolved']);
    expect(n.subject).toBe('[Replication Guard] CRITICAL: 1 still open, 1 resolved (open: 1 critical) - ReplicationGuard');
    expect(n.email).toContain('== STILL OPEN (reminder every 4 h while open) (1) ==');
    expect(n.email).toContain('== RESOLVED (1) ==');
    expect(n.email).toContain('[RESOLVED] REPLICA_LAG_HIGH on orders-ro-1 (us-east-1), was warning');
    expect(n.email).toContain('(4 h)');
    expect(n.sms).toBe('ReplGuard CRIT: 1 still open, 1 resolved. REPLICATION_BROKEN orders-ro-west us-west-2');
  });

  it('says OK when everything resolved', () => {
    const first = opened([broken]);
    const plan = planTransitions({
      scope: 'health',
      previous: delivered(first.transitions),
      findings: [],
      now: new Date(NOW_DATE.getTime() + 600_000),
      reminderHours: 4,
      minSeverity: 'warning',
    });

    const n = buildNotification(input(plan.transitions, plan.open))!;

    expect(n.subject).toBe('[Replication Guard] RESOLVED: 1 resolved (open: none) - ReplicationGuard');
    expect(n.sms).toBe('ReplGuard OK: 1 resolved. REPLICATION_BROKEN orders-ro-west us-west-2');
    // The resolved alert was critical: whoever was paged hears it is over.
    expect(n.sendSms).toBe(true);
  });

  it('sends nothing for silent severity updates', () => {
    const first = opened([broken]);
    const plan = planTransitions({
      scope: 'health',
      previous: delivered(first.transitions),
      findings: [{ ...broken, severity: 'warning' }],
      now: new Date(NOW_DATE.getTime() + 60_000),
      reminderHours: 4,
      minSeverity: 'warning',
    });

    expect(plan.transitions.map((t) => t.kind)).toEqual(['updated']);
    expect(buildNotification(input(plan.transitions, plan.open))).toBeUndefined();
  });

  it('does not say OK or RESOLVED while something else is still open', () => {
    const second = { ...broken, resource: 'orders-ro-east', region: 'us-east-1' };
    const first = opened([broken, second]);
    const plan = planTransitions({
      scope: 'health',
      previous: delivered(first.transitions),
      findings: [second],
      now: new Date(NOW_DATE.getTime() + 600_000),
      reminderHours: 4,
      minSeverity: 'warning',
    });

    const n = buildNotification(input(plan.transitions, plan.open))!;

    expect(n.subject).toBe('[Replication Guard] STILL CRITICAL: 1 resolved (open: 1 critical) - ReplicationGuard');
    expect(n.sms).toBe('ReplGuard 1 resolved: REPLICATION_BROKEN orders-ro-west us-west-2. Still open: 1 crit.');
    expect(n.email).toContain('Open now: 1 critical.');
  });

  it('keeps "still open" in the 140 bytes when many long-named alerts resolve', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      finding({ code: 'REPLICATION_BROKEN', resource: `réplica-ünïcode-${i}-東京-${'x'.repeat(40)}`, region: 'ap-northeast-1' }),
    );
    const first = opened(many);
    const plan = planTransitions({
      scope: 'health',
      previous: delivered(first.transitions),
      findings: many.slice(0, 3),
      now: new Date(NOW_DATE.getTime() + 600_000),
      reminderHours: 4,
      minSeverity: 'warning',
    });

    const n = buildNotification(input(plan.transitions, plan.open))!;

    expect(byteLength(n.sms)).toBeLessThanOrEqual(MAX_SMS_BYTES);
    expect(n.sms).toMatch(/^ReplGuard 27 resolved: .* \+\d+ more\. Still open: 3 crit\.$/);
  });

  it('puts a stopped replica before a region it could not read, at the same severity', () => {
    const degraded = finding({ code: 'CHECK_DEGRADED', resource: 'rds:DescribeDBInstances', region: 'ap-southeast-2' });

    const n = buildNotification(input(opened([degraded, broken]).transitions, []))!;

    expect(n.sms).toMatch(/^ReplGuard CRIT: 2 new\. REPLICATION_BROKEN .*; CHECK_DEGRADED /);
    expect(n.email.indexOf('REPLICATION_BROKEN')).toBeLessThan(n.email.indexOf('CHECK_DEGRADED'));
  });

  it('lists the most severe news first in the SMS, whatever its kind', () => {
    const first = opened([lag]);
    const critical = { ...broken, resource: 'orders-ro-1', region: 'us-east-1', code: 'REPLICA_LAG_HIGH' as const };
    const newWarning = finding({ code: 'LAG_METRIC_MISSING', severity: 'warning', resource: 'aaa-first-by-name' });
    const plan = planTransitions({
      scope: 'health',
      previous: delivered(first.transitions),
      findings: [critical, newWarning],
      now: new Date(NOW_DATE.getTime() + 600_000),
      reminderHours: 4,
      minSeverity: 'warning',
    });

    const n = buildNotification(input(plan.transitions, plan.open))!;

    expect(plan.transitions.map((t) => t.kind).sort()).toEqual(['escalated', 'opened']);
    expect(n.sms).toBe('ReplGuard CRIT: 1 new, 1 escalated. REPLICA_LAG_HIGH orders-ro-1 us-east-1; LAG_METRIC_MISSING aaa-first-by-name us-east-1');
    expect(n.email).toContain('Escalated from warning.');
  });
});

describe('truncateBytes', () => {
  it('never splits a multi-byte character', () => {
    const text = '東京'.repeat(100);

    const cut = truncateBytes(text, 140);

    expect(byteLength(cut)).toBeLessThanOrEqual(140);
    expect(cut.endsWith('...')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
  });
});

describe('dashboardConsoleUrl', () => {
  it('uses the console of the region\'s partition', () => {
    expect(dashboardConsoleUrl('cn-north-1', 'd')).toBe('https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards:name=d');
    expect(dashboardConsoleUrl('us-gov-west-1', 'd')).toMatch(/^https:\/\/console\.amazonaws-us-gov\.com\//);
  });
});
