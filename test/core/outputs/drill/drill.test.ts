import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../lambdas/core/config';
import { DRILL_ATTRIBUTE, DRILL_MARK, drillPublishInput, markAsDrill, onCallMessages } from '../../../../lambdas/core/outputs/drill/messages';
import { parseDrill, type DrillScenario } from '../../../../lambdas/core/outputs/drill/scenario';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import { byteLength, MAX_SMS_BYTES, MAX_SUBJECT_LENGTH, SMS_ATTRIBUTE, SMS_QUIET } from '../../../../lambdas/core/outputs/notify';

const DIR = 'examples/drills';
const scenarios: DrillScenario[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => parseDrill(readFileSync(`${DIR}/${f}`, 'utf8'), f.replace(/\.json$/, ''), `${DIR}/${f}`));
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:replguard-alerts';

describe('bundled drill scenarios', () => {
  it('cover the six incidents training needs', () => {
    expect(scenarios.map((s) => s.name).sort()).toEqual(
      ['dr-region-lost', 'duplicate-key', 'idle-postgres', 'param-drift', 'stopped-checker', 'write-burst'],
    );
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s: the engine raises the findings its answer names', (_name, scenario) => {
    // Act
    const report = evaluate(scenario.snapshot, { config: DEFAULT_CONFIG });

    // Assess
    for (const expected of scenario.drill.expect) {
      expect(report.findings).toContainEqual(
        expect.objectContaining({ code: expected.code, resource: expected.resource, ...(expected.severity ? { severity: expected.severity } : {}) }),
      );
    }
    for (const dr of scenario.drill.expectDr ?? []) {
      expect(report.dr).toContainEqual(expect.objectContaining({ primary: dr.primary, ready: dr.ready }));
    }
    if (scenario.drill.expect.length === 0) expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s: every runbook step points at a runbook section', (_name, scenario) => {
    const runbook = readFileSync('docs/runbook.md', 'utf8');
    for (const step of scenario.drill.runbookPath) expect(runbook).toContain(`\n## ${step.section}\n`);
  });

  it('the idle PostgreSQL artefact pages nobody, and the others send what on-call acts on', () => {
    // Act
    const sent = Object.fromEntries(scenarios.map((s) => [s.name, onCallMessages(s, { config: DEFAULT_CONFIG })]));

    // Assess
    expect(sent['idle-postgres']!.every((m) => !m.notification.email.includes('REPLICA_LAG_HIGH'))).toBe(true);
    expect(sent['duplicate-key']!.map((m) => m.notification.sms).join(' ')).toContain('REPLICATION_BROKEN billing-mariadb-ro-1');
    expect(sent['write-burst']![0]!.notification.email).toContain('[CRITICAL] REPLICA_LAG_HIGH on orders-mysql-ro-1');
    expect(sent['param-drift']!.map((m) => m.origin)).toEqual(['drift check']);
    expect(sent['stopped-checker']!).toEqual([expect.objectContaining({ origin: 'alarm' })]);
    expect(sent['stopped-checker']![0]!.notification.subject).toBe('ALARM: "ReplicationGuard-HeartbeatMissing" in us-east-1');
  });
});

