/**
 * The review report as one self-contained HTML file: inline CSS, one small inline script (search,
 * print) and inline SVG. A Content-Security-Policy forbids every network fetch and any script other
 * than that one, so the page works from a laptop, an email attachment or a wiki upload alike.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../../findings';
import { SEVERITIES } from '../../findings';
import { formatSeconds } from '../../shared/format';
import { escapeHtml as esc, safeHref } from './escape';
import type { Layout } from './layout';
import type { ReplicaDetail, ReviewModel, Verdict } from './model';
import { renderLegend, renderSparkline, renderTopologySvg, STATUS_STYLE } from './svg';

export interface HtmlOptions {
  /** The warning lag threshold, drawn in each sparkline. */
  readonly warningSeconds: number;
  /** When the layout is not ELK's whole-fleet layout, how it was made (said under the diagram). */
  readonly layoutNote?: string;
}

const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  safe: 'Yes',
  'safe-with-warnings': 'Yes, with warnings',
  unknown: 'Not known',
  'not-safe': 'No',
};

const STYLE = `
:root{color-scheme:light;--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#ffffff;--panel:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1400px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:21px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:17px;margin:20px 0 6px}
.muted,.meta{color:var(--muted)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
td.mono,th.mono{white-space:nowrap}
[hidden]{display:none!important}
.verdict{border:2px solid;border-radius:8px;padding:12px 16px;margin:12px 0}
.verdict p{margin:4px 0}.verdict .answer{font-size:22px;font-weight:700}
.verdict.not-safe{border-color:#a40e26;background:#ffebe9}.verdict.unknown{border-color:#57606a;background:#eaeef2}
.verdict.safe-with-warnings{border-color:#7d4e00;background:#fff8c5}.verdict.safe{border-color:#116329;background:#dafbe1}
.counts{display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:12px 0;list-style:none}
.counts li{border:1px solid var(--line);border-radius:6px;padding:6px 12px;background:var(--panel)}
.counts b{font-size:20px;display:block}
.search{position:sticky;top:0;z-index:2;background:var(--bg);padding:8px 0;border-bottom:1px solid var(--line);display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.search input{font:inherit;padding:6px 10px;min-width:320px;border:1px solid #8c959f;border-radius:6px}
.search input:focus{outline:3px solid #0969da;outline-offset:1px}
.scroll{overflow:auto;max-height:80vh;border:1px solid var(--line);border-radius:6px;background:#fff}
svg.topology{display:block}
svg.topology .region rect{fill:#f6f8fa;stroke:#8c959f}
svg.topology .region-name{font:700 14px system-ui,sans-serif;fill:#1f2328}
svg.topology .cluster-group rect{fill:none;stroke:#6e7781;stroke-dasharray:4 3}
svg.topology .cluster-group.global rect{stroke:#0550ae;stroke-width:1.5}
svg.topology .cluster-group text{font:11px system-ui,sans-serif;fill:#424a53}
svg.topology .edge path{fill:none;stroke-width:1.6}
svg.topology .stub rect{fill:#fff}
svg.topology .stub text{font:11px system-ui,sans-serif;fill:#1f2328}
svg.topology .lag-bg{fill:#fff;opacity:.9}
svg.topology .lag{font:600 11px system-ui,sans-serif;text-anchor:middle}
svg.topology .node text.id{font:600 12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#1f2328}
svg.topology .node text.detail{font:11px system-ui,sans-serif;fill:#424a53}
svg.topology .node.match rect{stroke:#0969da;stroke-width:4}
.legend{display:flex;flex-wrap:wrap;gap:16px;list-style:none;padding:0;margin:6px 0}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600}
td.num{text-align:right;white-space:nowrap}
.status{font-weight:600;white-space:nowrap}
${Object.entries(STATUS_STYLE)
  .map(([s, v]) => `.status.${s}{color:${v.stroke}}`)
  .join('')}
svg.spark polyline{fill:none;stroke:#0550ae;stroke-width:1.5}
svg.spark .threshold{stroke:#7d4e00;stroke-dasharray:3 2;stroke-width:1}
svg.spark circle.ok{fill:#0550ae}svg.spark circle.over{fill:#a40e26}
details.region{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:0 12px}
details.region>summary{cursor:pointer;padding:8px 0;font-weight:600}
.finding{border-left:4px solid;padding:4px 12px;margin:8px 0;background:var(--panel)}
.finding.critical{border-color:#a40e26}.finding.warning{border-color:#7d4e00}.finding.info{border-color:#0550ae}
.finding p{margin:2px 0}
.sev{font-weight:700;text-transform:uppercase;font-size:12px}
ul.plain{margin:0;padding-left:18px}
a{color:#0550ae}
@media print{
  body{font-size:11pt}
  main{max-width:none;padding:0}
  .search,.no-print{display:none!important}
  .scroll{overflow:visible;max-height:none;border:none}
  svg.topology{max-width:100%;height:auto}
  details.region{border:none;padding:0}
  .finding,tr,.verdict{break-inside:avoid}
  h2{break-after:avoid}
  a[href^="http"]::after{content:" (" attr(href) ")";font-size:9pt;color:#57606a}
  *{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}`;

