/** The review report for wikis: a Mermaid diagram of the topology plus the same tables as the HTML. */
import { SEVERITIES } from '../../findings';
import { formatSeconds } from '../../shared/format';
import { escapeMarkdownCell as cell, escapeMermaidLabel as label } from './escape';
import type { ReviewModel } from './model';
import { STATUS_STYLE } from './svg';

const VERDICT = { safe: 'Yes', 'safe-with-warnings': 'Yes, with warnings', unknown: 'Not known', 'not-safe': 'No' } as const;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** `flowchart LR` with a subgraph per region and per cluster; one link per replication link, in model order. */
export function renderMermaid(model: ReviewModel): string {
  const ids = new Map(model.nodes.map((n, i) => [n.key, `n${i}`]));
  const lines = ['flowchart LR'];
  model.regions.forEach((region, r) => {
    lines.push(`  subgraph r${r}["${label(region)}"]`);
    const here = model.nodes.filter((n) => n.region === region);
    const groups = model.groups.filter((g) => g.region === region);
    groups.forEach((g, i) => {
      const name = g.globalClusterId ? `cluster ${g.clusterId} (global ${g.globalClusterId})` : `cluster ${g.clusterId}`;
      lines.push(`    subgraph r${r}g${i}["${label(name)}"]`);
      for (const n of here.filter((n) => n.group === g.key)) lines.push(`      ${ids.get(n.key)}["${label(n.id)}<br/>${label(n.detail)}"]`);
      lines.push('    end');
    });
    for (const n of here.filter((n) => !n.group)) lines.push(`    ${ids.get(n.key)}["${label(n.id)}<br/>${label(n.detail)}"]`);
    lines.push('  end');
  });
  model.edges.forEach((e) => {
    const lag = e.lagSeconds === null ? (e.status === 'broken' ? 'stopped' : 'lag ?') : formatSeconds(e.lagSeconds);
    lines.push(`  ${ids.get(e.from)} -->|"${label(`${lag}, ${e.status}`)}"| ${ids.get(e.to)}`);
  });
  for (const status of ['healthy', 'lagging', 'degraded', 'broken', 'unknown'] as const) {
    const indexes = model.edges.flatMap((e, i) => (e.status === status ? [i] : []));
    if (indexes.length) lines.push(`  linkStyle ${indexes.join(',')} stroke:${STATUS_STYLE[status].stroke},stroke-width:2px`);
  }
  for (const status of ['lagging', 'degraded', 'broken', 'unknown'] as const) {
    const members = model.nodes.filter((n) => n.status === status).map((n) => ids.get(n.key));
    if (members.length === 0) continue;
    lines.push(`  classDef ${status} fill:${STATUS_STYLE[status].fill},stroke:${STATUS_STYLE[status].stroke}`);
    lines.push(`  class ${members.join(',')} ${status}`);
  }
  return lines.join('\n');
}

export function renderReviewMarkdown(model: ReviewModel): string {
  const s = model.report.summary;
  const out = [
    `# Replication review, ${model.checkedAt}`,
    '',
    `Source: ${cell(model.source)}. ${model.nodes.length} databases, ${model.edges.length} replication links in ${model.regions.length} regions.`,
    '',
    '## Are we safe?',
    '',
    `**${VERDICT[model.verdict]}.** ${model.headline}`,
    '',
    ...model.reasons.map((r) => `- ${cell(r)}`),
    '',
    ...table(
      ['replicas', 'healthy', 'critical', 'warning', 'info', 'DR primaries ready'],
      [[String(s.replicas), String(s.healthy), String(s.critical), String(s.warning), String(s.info), `${model.dr.filter((d) => d.ready === true).length} / ${model.dr.length}`]],
    ),
    '',
    '## Replication topology',
    '',
    'Arrows run from source to replica, labelled with the replica\'s lag and health.',
    '',
    '```mermaid',
    renderMermaid(model),
    '```',
    '',
    '## Disaster recovery',
    '',
  ];
  if (model.dr.length === 0) out.push('No primary is marked as needing DR.');
  else
    out.push(
      ...table(
        ['primary', 'region', 'verdict', 'covered regions', 'worst lag / RPO', 'why'],
        model.dr.map((d) => [
          cell(d.primary),
          cell(d.region),
          d.ready === true ? 'READY' : d.ready === false ? '**NOT READY**' : 'UNKNOWN',
          cell(d.regionsCovered.join(', ') || 'none'),
          `${d.worstLagSeconds === null ? 'unknown' : formatSeconds(d.worstLagSeconds)} / ${formatSeconds(d.rpoSeconds)}`,
          cell(d.reasons.join('; ')),
        ]),
      ),
    );
  out.push('', '## Replicas', '');
  out.push(
    ...table(
      ['region', 'replica', 'kind', 'source', 'health', 'lag', 'parameter drift', 'parity'],
      model.replicas.map((r) => [
        cell(r.region),
        cell(r.id),
        cell(r.kind),
        cell(r.sourceRegion === r.region ? r.sourceId : `${r.sourceId} (${r.sourceRegion})`),
        r.status,
        r.lagSeconds === null ? 'unknown' : formatSeconds(r.lagSeconds),
        r.drift ? cell(r.drift.map((f) => f.code).join(', ') || 'none') : 'not checked',
        cell(r.parity.findings.map((f) => f.code).join(', ') || 'ok'),
      ]),
    ),
  );
  out.push('', '## Findings', '');
  if (model.report.findings.length === 0) out.push('No findings.');
  for (const severity of SEVERITIES) {
    const list = model.report.findings.filter((f) => f.severity === severity);
    if (list.length === 0) continue;
    out.push(`### ${severity} (${list.length})`, '');
    for (const f of list) {
      out.push(`- **${f.code}** ${cell(f.resource)} (${cell(f.region)}): ${cell(f.message)}`);
      out.push(`  - Likely cause and first step: ${cell(f.hint)}`);
      out.push(`  - Runbook: <${f.runbook.replace(/[<>\s]/g, encodeURIComponent)}>`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
