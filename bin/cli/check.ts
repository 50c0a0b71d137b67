import { evaluate, summarize, type EvaluateOptions, type Report } from '../../lambdas/core/rules/evaluate';
import { sortFindings } from '../../lambdas/core/findings';
import { SNAPSHOT_FORMAT } from '../../lambdas/core/fleet/model';
import { renderJson, renderTable } from '../../lambdas/core/outputs/report';
import { parseFlags, parseFormatFlag } from './args';
import { FLEET_INPUT_HELP, FLEET_OR_ORG_INPUT_FLAGS, readFleetOrOrgInput } from './fleet-input';
import { ACCOUNT_FLAGS_HELP, type OrgRead } from './org-input';
import { EXIT_CRITICAL, EXIT_OK, type CliCommand } from './types';

const OPTIONS = { ...FLEET_OR_ORG_INPUT_FLAGS, format: { type: 'string' }, 'exit-zero': { type: 'boolean' } } as const;

const usage = `Usage: replguard check [--snapshot FILE | --regions R1,R2 [--profile NAME]] [--config FILE]
                       [--accounts ID,... [--role-name NAME] | --organization [--role-name NAME]]
                       [--baseline FILE] [--format table|json] [--exit-zero]

Checks replication health, parameter drift and DR readiness, live or from a snapshot file.

${FLEET_INPUT_HELP}
${ACCOUNT_FLAGS_HELP}
  --format FORMAT   table (default) or json
  --exit-zero       exit 0 even with critical findings (for demos)

Exit status: 0 no critical finding, 1 at least one critical finding, 2 bad input or usage.`;

/**
 * Each account through the one evaluation; an account that could not be read at all carries its
 * error into every region it should have had, so it is CHECK_DEGRADED there.
 */
function evaluateAccounts(org: OrgRead, options: EvaluateOptions): Report {
  const reports = org.targets.map((target) => {
    const account = org.snapshot.accounts[target.accountId];
    const errors = account?.errors ?? [];
    const regions = errors.length > 0 || !account ? Object.fromEntries(target.regions.map((r) => [r, { errors }])) : account.regions;
    return evaluate({ format: SNAPSHOT_FORMAT, capturedAt: org.snapshot.capturedAt, regions }, options);
  });
  const replicas = reports.flatMap((r) => r.replicas);
  const findings = sortFindings(reports.flatMap((r) => r.findings));
  return { checkedAt: org.snapshot.capturedAt, summary: summarize(replicas, findings), replicas, findings, dr: reports.flatMap((r) => r.dr) };
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check replication health, drift and DR readiness (live or --snapshot)',
  usage,
  flags: Object.keys(OPTIONS),
  async run(args, io) {
    const { values } = parseFlags(args, OPTIONS);
    const format = parseFormatFlag(values.format);
    const input = await readFleetOrOrgInput(values, io);
    const options = { config: input.config, baseline: input.baseline, scope: 'all' } as const;
    const report = 'org' in input ? evaluateAccounts(input.org, options) : evaluate(input.snapshot, options);
    io.stdout(format === 'json' ? renderJson(report) : renderTable(report, { color: io.stdoutIsTTY && !io.env.NO_COLOR }));
    if (values['exit-zero']) return EXIT_OK;
    return report.summary.critical > 0 ? EXIT_CRITICAL : EXIT_OK;
  },
};
