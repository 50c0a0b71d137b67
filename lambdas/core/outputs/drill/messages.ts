/**
 * What on-call would receive for a drill, built by the real notification code, then marked as a
 * drill in every part: subject, email, SMS and default text, plus a message attribute. Pure: no
 * alert state is read or written, so a drill can never open, remind or resolve a real alert.
 */
import { planTransitions } from '../alert-lifecycle';
import type { Config } from '../../config';
import { evaluate, type EvaluationScope } from '../../rules/evaluate';
import { codesInScope } from '../../findings';
import {
  buildNotification,
  byteLength,
  MAX_SMS_BYTES,
  MAX_SUBJECT_LENGTH,
  messageAttributes,
  truncateBytes,
  type Notification,
} from '../notify';
import type { DrillScenario } from './scenario';

export const DRILL_MARK = '[DRILL]';
/** Message attribute on every drill publish: subscribers and tooling can tell a rehearsal from an alert. */
export const DRILL_ATTRIBUTE = 'replguard_drill';

export interface DrillMessage {
  /** Which run would send it: the health check, the drift check, or a CloudWatch alarm. */
  readonly origin: 'health check' | 'drift check' | 'alarm';
  readonly notification: Notification;
}

export interface DrillMessageOptions {
  readonly config: Config;
  readonly deploymentName?: string;
  readonly dashboardUrl?: string;
}

/** CloudWatch's own alarm notification, for drills told by an alarm (its text is CloudWatch's, not ours). */
function alarmNotification(alarm: NonNullable<DrillScenario['drill']['alarm']>, at: string): Notification {
  const email = [
    `You are receiving this email because your Amazon CloudWatch Alarm "${alarm.name}" in the ${alarm.region} region has entered the ALARM state, because "${alarm.reason}" at "${at}".`,
    '',
    'Alarm Details:',
    `- Name:                       ${alarm.name}`,
    `- Description:                ${alarm.description}`,
    `- State Change:               OK -> ALARM`,
    `- Reason for State Change:    ${alarm.reason}`,
    `- Timestamp:                  ${at}`,
  ].join('\n');
  return {
    subject: `ALARM: "${alarm.name}" in ${alarm.region}`,
    email,
    sms: truncateBytes(`ALARM: "${alarm.name}" in ${alarm.region}`, MAX_SMS_BYTES),
    default: email,
    sendSms: true,
  };
}

/** The messages the deployed checker would send for this fleet on a first run (no alert open yet). */
export function onCallMessages(scenario: DrillScenario, options: DrillMessageOptions): DrillMessage[] {
  const { config } = options;
  const at = scenario.snapshot.capturedAt;
  if (scenario.drill.alarm) return [{ origin: 'alarm', notification: alarmNotification(scenario.drill.alarm, at) }];
  const scopes: EvaluationScope[] = config.drift.enabled ? ['health', 'drift'] : ['health'];
  const held = new Set(
    Object.entries(scenario.snapshot.regions)
      .filter(([, data]) => (data.errors ?? []).length > 0)
      .map(([region]) => region),
  );
  const out: DrillMessage[] = [];
  for (const scope of scopes) {
    const report = evaluate(scenario.snapshot, { config, scope });
    const inScope = codesInScope(scope);
    const plan = planTransitions({
      scope,
      previous: [],
      findings: report.findings.filter((f) => inScope.has(f.code)),
      now: new Date(at),
      reminderHours: config.notifications.reminderHours,
      minSeverity: config.notifications.minSeverity,
      heldRegions: held,
    });
    const notification = buildNotification({
      scope,
      transitions: plan.transitions,
      open: plan.open,
      checkedAt: at,
      runbookBaseUrl: config.runbookBaseUrl,
      dashboardUrl: options.dashboardUrl,
      deploymentName: options.deploymentName,
      smsMinSeverity: config.notifications.smsMinSeverity,
      reminderHours: config.notifications.reminderHours,
    });
    if (notification) out.push({ origin: scope === 'drift' ? 'drift check' : 'health check', notification });
  }
  return out;
}

/** The same message, unmistakably a drill in every protocol's text. */
export function markAsDrill(notification: Notification, scenario: DrillScenario): Notification {
  const prefix = `${DRILL_MARK} `;
  const subject =
    prefix.length + notification.subject.length <= MAX_SUBJECT_LENGTH
      ? prefix + notification.subject
      : `${prefix}${notification.subject.slice(0, MAX_SUBJECT_LENGTH - prefix.length - 3).trimEnd()}...`;
  const banner = [
    `${DRILL_MARK} THIS IS A DRILL: "${scenario.drill.title}" (scenario ${scenario.name}).`,
    'Nothing below is happening in production; no alert was opened. Rehearse, do not act.',
    '',
    '',
  ].join('\n');
  const footer = `\n\n${DRILL_MARK} End of drill message.`;
  const email = banner + notification.email + footer;
  const sms = truncateBytes(prefix + notification.sms, MAX_SMS_BYTES);
  return { ...notification, subject, email, default: banner + notification.default + footer, sms };
}

/** The SNS Publish input for a marked drill message (the shape of the SDK's PublishCommandInput). */
export interface DrillPublishInput {
  readonly TopicArn: string;
  readonly Subject: string;
  readonly MessageStructure: 'json';
  readonly Message: string;
  readonly MessageAttributes: Readonly<Record<string, { readonly DataType: 'String'; readonly StringValue: string }>>;
}

export function drillPublishInput(marked: Notification, topicArn: string, scenario: DrillScenario): DrillPublishInput {
  if (!marked.subject.startsWith(DRILL_MARK) || !marked.sms.startsWith(DRILL_MARK)) {
    throw new Error('drillPublishInput needs a message marked by markAsDrill');
  }
  if (byteLength(marked.sms) > MAX_SMS_BYTES) throw new Error(`drill SMS is ${byteLength(marked.sms)} bytes, over ${MAX_SMS_BYTES}`);
  return {
    TopicArn: topicArn,
    Subject: marked.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({ default: marked.default, email: marked.email, sms: marked.sms }),
    MessageAttributes: {
      [DRILL_ATTRIBUTE]: { DataType: 'String', StringValue: scenario.name },
      // Same SMS attribute as real runs: below smsMinSeverity, phones are not paged.
      ...Object.fromEntries(
        Object.entries(messageAttributes(marked)).map(([name, value]) => [name, { DataType: 'String' as const, StringValue: value }]),
      ),
    },
  };
}