/** Search by identifier, and every region opened for printing. Reads only the page. */
const SCRIPT = `(function(){
var box=document.getElementById('search'),out=document.getElementById('search-count');
var items=Array.prototype.slice.call(document.querySelectorAll('[data-search]'));
var regions=Array.prototype.slice.call(document.querySelectorAll('details.region'));
var nodes=Array.prototype.slice.call(document.querySelectorAll('svg.topology .node'));
function apply(){
  var q=box.value.trim().toLowerCase(),rows=0;
  items.forEach(function(el){var hit=!q||el.getAttribute('data-search').indexOf(q)>=0;el.hidden=!hit;if(hit&&q&&el.tagName==='TR'&&el.closest('#replicas'))rows++;});
  regions.forEach(function(d){var any=d.querySelector('tr[data-search]:not([hidden])');d.hidden=!!q&&!any;if(q&&any)d.open=true;});
  nodes.forEach(function(n){n.classList.toggle('match',!!q&&n.getAttribute('data-id').toLowerCase().indexOf(q)>=0);});
  out.textContent=q?rows+(rows===1?' replica matches':' replicas match'):'';
}
box.addEventListener('input',apply);
window.addEventListener('beforeprint',function(){regions.forEach(function(d){d.open=true;});});
})();`;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

function counts(model: ReviewModel): string {
  const s = model.report.summary;
  const by = (status: string) => model.replicas.filter((r) => r.status === status).length;
  const ready = model.dr.filter((d) => d.ready === true).length;
  const items: [string, number | string][] = [
    ['replicas', s.replicas],
    ['healthy', s.healthy],
    ['lagging', by('lagging')],
    ['broken', by('broken')],
    ['unknown', by('unknown')],
    ['DR primaries ready', `${ready} / ${model.dr.length}`],
    ['critical findings', s.critical],
    ['warnings', s.warning],
  ];
  return `<ul class="counts">${items.map(([label, value]) => `<li><b>${esc(value)}</b>${esc(label)}</li>`).join('')}</ul>`;
}

