/** The topology diagram and the lag sparklines as inline SVG: no script, no external reference. */
import { formatSeconds } from '../../shared/format';
import { escapeHtml as esc } from './escape';
import type { Layout } from './layout';
import { NODE_HEIGHT } from './layout';
import type { LinkStatus, ReviewModel, ReviewNode } from './model';

/** Stroke/text colours at least 4.5:1 on white and on their tint; dashes so colour is never the only cue. */
export const STATUS_STYLE: Readonly<Record<LinkStatus | 'source', { stroke: string; fill: string; dash?: string; label: string }>> = {
  healthy: { stroke: '#116329', fill: '#dafbe1', label: 'healthy' },
  lagging: { stroke: '#7d4e00', fill: '#fff8c5', dash: '8 3', label: 'lagging' },
  degraded: { stroke: '#953800', fill: '#fff1e5', dash: '8 3 2 3', label: 'degraded' },
  broken: { stroke: '#a40e26', fill: '#ffebe9', dash: '3 3', label: 'broken (not replicating)' },
  unknown: { stroke: '#57606a', fill: '#eaeef2', dash: '1 3', label: 'unknown (no data)' },
  source: { stroke: '#24292f', fill: '#ffffff', label: 'source / not a replica' },
};

const STATUSES = ['healthy', 'lagging', 'degraded', 'broken', 'unknown'] as const;
const r1 = (n: number) => Math.round(n * 10) / 10;

function nodeTitle(node: ReviewNode): string {
  const what = node.type === 'unread' ? 'not described (region not read)' : node.detail;
  const state = node.status === 'source' ? 'not a replica' : `replica, ${node.status}`;
  return `${node.id} (${node.region}): ${what}; ${state}`;
}

