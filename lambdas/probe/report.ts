/** The probe's report: the same findings as `check`, with one row per replica the probe read. */
import { SEVERITIES } from '../core/findings';
import { formatSeconds } from '../core/shared/format';
import type { ProbeObservation } from '../core/fleet/probe-observation';
import type { ProbeResult } from '../core/rules/probe/probe-rules';

export interface ProbeReport extends ProbeResult {
  readonly summary: { readonly databases: number; readonly replicas: number; readonly healthy: number; readonly critical: number; readonly warning: number; readonly info: number };
  /** What the probe saw, password-free: the evidence behind every finding. */
  readonly observations: readonly ProbeObservation[];
}

export function probeReport(observations: readonly ProbeObservation[], result: ProbeResult): ProbeReport {
  const count = (severity: string) => result.findings.filter((f) => f.severity === severity).length;
  return {
    checkedAt: result.checkedAt,
    summary: {
      databases: observations.length,
      replicas: result.replicas.length,
      healthy: result.replicas.filter((r) => r.status === 'healthy').length,
      critical: count('critical'),
      warning: count('warning'),
      info: count('info'),
    },
    replicas: result.replicas,
    findings: result.findings,
    observations,
  };
}

export function renderProbeJson(report: ProbeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  return rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd());
}

export function renderProbeTable(report: ProbeReport): string {
  const s = report.summary;
  const lines = [
    `Replication Guard probe at ${report.checkedAt}: ${s.databases} databases, ${s.replicas} replicas, ${s.healthy} healthy; ` +
      `findings: ${s.critical} critical, ${s.warning} warning, ${s.info} info`,
    '',
  ];
  const rows: string[][] = [['DATABASE', 'ENGINE', 'ROLE', 'SOURCE', 'LAG', 'BY', 'STATUS']];
  const verdicts = new Map(report.replicas.map((r) => [r.target, r]));
  for (const o of report.observations) {
    const v = verdicts.get(o.target);
    rows.push([
      o.target,
      o.engine,
      o.role ?? '-',
      o.sourceTarget ?? '-',
      v?.lagSeconds == null ? '-' : formatSeconds(v.lagSeconds),
      v?.lagSource ?? '-',
      o.failure ? 'unreachable' : (v?.status ?? (o.role === 'source' ? 'source' : '-')),
    ]);
  }
  lines.push(...table(rows));
  for (const severity of SEVERITIES) {
    const findings = report.findings.filter((f) => f.severity === severity);
    if (findings.length === 0) continue;
    lines.push('', `${severity.toUpperCase()} (${findings.length})`);
    for (const f of findings) {
      lines.push(`  ${f.code}  ${f.region}/${f.resource}`, `    ${f.message}`, `    fix: ${f.hint}`, `    runbook: ${f.runbook}`);
    }
  }
  if (report.findings.length === 0) lines.push('', 'No findings.');
  return `${lines.join('\n')}\n`;
}
