/** `replguard drill list|run`: rehearse an incident from a scenario file. */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { fromIni } from '@aws-sdk/credential-providers';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import { runbookUrl } from '../../lambdas/core/findings';
import { drillPublishInput, markAsDrill, onCallMessages, type DrillMessage } from '../../lambdas/core/outputs/drill/messages';
import { DrillError, parseDrill, type DrillScenario } from '../../lambdas/core/outputs/drill/scenario';
import { parseFlags } from './args';
import { loadConfigFile } from './config-file';
import { EXIT_OK, UsageError, type CliCommand, type CliIo } from './types';

/** The scenarios shipped with Replication Guard. */
export const BUNDLED_DRILLS = fileURLToPath(new URL('../../examples/drills/', import.meta.url));

const usage = `Usage: replguard drill list
       replguard drill run NAME|FILE [--answer N] [--config FILE]
                       [--send --topic-arn ARN [--profile NAME]]

Training from incidents. "run" shows exactly what on-call would receive for the scenario (the
email and SMS text, built by the same code as real alerts), asks what to check first, then walks
the runbook path and reveals the cause.

  NAME|FILE         a bundled scenario (see "replguard drill list") or a replguard-drill/v1 file
  --answer N        your answer (1-based), for running without a terminal
  --config FILE     replguard config (JSON): thresholds, runbookBaseUrl, notification settings
  --send            also publish the messages to an SNS topic, marked [DRILL] in the subject,
                    the email, the SMS and a "replguard_drill" message attribute; no alert state
                    is read or written, so it never counts as a real alert
  --topic-arn ARN   the topic for --send (the deployed Replication Guard topic)
  --profile NAME    AWS shared-config profile for --send`;

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z]{2}(-gov)?-[a-z]+-\d):\d{12}:[A-Za-z0-9_-]{1,256}$/;

async function bundledNames(): Promise<string[]> {
  const files = await readdir(BUNDLED_DRILLS).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
}

export async function loadScenario(ref: string): Promise<DrillScenario> {
  const names = await bundledNames();
  const isPath = ref.includes('/') || ref.endsWith('.json');
  if (!isPath && !names.includes(ref)) {
    throw new DrillError(`Unknown drill scenario "${ref}". Bundled scenarios: ${names.join(', ')}. Or pass a replguard-drill/v1 file path.`);
  }
  const path = isPath ? ref : join(BUNDLED_DRILLS, `${ref}.json`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DrillError(code === 'ENOENT' ? `Drill file ${path} does not exist.` : `Cannot read drill file ${path}: ${(error as Error).message}`);
  }
  return parseDrill(text, basename(path, '.json'), path);
}

function rule(io: CliIo, title: string): void {
  io.stdout(`\n=== ${title} ${'='.repeat(Math.max(3, 72 - title.length))}\n`);
}

function showMessages(io: CliIo, messages: readonly DrillMessage[]): void {
  if (messages.length === 0) {
    io.stdout('\nNothing is sent: no finding reaches the alert threshold (notifications.minSeverity). Nobody is paged.\n');
    return;
  }
  for (const { origin, notification } of messages) {
    const from = origin === 'alarm' ? "CloudWatch's alarm notification (abridged)" : `the ${origin}`;
    io.stdout(`\n--- Email from ${from} ---\nSubject: ${notification.subject}\n\n${notification.email}\n`);
    io.stdout(notification.sendSms ? `\n--- SMS ---\n${notification.sms}\n` : '\n--- SMS ---\n(no SMS: below notifications.smsMinSeverity)\n');
  }
}

async function askInteractively(count: number): Promise<number> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const prompt = `Your answer (1-${count}): `;
  try {
    process.stdout.write(prompt);
    // The line iterator buffers what was typed ahead, so no answer is lost between prompts.
    for await (const line of rl) {
      const n = Number(line.trim());
      if (Number.isInteger(n) && n >= 1 && n <= count) return n;
      process.stdout.write(prompt);
    }
  } finally {
    rl.close();
  }
  throw new UsageError(`no answer given (type a number from 1 to ${count}, or pass --answer N)`);
}

function parseAnswer(value: string | undefined, count: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > count) throw new UsageError(`--answer must be a number from 1 to ${count} (got "${value}")`);
  return n;
}

