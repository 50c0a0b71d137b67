import { evaluateOrg } from '../../lambdas/core/rules/evaluate-org';
import { renderJson, renderTable } from '../../lambdas/core/outputs/report';
import { parseFlags, parseFormatFlag } from './args';
import { FLEET_INPUT_HELP, FLEET_OR_ORG_INPUT_FLAGS, readFleetOrOrgInput } from './fleet-input';
import { ACCOUNT_FLAGS_HELP } from './org-input';
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

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check replication health, drift and DR readiness (live or --snapshot)',
  usage,
  flags: Object.keys(OPTIONS),
  async run(args, io) {
    const { values } = parseFlags(args, OPTIONS);
    const format = parseFormatFlag(values.format);
    const { config, baseline, org, targets } = await readFleetOrOrgInput(values, io);
    const report = evaluateOrg(org, { config, baseline, scope: 'all', ...(targets ? { targets } : {}) });
    io.stdout(format === 'json' ? renderJson(report) : renderTable(report, { color: io.stdoutIsTTY && !io.env.NO_COLOR }));
    if (values['exit-zero']) return EXIT_OK;
    return report.summary.critical > 0 ? EXIT_CRITICAL : EXIT_OK;
  },
};
