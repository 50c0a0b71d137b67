/**
 * Notification text: one message per run that has news, grouping every transition of the run.
 * Pure: transitions in, the SNS `MessageStructure: "json"` parts out (default, email, sms).
 *
 * Limits this respects: an email `Subject` is ASCII, one line and under 100 characters; an SMS
 * part is 140 bytes, so the SMS text is cut on a character boundary to fit; the whole publish
 * (the JSON with every protocol's text as escaped, the subject and the attributes) stays within
 * SNS's 256 KiB, so an oversized message can never block the notifications after it.
 */
import { isClosing, type AlertState, type Transition, type TransitionKind } from './alert-lifecycle';
import type { EvaluationScope } from '../rules/evaluate';
import { compareCodes, SEVERITY_RANK, runbookUrl, type Severity } from '../findings';
import { printable } from '../shared/text';

/** SNS email subjects must be shorter than 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;
/** One SMS part. */
export const MAX_SMS_BYTES = 140;
/**
 * Message attribute on every checker message: SMS subscriptions to the alert topic take only
 * `page`. Always set, never left out: SNS delivers a message without attributes to no filtered
 * subscription (an `"exists": false` filter included), so a positive match is the only one that
 * works both ways.
 */
export const SMS_ATTRIBUTE = 'replguard_sms';
export const SMS_PAGE = 'page';
export const SMS_QUIET = 'quiet';

/** The SNS message attributes of a notification (all `String`). */
export function messageAttributes(notification: Notification): Record<string, string> {
  return { [SMS_ATTRIBUTE]: notification.sendSms ? SMS_PAGE : SMS_QUIET };
}

export interface NotificationInput {
  readonly scope: EvaluationScope;
  /** The run's claimed transitions; only those with `notify` are news. */
  readonly transitions: readonly Transition[];
  /** Alerts open after the run (all severities), for the "open now" line. */
  readonly open: readonly AlertState[];
  readonly checkedAt: string;
  readonly runbookBaseUrl: string;
  readonly dashboardUrl?: string;
  /** Named in the subject and the first line, e.g. the stack name. */
  readonly deploymentName?: string;
  readonly smsMinSeverity: Severity;
  readonly reminderHours: number;
}

export interface Notification {
  readonly subject: string;
  readonly email: string;
  readonly sms: string;
  /** For protocols other than email and SMS. */
  readonly default: string;
  /** False when no news reaches `smsMinSeverity`: the message is marked quiet for SMS. */
  readonly sendSms: boolean;
}

const ORDER: readonly TransitionKind[] = ['opened', 'escalated', 'reminder', 'resolved', 'gone'];
const HEADINGS: Record<TransitionKind, string> = {
  opened: 'NEW',
  escalated: 'ESCALATED',
  reminder: 'STILL OPEN',
  resolved: 'RESOLVED',
  gone: 'GONE (deleted)',
  updated: 'UPDATED',
};
const SHORT: Record<TransitionKind, string> = {
  opened: 'new',
  escalated: 'escalated',
  reminder: 'still open',
  resolved: 'resolved',
  gone: 'gone',
  updated: 'updated',
};
const SMS_LEVEL: Record<Severity, string> = { critical: 'CRIT', warning: 'WARN', info: 'INFO' };

const encoder = new TextEncoder();
export const byteLength = (text: string): number => encoder.encode(text).length;

/** Cuts text to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateBytes(text: string, maxBytes: number, ellipsis = '...'): string {
  if (byteLength(text) <= maxBytes) return text;
  const budget = maxBytes - byteLength(ellipsis);
  let out = '';
  let used = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > budget) break;
    out += char;
    used += size;
  }
  return out + ellipsis;
}

/** Subjects are ASCII on one line (SNS rejects control characters and limits the length). */
function asciiSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

/** The CloudWatch console page of a dashboard, in the partition of its region. */
export function dashboardConsoleUrl(region: string, dashboardName: string): string {
  const host = region.startsWith('cn-')
    ? 'console.amazonaws.cn'
    : region.startsWith('us-gov-')
      ? 'console.amazonaws-us-gov.com'
      : `${region}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${region}#dashboards:name=${encodeURIComponent(dashboardName)}`;
}

const severityOf = (t: Transition): Severity => t.next.severity;

/** "us-east-1, account 111122223333 prod-payments": where an alert is, account first-class. */
function place(s: AlertState): string {
  if (!s.accountId) return printable(s.region);
  return printable(`${s.region}, account ${s.accountId}${s.accountName ? ` ${s.accountName}` : ''}`);
}