const RUN_OPTIONS = {
  answer: { type: 'string' },
  config: { type: 'string' },
  send: { type: 'boolean' },
  'topic-arn': { type: 'string' },
  profile: { type: 'string' },
} as const;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, RUN_OPTIONS, true);
  if (positionals.length !== 1) throw new UsageError('run needs one scenario: a bundled name (see "replguard drill list") or a file');
  const topicArn = values['topic-arn'];
  if (values.send && !topicArn) throw new UsageError('--send needs --topic-arn ARN (the deployed Replication Guard topic)');
  if (topicArn && !values.send) throw new UsageError('--topic-arn is only used with --send');
  const topicRegion = topicArn ? TOPIC_ARN.exec(topicArn)?.[1] : undefined;
  if (topicArn && !topicRegion) throw new UsageError(`--topic-arn: "${topicArn}" is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)`);

  const scenario = await loadScenario(positionals[0]!);
  const { drill } = scenario;
  const answer = parseAnswer(values.answer, drill.choices.length);
  if (answer === undefined && !(io.stdoutIsTTY && process.stdin.isTTY)) {
    throw new UsageError(`--answer N is needed when not on a terminal (1 to ${drill.choices.length})`);
  }
  const config = await loadConfigFile(values.config);
  const messages = onCallMessages(scenario, { config }).map((m) => ({ ...m, notification: markAsDrill(m.notification, scenario) }));

  rule(io, `[DRILL] ${drill.title}`);
  io.stdout(`\n${drill.situation}\n`);
  rule(io, 'What on-call receives');
  showMessages(io, messages);

  rule(io, drill.question);
  drill.choices.forEach((choice, i) => io.stdout(`  ${i + 1}. ${choice}\n`));
  const chosen = answer ?? (await askInteractively(drill.choices.length));
  io.stdout(`\nYou chose ${chosen}. ${chosen === drill.answer ? 'Right: check that first.' : `The first check is ${drill.answer}.`}\n${drill.why}\n`);

  rule(io, 'The runbook path');
  drill.runbookPath.forEach((step, i) => io.stdout(`  ${i + 1}. ${step.step}\n     ${runbookUrl(step.section, config.runbookBaseUrl)}\n`));

  rule(io, 'The cause');
  io.stdout(`${drill.cause}\n`);
  const report = evaluate(scenario.snapshot, { config, scope: 'all' });
  const shown = report.findings.filter((f) => f.severity !== 'info' || drill.expect.some((e) => e.code === f.code));
  io.stdout(
    shown.length
      ? `\nWhat Replication Guard found:\n${shown.map((f) => `  ${f.severity.padEnd(8)} ${f.code} ${f.region}/${f.resource}`).join('\n')}\n`
      : '\nReplication Guard finds nothing wrong with the fleet itself.\n',
  );

  if (values.send && topicArn) {
    const client = new SNSClient({ region: topicRegion, ...(values.profile ? { credentials: fromIni({ profile: values.profile }) } : {}) });
    for (const { notification } of messages) {
      const result = await client.send(new PublishCommand(drillPublishInput(notification, topicArn, scenario)));
      io.stderr(`Sent drill message "${notification.subject}" to ${topicArn} (message id ${result.MessageId}).\n`);
    }
    if (messages.length === 0) io.stderr('Nothing to send: this scenario pages nobody, which is the point of it.\n');
  }
  return EXIT_OK;
}

export const drillCommand: CliCommand = {
  name: 'drill',
  summary: 'rehearse an incident: what on-call receives, what to check first, the cause',
  usage,
  flags: Object.keys(RUN_OPTIONS),
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'list') {
      parseFlags(rest, {});
      for (const name of await bundledNames()) {
        const scenario = await loadScenario(name);
        io.stdout(`${name.padEnd(18)} ${scenario.drill.title}\n`);
      }
      io.stdout('\nRun one with: replguard drill run NAME\n');
      return EXIT_OK;
    }
    if (sub === 'run') return run(rest, io);
    throw new UsageError(sub === undefined ? 'needs a subcommand: list or run' : `unknown subcommand "${sub}" (list or run)`);
  },
};