export function renderTopologySvg(model: ReviewModel, layout: Layout): string {
  const nodes = new Map(model.nodes.map((n) => [n.key, n]));
  const edges = new Map(model.edges.map((e) => [e.key, e]));
  const groups = new Map(model.groups.map((g) => [g.key, g]));
  const out: string[] = [];
  const cross = model.edges.filter((e) => e.crossRegion).length;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" role="img" aria-labelledby="topology-title topology-desc" ` +
      `width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}">`,
    `<title id="topology-title">Replication topology</title>`,
    `<desc id="topology-desc">${esc(
      `${model.nodes.length} databases in ${model.regions.length} regions and ${model.edges.length} replication links ` +
        `(${cross} across regions). Arrows point from source to replica and are labelled with the replica's lag. ` +
        `The Replicas table below lists the same links as text.`,
    )}</desc>`,
    '<defs>',
    ...STATUSES.map(
      (s) =>
        `<marker id="arrow-${s}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
        `<path d="M0,0 L10,5 L0,10 z" fill="${STATUS_STYLE[s].stroke}"/></marker>`,
    ),
    '</defs>',
  );

  for (const region of layout.regions) {
    out.push(
      `<g class="region" data-region="${esc(region.region)}"><rect x="${r1(region.x)}" y="${r1(region.y)}" width="${r1(region.width)}" height="${r1(region.height)}" rx="8"/>` +
        `<text class="region-name" x="${r1(region.x + 10)}" y="${r1(region.y + 19)}">${esc(region.region)}</text></g>`,
    );
  }
  for (const placed of layout.groups) {
    const group = groups.get(placed.key);
    if (!group) continue;
    const name = group.globalClusterId ? `cluster ${group.clusterId} · global ${group.globalClusterId}` : `cluster ${group.clusterId}`;
    out.push(
      `<g class="cluster-group${group.globalClusterId ? ' global' : ''}"><rect x="${r1(placed.x)}" y="${r1(placed.y)}" width="${r1(placed.width)}" height="${r1(placed.height)}" rx="6"/>` +
        `<text x="${r1(placed.x + 8)}" y="${r1(placed.y + 16)}">${esc(name)}</text></g>`,
    );
  }
  for (const placed of layout.edges) {
    const edge = edges.get(placed.key);
    if (!edge) continue;
    const style = STATUS_STYLE[edge.status];
    const from = nodes.get(edge.from)!;
    const to = nodes.get(edge.to)!;
    const lag = edge.lagSeconds === null ? 'lag unknown' : `lag ${formatSeconds(edge.lagSeconds)}`;
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
    const paths = placed.sections.map((points, i) => {
      const d = points.map((p, j) => `${j ? 'L' : 'M'}${r1(p.x)},${r1(p.y)}`).join(' ');
      // Across regions the first half ends at a tag, not at the replica: only the last half has the arrowhead.
      const arrow = i === placed.sections.length - 1 ? ` marker-end="url(#arrow-${edge.status})"` : '';
      return `<path d="${d}" stroke="${style.stroke}"${dash}${arrow}/>`;
    });
    const stubs = placed.stubs.map(
      (st) =>
        `<a class="stub" href="#db-${esc(st.target)}"><rect x="${r1(st.x)}" y="${r1(st.y)}" width="${r1(st.width)}" height="${r1(st.height)}" rx="11" stroke="${style.stroke}"/>` +
        `<text x="${r1(st.x + 7)}" y="${r1(st.y + st.height - 7)}">${esc(st.text)}</text></a>`,
    );
    out.push(
      `<g class="edge${edge.crossRegion ? ' cross' : ''}" data-from="${esc(edge.from)}" data-to="${esc(edge.to)}" data-status="${edge.status}">` +
        `<title>${esc(`${from.id} (${from.region}) to ${to.id} (${to.region}): ${edge.status}, ${lag}`)}</title>` +
        paths.join('') +
        stubs.join('') +
        (placed.label
          ? `<rect class="lag-bg" x="${r1(placed.label.x)}" y="${r1(placed.label.y)}" width="${r1(placed.label.width)}" height="${r1(placed.label.height)}" rx="3"/>` +
            `<text class="lag" x="${r1(placed.label.x + placed.label.width / 2)}" y="${r1(placed.label.y + placed.label.height - 3)}" fill="${style.stroke}">${esc(placed.label.text)}</text>`
          : '') +
        '</g>',
    );
  }
  for (const placed of layout.nodes) {
    const node = nodes.get(placed.key);
    if (!node) continue;
    const style = STATUS_STYLE[node.status];
    const cx = r1(placed.x + 10);
    out.push(
      `<g class="node ${node.type}" id="db-${esc(node.key)}" data-id="${esc(node.id)}" data-region="${esc(node.region)}" data-status="${node.status}">` +
        `<title>${esc(nodeTitle(node))}</title>` +
        `<rect x="${r1(placed.x)}" y="${r1(placed.y)}" width="${r1(placed.width)}" height="${NODE_HEIGHT}" rx="4" fill="${style.fill}" stroke="${style.stroke}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>` +
        `<text class="id" x="${cx}" y="${r1(placed.y + 17)}">${esc(node.id)}</text>` +
        `<text class="detail" x="${cx}" y="${r1(placed.y + 32)}">${esc(node.detail)}</text>` +
        '</g>',
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** The legend, as HTML so it wraps and reads as text. */
export function renderLegend(): string {
  const item = (s: LinkStatus | 'source') => {
    const style = STATUS_STYLE[s];
    return (
      `<li><svg width="34" height="12" aria-hidden="true"><line x1="1" y1="6" x2="33" y2="6" stroke="${style.stroke}" stroke-width="2"` +
      `${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/></svg> ${esc(style.label)}</li>`
    );
  };
  return `<ul class="legend">${[...STATUSES, 'source' as const].map(item).join('')}</ul>`;
}

/** A lag sparkline over the read window, with its numbers as the text alternative. */
export function renderSparkline(series: readonly { readonly seconds: number }[], warningSeconds: number): string {
  if (series.length === 0) return '<span class="muted">no datapoints</span>';
  const w = 120;
  const h = 26;
  const values = series.map((p) => p.seconds);
  const max = Math.max(...values, warningSeconds, 1e-9);
  const x = (i: number) => r1(series.length === 1 ? w / 2 : 2 + (i * (w - 4)) / (series.length - 1));
  const y = (v: number) => r1(h - 2 - (v / max) * (h - 4));
  const points = values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
  const last = values[values.length - 1]!;
  const over = last >= warningSeconds;
  const label =
    `Lag over ${series.length} datapoints: min ${formatSeconds(Math.min(...values))}, max ${formatSeconds(Math.max(...values))}, ` +
    `latest ${formatSeconds(last)} (warning at ${formatSeconds(warningSeconds)})`;
  return (
    `<svg class="spark" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>` +
    `<line class="threshold" x1="0" x2="${w}" y1="${y(warningSeconds)}" y2="${y(warningSeconds)}"/>` +
    `<polyline points="${points}"/>` +
    `<circle cx="${x(values.length - 1)}" cy="${y(last)}" r="2.5" class="${over ? 'over' : 'ok'}"/></svg>`
  );
}