/** Characters of an account name an SMS item keeps: the phone needs which account, not its full name. */
const SMS_ACCOUNT_CHARS = 16;

/** The account as an SMS names it: its name (cut short) when known, else its id. */
function smsAccount(s: AlertState): string {
  if (!s.accountId) return '';
  const name = s.accountName ? [...s.accountName].slice(0, SMS_ACCOUNT_CHARS).join('') : undefined;
  return ` ${name ?? s.accountId}`;
}
/** ISO-8601 to the second, as everywhere else in the message ("2026-11-24T10:00:00Z"). */
const at = (iso: string): string => iso.replace(/\.\d{3}Z$/, 'Z');
const worst = (severities: readonly Severity[]): Severity | undefined =>
  [...severities].sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b])[0];

function countsPhrase(news: readonly Transition[]): string {
  return ORDER.filter((kind) => news.some((t) => t.kind === kind))
    .map((kind) => `${news.filter((t) => t.kind === kind).length} ${SHORT[kind]}`)
    .join(', ');
}

function openPhrase(open: readonly AlertState[]): string {
  const parts = (['critical', 'warning', 'info'] as const)
    .map((s) => [s, open.filter((a) => a.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return parts.length ? parts.join(', ') : 'none';
}

function duration(fromIso: string, toIso: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  if (minutes < 120) return `${minutes} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} days`;
}

/** An alert whose database is no longer described: it ended, but nobody fixed it. */
function goneEntry(t: Transition, input: NotificationInput): string[] {
  const s = t.next;
  return [
    `[GONE] ${printable(s.code)} on ${printable(s.resource)} (${place(s)}), was ${s.severity}`,
    `  ${printable(s.resource)} is no longer described in ${printable(s.region)} (deleted or renamed), so this alert ends without being resolved.`,
    `  Last seen: ${printable(s.message)}`,
    `  Open from ${at(s.openedAt)} to ${at(input.checkedAt)} (${duration(s.openedAt, input.checkedAt)}).`,
    `  Runbook: ${runbookUrl(s.code, input.runbookBaseUrl)}`,
  ];
}

function emailEntry(t: Transition, input: NotificationInput): string[] {
  const s = t.next;
  if (t.kind === 'gone') return goneEntry(t, input);
  // Resource names and messages carry AWS's text: each stays on its own line, whatever it holds.
  const where = `${printable(s.resource)} (${place(s)})`;
  if (t.kind === 'resolved') {
    return [
      `[RESOLVED] ${printable(s.code)} on ${where}, was ${s.severity}`,
      `  Last seen: ${printable(s.message)}`,
      `  Open from ${at(s.openedAt)} to ${at(input.checkedAt)} (${duration(s.openedAt, input.checkedAt)}).`,
      `  Runbook: ${printable(runbookUrl(s.code, input.runbookBaseUrl))}`,
    ];
  }
  const finding = t.finding;
  const lines = [
    `[${s.severity.toUpperCase()}] ${printable(s.code)} on ${where}`,
    `  What: ${printable(finding?.message ?? s.message)}`,
  ];
  if (t.kind === 'escalated' && t.previous && t.previous.severity !== s.severity) lines.push(`  Escalated from ${t.previous.severity}.`);
  const late = t.kind === 'reminder' || t.resend;
  lines.push(`  Open since: ${at(s.openedAt)}${late ? ` (${duration(s.openedAt, input.checkedAt)})` : ''}`);
  if (finding?.hint) lines.push(`  Likely cause and first step: ${printable(finding.hint)}`);
  lines.push(`  Runbook: ${printable(finding?.runbook ?? runbookUrl(s.code, input.runbookBaseUrl))}`);
  return lines;
}

/** "2 crit, 1 warn" */
function smsOpenPhrase(open: readonly AlertState[]): string {
  return (['critical', 'warning', 'info'] as const)
    .map((s) => [s, open.filter((a) => a.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${SMS_LEVEL[s].toLowerCase()}`)
    .join(', ');
}

function smsText(news: readonly Transition[], level: Severity | undefined, open: readonly AlertState[]): string {
  // Only resolutions: "OK" only if nothing is left open, or the phone says all clear while a critical is still open.
  const stillOpen = level ? '' : smsOpenPhrase(open);
  const head = level
    ? `ReplGuard ${SMS_LEVEL[level]}: ${countsPhrase(news)}.`
    : stillOpen
      ? `ReplGuard ${countsPhrase(news)}:`
      : `ReplGuard OK: ${countsPhrase(news)}.`;
  const tail = stillOpen ? `. Still open: ${stillOpen}.` : '';
  const budget = MAX_SMS_BYTES - byteLength(tail);
  // Most severe first: the first item is what the phone shows without scrolling.
  const active = news
    .filter((t) => !isClosing(t.kind))
    .sort((a, b) => SEVERITY_RANK[severityOf(a)] - SEVERITY_RANK[severityOf(b)] || compareCodes(a.next.code, b.next.code));
  const items = (active.length ? active : news).map((t) => printable(`${t.next.code} ${t.next.resource} ${t.next.region}${smsAccount(t.next)}`));
  let text = head;
  for (let i = 0; i < items.length; i++) {
    const after = items.length - i - 1;
    const withItem = `${text}${i === 0 ? ' ' : '; '}${items[i]}`;
    // Keep room for "+N more" so the reader knows the list is cut.
    if (byteLength(withItem + (after > 0 ? ` +${after} more` : '')) > budget) {
      // The first item is the one that matters most: cut it rather than leave it out.
      if (i === 0) {
        const rest = after > 0 ? ` +${after} more` : '';
        text = truncateBytes(withItem, budget - byteLength(rest)) + rest;
        break;
      }
      const more = ` +${items.length - i} more`;
      if (byteLength(text + more) <= budget) text += more;
      break;
    }
    text = withItem;
  }
  return truncateBytes(truncateBytes(text, budget) + tail, MAX_SMS_BYTES);
}

/** Entries beyond this many are listed one line each. */
const MAX_DETAILED_ENTRIES = 50;
/**
 * SNS's limit on one publish: the `Message` (here the MessageStructure JSON, as sent, escapes
 * included) plus every message attribute's name, type and value, 262,144 bytes by default.
 */
export const SNS_MAX_PUBLISH_BYTES = 262_144;
/**
 * Kept free for what the message builder does not see: the attributes the publisher adds (a few
 * dozen bytes) and the subject, counted here too in case SNS does.
 */
const PUBLISH_RESERVE_BYTES = 2_048;

/** Bytes a text takes inside the MessageStructure JSON, after JSON escaping, without its quotes. */
export function jsonTextBytes(text: string): number {
  return byteLength(JSON.stringify(text)) - 2;
}

function oneLine(t: Transition): string {
  const s = t.next;
  const tag = t.kind === 'resolved' ? 'RESOLVED' : t.kind === 'gone' ? 'GONE' : s.severity.toUpperCase();
  return printable(`- [${tag}] ${s.code} on ${s.resource} (${place(s)})`);
}

const omittedLine = (count: number) => `... and ${count} more not listed here: see the dashboard or run "replguard check".`;

/**
 * The email body within `maxJsonBytes` (measured as SNS receives it): entries shrink to one line
 * past the first MAX_DETAILED_ENTRIES, and those that do not fit are counted, with a pointer.
 * News comes most urgent first, so what is cut is the least urgent.
 */
function emailWithinBudget(
  head: readonly string[],
  groups: readonly { readonly heading: string; readonly entries: readonly (readonly string[])[]; readonly short: readonly string[] }[],
  tail: readonly string[],
  maxJsonBytes: number,
): string {
  const total = groups.reduce((n, g) => n + g.entries.length, 0);
  // Room for the fixed parts, the headings and the largest possible "and N more" line (plus slack
  // for the line breaks between them); capJsonBytes catches any error in this sum.
  let used =
    64 +
    jsonTextBytes([...head, '', omittedLine(total), ...tail].join('\n')) +
    groups.reduce((n, g) => n + jsonTextBytes(`\n\n${g.heading}`), 0);
  const lines = [...head];
  let detailed = 0;
  let omitted = 0;
  for (const group of groups) {
    lines.push('', group.heading);
    group.entries.forEach((full, i) => {
      // Detailed while they take at most half the budget (long AWS texts would leave no room to
      // even name the rest), else one line, else only counted.
      const forms = detailed < MAX_DETAILED_ENTRIES ? [['', ...full], [group.short[i]!]] : [[group.short[i]!]];
      const fitting = forms
        .map((entry) => ({ entry, size: jsonTextBytes(`\n${entry.join('\n')}`) }))
        .find(({ entry, size }) => used + size <= (entry.length > 1 ? maxJsonBytes / 2 : maxJsonBytes));
      if (!fitting) {
        omitted++;
        return;
      }
      if (fitting.entry.length > 1) detailed++;
      lines.push(...fitting.entry);
      used += fitting.size;
    });
  }
  if (omitted > 0) lines.push('', omittedLine(omitted));
  lines.push(...tail);
  return capJsonBytes(lines.join('\n'), maxJsonBytes);
}

/** Last resort (a very long dashboard URL or deployment name): cut the text itself to fit. */
function capJsonBytes(text: string, maxJsonBytes: number): string {
  if (jsonTextBytes(text) <= maxJsonBytes) return text;
  const marker = '\n... cut to fit the SNS message size: see the dashboard.';
  const chars = [...text];
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (jsonTextBytes(chars.slice(0, mid).join('') + marker) <= maxJsonBytes) low = mid;
    else high = mid - 1;
  }
  return chars.slice(0, low).join('') + marker;
}

export function buildNotification(input: NotificationInput): Notification | undefined {
  const news = input.transitions
    .filter((t) => t.notify && t.kind !== 'updated')
    .sort(
      (a, b) =>
        ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) ||
        SEVERITY_RANK[severityOf(a)] - SEVERITY_RANK[severityOf(b)] ||
        compareCodes(a.next.code, b.next.code) ||
        a.key.localeCompare(b.key),
    );
  if (news.length === 0) return undefined;

  const active = news.filter((t) => !isClosing(t.kind));
  const level = worst(active.map(severityOf));
  const stillOpen = worst(input.open.map((a) => a.severity));
  // A run that only resolves things is not "RESOLVED" while something else is still open.
  const closed = news.every((t) => t.kind === 'gone') ? 'GONE' : 'RESOLVED';
  const label = level ? level.toUpperCase() : stillOpen ? `STILL ${stillOpen.toUpperCase()}` : closed;
  const name = input.deploymentName ? ` (${input.deploymentName})` : '';
  const check = input.scope === 'drift' ? 'drift check' : input.scope === 'health' ? 'health check' : 'check';

  // Severity and counts first: a long deployment name is what gets cut, never the news.
  const core = asciiSubject(`[Replication Guard] ${label}: ${countsPhrase(news)} (open: ${openPhrase(input.open)})`);
  const room = MAX_SUBJECT_LENGTH - core.length - 3;
  const shortName = input.deploymentName ? asciiSubject(input.deploymentName) : '';
  const subject =
    shortName && room >= 4
      ? `${core} - ${shortName.length <= room ? shortName : `${shortName.slice(0, room - 3)}...`}`
      : core;

  const head = [
    `Replication Guard${name}: ${countsPhrase(news)} in the ${check} at ${at(input.checkedAt)}.`,
    `Open now: ${openPhrase(input.open)}.`,
  ];
  const groups = ORDER.map((kind) => news.filter((t) => t.kind === kind))
    .filter((group) => group.length > 0)
    .map((group) => {
      const kind = group[0]!.kind;
      const heading = kind === 'reminder' ? `${HEADINGS[kind]} (reminder every ${input.reminderHours} h while open)` : HEADINGS[kind];
      return {
        heading: `== ${heading} (${group.length}) ==`,
        entries: group.map((t) => emailEntry(t, input)),
        short: group.map(oneLine),
      };
    });
  const tail = [''];
  if (input.dashboardUrl) tail.push(`Dashboard: ${input.dashboardUrl}`);
  tail.push(`Runbook: ${input.runbookBaseUrl}`);
  tail.push('Review report for the whole fleet: replguard report --out review.html (a self-contained page with the topology and every finding)');
  tail.push(
    '',
    `You get one message per check that has news: an alert opens, escalates, is still open every ${input.reminderHours} h, or resolves.`,
  );

  const sms = smsText(news, level, input.open);
  // The email text goes out twice (as "email" and "default"); the JSON keys and quotes are ~40 bytes.
  const emailBudget = Math.floor(
    (SNS_MAX_PUBLISH_BYTES - PUBLISH_RESERVE_BYTES - byteLength(subject) - jsonTextBytes(sms) - 64) / 2,
  );
  const email = emailWithinBudget(head, groups, tail, emailBudget);

  const sendSms = news.some((t) => SEVERITY_RANK[severityOf(t)] <= SEVERITY_RANK[input.smsMinSeverity]);
  return { subject, email, sms, default: email, sendSms };
}

/** The SNS `Message` for `MessageStructure: "json"`. */
export function snsMessage(notification: Notification): string {
  return JSON.stringify({ default: notification.default, email: notification.email, sms: notification.sms });
}