function summary(model: ReviewModel): string {
  const top = model.report.findings.filter((f) => f.severity === 'critical').slice(0, 5);
  return [
    '<section id="summary" aria-labelledby="summary-h">',
    '<h2 id="summary-h">Are we safe?</h2>',
    `<div class="verdict ${model.verdict}"><p class="answer">${esc(VERDICT_TEXT[model.verdict])}</p><p>${esc(model.headline)}</p>`,
    model.reasons.length ? `<ul class="plain">${model.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '',
    '</div>',
    counts(model),
    top.length
      ? `<h3>First to act on</h3><ol>${top
          .map((f) => `<li><a href="#${findingAnchor(f, model)}"><code>${esc(f.code)}</code> ${esc(f.resource)} (${esc(f.region)})</a></li>`)
          .join('')}</ol>`
      : '',
    '</section>',
  ].join('\n');
}

const anchors = new WeakMap<ReviewModel, Map<Finding, number>>();

/** The id of a finding's article; indexed once per model so large fleets stay linear. */
function findingAnchor(f: Finding, model: ReviewModel): string {
  let index = anchors.get(model);
  if (!index) {
    index = new Map(model.report.findings.map((finding, i) => [finding, i]));
    anchors.set(model, index);
  }
  return `finding-${index.get(f)}`;
}

function drSection(model: ReviewModel): string {
  if (model.dr.length === 0) {
    return '<section id="dr" aria-labelledby="dr-h"><h2 id="dr-h">Disaster recovery</h2><p>No primary is marked as needing DR.</p></section>';
  }
  const verdict = (ready: boolean | 'unknown') =>
    ready === true
      ? '<span class="status healthy">READY</span>'
      : ready === false
        ? '<span class="status broken">NOT READY</span>'
        : '<span class="status unknown">UNKNOWN</span>';
  const rows = model.dr.map(
    (d) =>
      `<tr data-search="${esc(d.primary.toLowerCase())}"><td class="mono">${esc(d.primary)}</td><td>${esc(d.region)}</td><td>${esc(d.kind)}</td>` +
      `<td>${verdict(d.ready)}</td><td>${d.regionsCovered.length ? esc(d.regionsCovered.join(', ')) : '<span class="muted">none</span>'}</td>` +
      `<td class="num">${d.worstLagSeconds === null ? 'unknown' : esc(formatSeconds(d.worstLagSeconds))} / ${esc(formatSeconds(d.rpoSeconds))}</td>` +
      `<td>${d.reasons.length ? `<ul class="plain">${d.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}</td></tr>`,
  );
  return [
    '<section id="dr" aria-labelledby="dr-h"><h2 id="dr-h">Disaster recovery</h2>',
    '<table><caption class="muted">Per primary marked as needing DR: the verdict, the other regions it has a replica in, and its worst cross-region lag against the RPO.</caption>',
    '<thead><tr><th scope="col">Primary</th><th scope="col">Region</th><th scope="col">Kind</th><th scope="col">Verdict</th><th scope="col">Covered regions</th><th scope="col">Worst lag / RPO</th><th scope="col">Why</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table></section>`,
  ].join('\n');
}

function driftCell(model: ReviewModel, r: ReplicaDetail): string {
  if (!r.drift) return '<span class="muted">not checked</span>';
  if (r.drift.length === 0) return 'none';
  return `<ul class="plain">${r.drift
    .map((f) => {
      const p = typeof f.evidence.parameter === 'string' ? ` ${f.evidence.parameter}` : '';
      return `<li><a href="#${findingAnchor(f, model)}"><code>${esc(f.code)}</code>${esc(p)}</a></li>`;
    })
    .join('')}</ul>`;
}

function parityCell(model: ReviewModel, r: ReplicaDetail): string {
  const p = r.parity;
  const pair = (name: string, replica: string | number | undefined, source: string | number | undefined) =>
    replica === undefined && source === undefined
      ? ''
      : source === undefined
        ? `<li>${name} ${esc(replica ?? '?')}</li>`
        : `<li>${name} ${esc(replica ?? '?')}${replica === source ? ' (= source)' : `, source ${esc(source)}`}</li>`;
  const lines = [
    pair('class', p.replicaClass, p.sourceClass),
    pair('version', p.replicaVersion, p.sourceVersion),
    pair('storage GiB', p.replicaStorageGiB, p.sourceStorageGiB),
    ...p.findings.map((f) => `<li><a href="#${findingAnchor(f, model)}"><code>${esc(f.code)}</code></a></li>`),
  ].filter(Boolean);
  return lines.length ? `<ul class="plain">${lines.join('')}</ul>` : '<span class="muted">not known</span>';
}

function replicaRow(model: ReviewModel, r: ReplicaDetail, warningSeconds: number): string {
  const source = r.sourceRegion === r.region ? r.sourceId : `${r.sourceId} (${r.sourceRegion})`;
  const others = r.findings.filter((f) => !r.parity.findings.includes(f) && !(r.drift ?? []).includes(f));
  return (
    `<tr data-search="${esc(r.id.toLowerCase())}" id="replica-${esc(r.key)}">` +
    `<th scope="row" class="mono">${esc(r.id)}</th><td>${esc(r.kind)}<br><span class="muted">${esc(r.engine)}</span></td>` +
    `<td class="mono">${esc(source)}</td>` +
    `<td><span class="status ${r.status}">${esc(r.status)}</span></td>` +
    `<td class="num">${r.lagSeconds === null ? 'unknown' : esc(formatSeconds(r.lagSeconds))}</td>` +
    `<td>${renderSparkline(r.lagSeries, warningSeconds)}</td>` +
    `<td>${driftCell(model, r)}</td><td>${parityCell(model, r)}</td>` +
    `<td>${others.length ? `<ul class="plain">${others.map((f) => `<li><a href="#${findingAnchor(f, model)}"><code>${esc(f.code)}</code></a></li>`).join('')}</ul>` : ''}</td></tr>`
  );
}

function replicasSection(model: ReviewModel, warningSeconds: number): string {
  const parts = ['<section id="replicas" aria-labelledby="replicas-h"><h2 id="replicas-h">Replicas</h2>'];
  if (model.replicas.length === 0) parts.push('<p>No replicas in the regions read.</p>');
  for (const region of model.regions) {
    const rows = model.replicas.filter((r) => r.region === region);
    if (rows.length === 0) continue;
    const attention = rows.filter((r) => r.status !== 'healthy').length;
    parts.push(
      `<details class="region" data-region="${esc(region)}"${attention ? ' open' : ''}>`,
      `<summary>${esc(region)}: ${rows.length} replica${rows.length === 1 ? '' : 's'}, ${attention ? `${attention} need attention` : 'all healthy'}</summary>`,
      '<table><thead><tr><th scope="col">Replica</th><th scope="col">Kind</th><th scope="col">Source</th><th scope="col">Health</th>' +
        '<th scope="col">Lag now</th><th scope="col">Lag over the window</th><th scope="col">Parameter drift</th><th scope="col">Size and version parity</th><th scope="col">Other findings</th></tr></thead>',
      `<tbody>${rows.map((r) => replicaRow(model, r, warningSeconds)).join('\n')}</tbody></table>`,
      '</details>',
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function findingsSection(model: ReviewModel): string {
  const parts = ['<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">Findings</h2>'];
  if (model.report.findings.length === 0) parts.push('<p>No findings.</p>');
  for (const severity of SEVERITIES) {
    const list = model.report.findings.filter((f) => f.severity === severity);
    if (list.length === 0) continue;
    parts.push(`<h3>${severity[0]!.toUpperCase()}${severity.slice(1)} (${list.length})</h3>`);
    for (const f of list) {
      parts.push(
        `<article class="finding ${f.severity}" id="${findingAnchor(f, model)}" data-search="${esc(f.resource.toLowerCase())}">` +
          `<p><span class="sev">${esc(f.severity)}</span> <code>${esc(f.code)}</code> on <span class="mono">${esc(f.resource)}</span> (${esc(f.region)})</p>` +
          `<p><b>What:</b> ${esc(f.message)}</p>` +
          `<p><b>Likely cause and first step:</b> ${esc(f.hint)}</p>` +
          `<p><b>Runbook:</b> <a href="${safeHref(f.runbook)}">${esc(f.runbook)}</a></p></article>`,
      );
    }
  }
  parts.push('</section>');
  return parts.join('\n');
}

export function renderReviewHtml(model: ReviewModel, layout: Layout, options: HtmlOptions): string {
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${sha256(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Replication review ${esc(model.checkedAt)}</title>`,
    `<style>${STYLE}</style></head><body><main>`,
    '<header><h1>Replication review</h1>',
    `<p class="meta">Fleet as of ${esc(model.checkedAt)} · ${esc(model.source)} · ${model.nodes.length} databases, ${model.edges.length} replication links in ${model.regions.length} regions · generated by replguard report</p></header>`,
    summary(model),
    '<div class="search" role="search"><label for="search">Find a database by identifier</label>' +
      '<input id="search" type="search" autocomplete="off" placeholder="e.g. orders-mysql-ro-1"><output id="search-count" aria-live="polite"></output></div>',
    '<section id="topology" aria-labelledby="topology-h"><h2 id="topology-h">Replication topology</h2>',
    '<p class="muted">Grouped by region; dashed boxes are clusters (blue: members of a global database). Arrows run from source to replica, coloured by the replica\'s health and labelled with its lag. A link to another region ends at a rounded tag naming the other end (select it to jump there).' +
      (options.layoutNote ? ` ${esc(options.layoutNote)}` : '') +
      '</p>',
    renderLegend(),
    `<div class="scroll" tabindex="0" role="region" aria-label="Replication topology diagram, scrollable">${renderTopologySvg(model, layout)}</div></section>`,
    drSection(model),
    replicasSection(model, options.warningSeconds),
    findingsSection(model),
    '</main>',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