describe('drill publish input', () => {
  const inputs = scenarios.flatMap((s) =>
    onCallMessages(s, { config: DEFAULT_CONFIG }).map((m, i) => [`${s.name} #${i + 1}`, s, drillPublishInput(markAsDrill(m.notification, s), TOPIC, s)] as const),
  );

  it('exists for every scenario that sends something', () => {
    expect(new Set(inputs.map(([, s]) => s.name))).toEqual(new Set(scenarios.map((s) => s.name).filter((n) => n !== 'idle-postgres')));
  });

  it.each(inputs)('%s: carries the drill marker in the subject, every protocol and an attribute, within the SMS size', (_label, scenario, input) => {
    // Act
    const message = JSON.parse(input.Message) as Record<string, string>;

    // Assess
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject.startsWith(`${DRILL_MARK} `)).toBe(true);
    expect(input.Subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(Object.keys(message).sort()).toEqual(['default', 'email', 'sms']);
    for (const protocol of ['default', 'email', 'sms']) expect(message[protocol]!.startsWith(DRILL_MARK)).toBe(true);
    expect(message.email).toContain('THIS IS A DRILL');
    expect(byteLength(message.sms!)).toBeLessThanOrEqual(MAX_SMS_BYTES);
    expect(input.MessageAttributes[DRILL_ATTRIBUTE]).toEqual({ DataType: 'String', StringValue: scenario.name });
  });

  it('wraps what replguard snapshot writes (v2, one account) as well as a v1 snapshot, and refuses several accounts', () => {
    // Prepare
    const v1 = JSON.parse(readFileSync('examples/demo-fleet.json', 'utf8'));
    const v2 = { format: 'replguard-snapshot/v2', capturedAt: v1.capturedAt, accounts: { '123456789012': { regions: v1.regions } } };
    const two = { ...v2, accounts: { ...v2.accounts, '444455556666': { regions: {} } } };
    const drill = (snapshot: unknown) => JSON.stringify({ format: 'replguard-drill/v1', drill: { ...scenarios[0]!.drill, expect: [] }, snapshot });

    // Act
    const fromV1 = parseDrill(drill(v1), 'v1', 'v1.json');
    const fromV2 = parseDrill(drill(v2), 'v2', 'v2.json');

    // Assess
    expect(fromV2.snapshot).toEqual(fromV1.snapshot);
    expect(() => parseDrill(drill(two), 'two', 'two.json')).toThrow('two.json (snapshot) holds 2 accounts (123456789012, 444455556666): a drill rehearses one account.');
  });

  it('keeps the marker and the size rules when the real message is already at its limits', () => {
    // Prepare: the demo fleet has many findings, so its SMS is already cut to 140 bytes and its subject is long.
    const demo = readFileSync('examples/demo-fleet.json', 'utf8');
    const scenario = parseDrill(
      JSON.stringify({ format: 'replguard-drill/v1', drill: { ...scenarios[0]!.drill, expect: [] }, snapshot: JSON.parse(demo) }),
      'demo',
      'demo',
    );
    const [first] = onCallMessages(scenario, { config: DEFAULT_CONFIG, deploymentName: 'replication-guard-production-eu-and-us-very-long-name' });
    expect(byteLength(first!.notification.sms)).toBeGreaterThan(MAX_SMS_BYTES - 10);

    // Act
    const input = drillPublishInput(markAsDrill(first!.notification, scenario), TOPIC, scenario);

    // Assess
    const message = JSON.parse(input.Message) as Record<string, string>;
    expect(message.sms!.startsWith(DRILL_MARK)).toBe(true);
    expect(byteLength(message.sms!)).toBeLessThanOrEqual(MAX_SMS_BYTES);
    expect(input.Subject.startsWith(DRILL_MARK)).toBe(true);
    expect(input.Subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
  });

  it('keeps phones quiet for news below smsMinSeverity, as real runs do', () => {
    // Prepare: only the drift check's warning is news when health sends nothing.
    const scenario = scenarios.find((s) => s.name === 'param-drift')!;
    const config = { ...DEFAULT_CONFIG, notifications: { ...DEFAULT_CONFIG.notifications, smsMinSeverity: 'critical' as const } };
    const warningOnly = onCallMessages(scenario, { config }).map((m) => ({
      ...m.notification,
      sendSms: false,
    }));

    // Act
    const input = drillPublishInput(markAsDrill(warningOnly[0]!, scenario), TOPIC, scenario);

    // Assess
    expect(input.MessageAttributes[SMS_ATTRIBUTE]).toEqual({ DataType: 'String', StringValue: SMS_QUIET });
    expect(input.MessageAttributes[DRILL_ATTRIBUTE]).toBeDefined();
  });

  it('refuses a message that was not marked', () => {
    const scenario = scenarios.find((s) => s.name === 'write-burst')!;
    const [message] = onCallMessages(scenario, { config: DEFAULT_CONFIG });
    expect(() => drillPublishInput(message!.notification, TOPIC, scenario)).toThrow(/marked/);
  });
});

describe('drill files', () => {
  it('names the field that is wrong', () => {
    const text = JSON.stringify({ format: 'replguard-drill/v1', drill: { ...scenarios[0]!.drill, answer: 9 }, snapshot: scenarios[0]!.snapshot });
    expect(() => parseDrill(text, 'x', 'x.json')).toThrow('drill.answer: 9 but there are 4 choices');
    expect(() => parseDrill('{"format":"replguard-drill/v1"}', 'x', 'x.json')).toThrow(/Invalid replguard-drill\/v1 file x\.json:\n {2}drill:/);
  });
});
