/** Human and machine renderings of a report. */
import type { DrReadiness, Report } from '../rules/evaluate';
import { SEVERITIES, type Severity } from '../findings';
import { formatSeconds } from '../shared/format';
import { printable } from '../shared/text';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export interface TableOptions {
  /** ANSI colour; only when writing to a terminal. */
  readonly color: boolean;
}

const COLOURS: Record<Severity | 'ok' | 'dim', string> = {
  critical: '\u001b[31;1m',
  warning: '\u001b[33m',
  info: '\u001b[36m',
  ok: '\u001b[32m',
  dim: '\u001b[2m',
};
const RESET = '\u001b[0m';

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => visibleLength(row[col] ?? ''))));
  return rows.map((row) =>
    row
      .map((cell, col) => (col === row.length - 1 ? cell : cell + ' '.repeat(widths[col]! - visibleLength(cell))))
      .join('  ')
      .trimEnd(),
  );
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (s: string) => s.replace(ANSI, '').length;

export function renderTable(report: Report, options: TableOptions): string {
  const paint = (colour: keyof typeof COLOURS, text: string) =>
    options.color ? `${COLOURS[colour]}${text}${RESET}` : text;
  const statusColour = (status: string): keyof typeof COLOURS =>
    status === 'healthy' ? 'ok' : status === 'broken' ? 'critical' : status === 'unknown' ? 'dim' : 'warning';

  const replicaTable = (replicas: Report['replicas']): string[] => {
    const rows: string[][] = [['REGION', 'REPLICA', 'KIND', 'SOURCE', 'LAG', 'STATUS']];
    for (const r of replicas) {
      const source = printable(r.sourceRegion === r.region ? r.sourceId : `${r.sourceId} (${r.sourceRegion})`);
      rows.push([
        r.region,
        printable(r.id),
        r.kind,
        source,
        r.lagSeconds === null ? '-' : formatSeconds(r.lagSeconds),
        paint(statusColour(r.status), r.status),
      ]);
    }
    return table(rows);
  };
  const drTable = (dr: Report['dr']): string[] => {
    const verdict = (ready: DrReadiness['ready']) =>
      ready === true ? paint('ok', 'READY') : ready === false ? paint('critical', 'NOT READY') : paint('dim', 'UNKNOWN');
    const rows: string[][] = [['REGION', 'PRIMARY', 'COVERED', 'WORST LAG / RPO', 'VERDICT', 'REASONS']];
    for (const d of dr) {
      rows.push([
        d.region,
        printable(d.kind === 'aurora-global' ? `${d.primary} (global)` : d.primary),
        d.regionsCovered.length ? d.regionsCovered.join(',') : '-',
        `${d.worstLagSeconds === null ? '-' : formatSeconds(d.worstLagSeconds)} / ${formatSeconds(d.rpoSeconds)}`,
        verdict(d.ready),
        printable(d.reasons.join('; ')),
      ]);
    }
    return table(rows);
  };

  const lines: string[] = [];
  const s = report.summary;
  const accounts = report.accounts ?? [];
  lines.push(
    `Replication Guard check at ${report.checkedAt}: ${s.replicas} replicas, ${s.healthy} healthy` +
      (accounts.length > 1 ? ` in ${accounts.length} accounts` : '') +
      `; findings: ${s.critical} critical, ${s.warning} warning, ${s.info} info`,
  );
  if (accounts.length === 0) {
    lines.push('');
    lines.push(...(report.replicas.length === 0 ? ['No replicas found in the regions read.'] : replicaTable(report.replicas)));
    if (report.dr.length > 0) lines.push('', 'DR readiness', ...drTable(report.dr));
  }
  // Grouped by account: every account read is listed, one with no databases too.
  for (const account of accounts) {
    const mine = <T extends { readonly accountId?: string }>(rows: readonly T[]) => rows.filter((r) => r.accountId === account.accountId);
    const replicas = mine(report.replicas);
    const dr = mine(report.dr);
    const label = printable(account.accountName ? `${account.accountId} (${account.accountName})` : account.accountId);
    const where = `${account.regions.length} region${account.regions.length === 1 ? '' : 's'} (${account.regions.join(', ')})`;
    const read =
      account.read === 'unreadable'
        ? paint('critical', `could not be read in ${where}: see CHECK_DEGRADED`)
        : `${account.databases} database${account.databases === 1 ? '' : 's'}, ${account.replicas} replica${account.replicas === 1 ? '' : 's'} in ${where}` +
          (account.read === 'degraded' ? paint('warning', '; part of the read failed') : '');
    lines.push('', `ACCOUNT ${label}: ${read}`);
    if (replicas.length > 0) lines.push(...replicaTable(replicas).map((line) => `  ${line}`));
    else if (account.read !== 'unreadable') lines.push(`  No replicas found${account.databases === 0 ? ' (no databases in the regions read)' : ''}.`);
    if (dr.length > 0) lines.push('  DR readiness', ...drTable(dr).map((line) => `  ${line}`));
  }

  for (const severity of SEVERITIES) {
    const findings = report.findings.filter((f) => f.severity === severity);
    if (findings.length === 0) continue;
    lines.push('');
    lines.push(paint(severity, `${severity.toUpperCase()} (${findings.length})`));
    for (const f of findings) {
      // Messages quote AWS (status messages, parameter values): one line each, escapes visible.
      const account = accounts.length > 1 && f.accountId ? `${f.accountId}${f.accountName ? ` (${printable(f.accountName)})` : ''} ` : '';
      lines.push(`  ${paint(severity, f.code)}  ${account}${f.region}/${printable(f.resource)}`);
      lines.push(`    ${printable(f.message)}`);
      lines.push(`    fix: ${printable(f.hint)}`);
      lines.push(paint('dim', `    runbook: ${printable(f.runbook)}`));
    }
  }
  if (report.findings.length === 0) {
    lines.push('');
    lines.push(paint('ok', 'No findings.'));
  }
  return `${lines.join('\n')}\n`;
}
