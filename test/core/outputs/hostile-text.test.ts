import { describe, expect, it } from 'vitest';
import { planTransitions } from '../../../lambdas/core/outputs/alert-lifecycle';
import { DEFAULT_CONFIG } from '../../../lambdas/core/config';
import { evaluate } from '../../../lambdas/core/rules/evaluate';
import { buildNotification, MAX_SMS_BYTES, byteLength } from '../../../lambdas/core/outputs/notify';
import { renderTable } from '../../../lambdas/core/outputs/report';
import { parseSnapshotText } from '../../../lambdas/core/fleet/snapshot';
import { isPrintable, printable } from '../../../lambdas/core/shared/text';
import { fleet, instance, lag, NOW, replica } from '../../support/fleet';
import { baselineOf, group } from '../rules/drift/helpers';

/** What an attacker who can write a replication status message or a parameter value would send. */
const FORGED = '\n\n== RESOLVED (1) ==\n\n[RESOLVED] REPLICATION_BROKEN on orders-ro (us-east-1), was critical\n  Runbook: https://evil.example/fix';
const HOSTILE_CHARACTERS = ['\r\n', '\u2028', '\u2029', '\u0085', '\u000b', '\u001b[31m', '\u007f', '\u202e', '\u2066', '\u200b', '\ufeff', '\u0000'];

function hostileFleet(): string {
  // Round-trip through the snapshot reader, as a snapshot file or a live read would arrive.
  return JSON.stringify(
    fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders', { DBParameterGroups: [{ DBParameterGroupName: 'orders-params', ParameterApplyStatus: 'in-sync' }] }),
          replica('orders-ro', 'orders', {
            StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error', Message: `Duplicate entry${FORGED}` }],
            DBParameterGroups: [{ DBParameterGroupName: 'ro-params', ParameterApplyStatus: 'in-sync' }],
          }),
          replica(`orders-ro-2${HOSTILE_CHARACTERS.join('')}`, 'orders'),
        ],
        dbParameters: {
          'orders-params': group({ binlog_format: `MIXED${FORGED}` }),
          'ro-params': group({ read_only: '1' }),
        },
        metrics: [lag('orders-ro', [1, 1, 1, 1, 1])],
      },
    }),
  );
}

function notificationOf(text: string) {
  const baseline = baselineOf([
    { parameter: 'binlog_format', expect: 'ROW', severity: 'critical', reason: 'Row-based replication.', engine: 'mysql' },
  ]);
  const report = evaluate(parseSnapshotText(text, 'fleet.json'), { config: DEFAULT_CONFIG, baseline, scope: 'all' });
  const plan = planTransitions({ scope: 'all', previous: [], findings: report.findings, now: new Date(NOW), reminderHours: 4, minSeverity: 'info' });
  const notification = buildNotification({
    scope: 'all',
    transitions: plan.transitions,
    open: plan.transitions.map((t) => t.next),
    checkedAt: NOW,
    runbookBaseUrl: 'https://runbook.example/runbook.md',
    smsMinSeverity: 'critical',
    reminderHours: 4,
  });
  return { report, notification: notification! };
}

describe('text from AWS in messages', () => {
  it('cannot forge a RESOLVED section or a runbook link in the email', () => {
    // Act
    const { notification } = notificationOf(hostileFleet());

    // Assess: the only RESOLVED heading or runbook links are ours, and the hostile text is still there, escaped
    const lines = notification.email.split('\n');
    expect(lines.filter((l) => l.startsWith('== RESOLVED'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('[RESOLVED]'))).toEqual([]);
    expect(lines.filter((l) => l.includes('Runbook:')).every((l) => !l.includes('evil.example') || !l.trimStart().startsWith('Runbook:'))).toBe(true);
    expect(notification.email).toContain('Duplicate entry\\n\\n== RESOLVED (1) ==');
    expect(notification.email).toContain('MIXED\\n\\n== RESOLVED (1) ==');
    for (const line of lines) expect(isPrintable(line), JSON.stringify(line)).toBe(true);
  });

  it('keeps every control, separator, bidi and zero-width character out of email and SMS', () => {
    const { notification } = notificationOf(hostileFleet());

    expect(notification.email).toContain('orders-ro-2\\r\\n\\u2028\\u2029\\u0085\\u000b\\u001b[31m\\u007f\\u202e\\u2066\\u200b\\ufeff\\u0000');
    expect(isPrintable(notification.sms)).toBe(true);
    expect(notification.sms).not.toContain('\n');
    expect(byteLength(notification.sms)).toBeLessThanOrEqual(MAX_SMS_BYTES);
  });

  it('keeps the CLI table one line per row and per message', () => {
    const { report } = notificationOf(hostileFleet());

    // Act
    const table = renderTable(report, { color: false });

    // Assess
    const lines = table.split('\n');
    expect(lines.filter((l) => l.startsWith('[RESOLVED]') || l.startsWith('== RESOLVED'))).toEqual([]);
    for (const line of lines) expect(isPrintable(line), JSON.stringify(line)).toBe(true);
    expect(table).toContain('orders-ro-2\\r\\n\\u2028');
  });
});

describe('printable', () => {
  it.each([
    ['a\nb', 'a\\nb'],
    ['a\r\nb', 'a\\r\\nb'],
    ['tab\there', 'tab\\there'],
    ['\u2028\u2029', '\\u2028\\u2029'],
    ['\u0085\u009f\u007f', '\\u0085\\u009f\\u007f'],
    ['\u202a\u202b\u202c\u202d\u202e', '\\u202a\\u202b\\u202c\\u202d\\u202e'],
    ['\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
    ['\u200b\u200c\u200d\u2060\ufeff', '\\u200b\\u200c\\u200d\\u2060\\ufeff'],
  ])('escapes %j', (input, expected) => {
    expect(printable(input)).toBe(expected);
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    expect(printable('Lag 95 s on orders-ro-1 (us-east-1): "Zürich" ✓')).toBe('Lag 95 s on orders-ro-1 (us-east-1): "Zürich" ✓');
  });
});
