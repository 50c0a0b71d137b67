/**
 * Lays the replication graph out with ELK at generation time: the page only carries coordinates.
 *
 * Each region's databases are split into families (linked by replication or a shared cluster).
 * ELK's layered algorithm lays out each family, and families of the same shape only once (at
 * 1,000 replicas a whole-region layered layout takes tens of seconds; a few dozen distinct shapes
 * take a second). ELK's box layout then packs the families into the region, and the regions are
 * stacked. A cross-region link is drawn as two halves, each laid out inside its own family: the
 * source points at a tag naming the replica's region and identifier, and a tag naming the
 * source's region and identifier points at the replica. No line crosses a region.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { formatSeconds } from '../../shared/format';
import type { ReviewEdge, ReviewModel, ReviewNode } from './model';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedNode extends Box {
  readonly key: string;
}

export interface PlacedGroup extends Box {
  readonly key: string;
}

export interface PlacedRegion extends Box {
  readonly region: string;
}

/** The far end of a cross-region link, drawn beside the near end. */
export interface PlacedStub extends Box {
  readonly text: string;
  /** The database the tag stands for. */
  readonly target: string;
}

export interface PlacedEdge {
  readonly key: string;
  /** Polylines: one for a link inside a region, two (source half, replica half) across regions. */
  readonly sections: readonly (readonly Point[])[];
  readonly label?: Box & { readonly text: string };
  readonly stubs: readonly PlacedStub[];
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly regions: readonly PlacedRegion[];
  readonly groups: readonly PlacedGroup[];
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

/** Text metrics the renderer uses too: monospace-ish estimate at the node font size. */
export const CHAR_PX = 7.2;
export const NODE_HEIGHT = 40;
const LABEL_CHAR_PX = 6.2;
const LABEL_HEIGHT = 14;
const REGION_HEADER = 28;
const REGION_GAP = 24;
const GROUP_HEADER = 20;
export const STUB_HEIGHT = 22;
const STUB_CHAR_PX = 6.4;

export const stubWidth = (text: string): number => Math.ceil(text.length * STUB_CHAR_PX + 14);

export function nodeWidth(id: string, detail: string): number {
  return Math.ceil(Math.max(id.length * CHAR_PX, detail.length * (CHAR_PX - 1), 80) + 20);
}

export function edgeLabel(edge: ReviewEdge): string {
  if (edge.lagSeconds !== null) return formatSeconds(edge.lagSeconds);
  return edge.status === 'broken' ? 'stopped' : 'lag ?';
}

/** Within a family (a source, its replicas, their clusters): layered, left to right. */
const FAMILY_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'POLYLINE',
  'elk.padding': '[top=4,left=4,bottom=4,right=4]',
  'elk.spacing.nodeNode': '14',
  'elk.layered.spacing.nodeNodeBetweenLayers': '46',
  'elk.spacing.edgeLabel': '2',
  'elk.edgeLabels.inline': 'true',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
} as const;

/** Families packed into a region's box (ELK box layout; rectpacking is ten times slower at 100+ families). */
const REGION_OPTIONS = {
  'elk.algorithm': 'box',
  'elk.aspectRatio': '2.2',
  'elk.spacing.nodeNode': '18',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
} as const;

/** Connected parts of a region: databases linked by replication or sharing a cluster. */
function families(keys: readonly string[], links: readonly (readonly [string, string])[]): string[][] {
  const parent = new Map(keys.map((k) => [k, k]));
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(k, root);
    return root;
  };
  for (const [a, b] of links) {
    if (parent.has(a) && parent.has(b)) parent.set(find(a), find(b));
  }
  const out = new Map<string, string[]>();
  for (const k of keys) {
    const root = find(k);
    out.set(root, [...(out.get(root) ?? []), k]);
  }
  return [...out.values()];
}

/** Sizes rounded up so families of the same shape share one layout (ELK is the slow part). */
const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;

interface Stub {
  readonly key: string;
  readonly text: string;
  readonly target: string;
  /** The database in this region the tag hangs off. */
  readonly near: string;
  readonly edge: ReviewEdge;
  readonly side: 'out' | 'in';
}

interface FamilyGraph {
  /** Canonical ELK input with local ids only, so equal shapes give equal text. */
  readonly signature: string;
  /** Local id to what it stands for: `node:`, `group:`, `stub:`, `edge:`, `out:` or `in:` keys. */
  readonly keys: ReadonlyMap<string, string>;
}

function familyGraph(
  byKey: ReadonlyMap<string, ReviewNode>,
  memberKeys: readonly string[],
  edges: readonly ReviewEdge[],
  stubs: ReadonlyMap<string, Stub>,
): FamilyGraph {
  const keys = new Map<string, string>();
  const local = new Map<string, string>();
  const name = (key: string) => {
    const id = `${key[0]}${local.size}`;
    local.set(key, id);
    keys.set(id, key);
    return id;
  };
  const nodes = memberKeys.flatMap((k) => (byKey.has(k) ? [byKey.get(k)!] : []));
  const groupChildren = new Map<string, ElkNode[]>();
  const children: ElkNode[] = [];
  for (const node of nodes) {
    if (node.group && !groupChildren.has(node.group)) {
      const list: ElkNode[] = [];
      groupChildren.set(node.group, list);
      children.push({
        id: name(`group:${node.group}`),
        children: list,
        layoutOptions: { 'elk.padding': `[top=${GROUP_HEADER + 6},left=8,bottom=8,right=8]` },
      });
    }
  }
  for (const node of nodes) {
    const elkNode: ElkNode = { id: name(`node:${node.key}`), width: roundUp(nodeWidth(node.id, node.detail), 24), height: NODE_HEIGHT };
    (node.group ? groupChildren.get(node.group)! : children).push(elkNode);
  }
  const familyStubs = memberKeys.flatMap((k) => (stubs.has(k) ? [stubs.get(k)!] : []));
  for (const stub of familyStubs) children.push({ id: name(`stub:${stub.key}`), width: roundUp(stubWidth(stub.text), 48), height: STUB_HEIGHT });

  const labelled = (id: string, from: string, to: string, text: string | undefined): ElkExtendedEdge => ({
    id,
    sources: [from],
    targets: [to],
    ...(text === undefined ? {} : { labels: [{ id: `${id}l`, text: 'lag', width: roundUp(text.length * LABEL_CHAR_PX + 6, 24), height: LABEL_HEIGHT }] }),
  });
  const elkEdges: ElkExtendedEdge[] = [
    ...edges.map((e) => labelled(name(`edge:${e.key}`), local.get(`node:${e.from}`)!, local.get(`node:${e.to}`)!, edgeLabel(e))),
    ...familyStubs.map((st) =>
      st.side === 'out'
        ? labelled(name(`out:${st.edge.key}`), local.get(`node:${st.near}`)!, local.get(`stub:${st.key}`)!, undefined)
        : labelled(name(`in:${st.edge.key}`), local.get(`stub:${st.key}`)!, local.get(`node:${st.near}`)!, edgeLabel(st.edge)),
    ),
  ];
  const graph: ElkNode = { id: 'family', layoutOptions: FAMILY_OPTIONS, children, edges: elkEdges };
  return { signature: JSON.stringify(graph), keys };
}

const elk = new ELK();

interface EdgeParts {
  sections: Point[][];
  label?: Box;
  stubs: PlacedStub[];
}

interface Placed {
  nodes: PlacedNode[];
  groups: PlacedGroup[];
  edges: Map<string, EdgeParts>;
}

const partsOf = (out: Placed, key: string): EdgeParts => {
  let parts = out.edges.get(key);
  if (!parts) {
    parts = { sections: [], stubs: [] };
    out.edges.set(key, parts);
  }
  return parts;
};

/** A laid-out family moved to (dx, dy), with its local ids mapped back to what they stand for. */
function place(laid: ElkNode, keys: ReadonlyMap<string, string>, stubs: ReadonlyMap<string, Stub>, dx: number, dy: number, out: Placed): void {
  const visit = (node: ElkNode) => {
    for (const child of node.children ?? []) {
      const key = keys.get(child.id)!;
      const box = { x: (child.x ?? 0) + dx, y: (child.y ?? 0) + dy, width: child.width ?? 0, height: child.height ?? 0 };
      const [kind] = key.split(':', 1);
      const rest = key.slice(kind!.length + 1);
      if (kind === 'group') {
        out.groups.push({ key: rest, ...box });
        visit(child);
      } else if (kind === 'stub') {
        const stub = stubs.get(rest)!;
        partsOf(out, stub.edge.key).stubs.push({ ...box, text: stub.text, target: stub.target });
      } else {
        out.nodes.push({ key: rest, ...box });
      }
    }
    for (const edge of node.edges ?? []) {
      const section = edge.sections?.[0];
      if (!section) continue;
      const key = keys.get(edge.id)!;
      const [kind] = key.split(':', 1);
      const parts = partsOf(out, key.slice(kind!.length + 1));
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: p.x + dx, y: p.y + dy }));
      // The source half first, so a path reads source to replica.
      if (kind === 'out') parts.sections.unshift(points);
      else parts.sections.push(points);
      const label = edge.labels?.[0];
      if (label) parts.label = { x: (label.x ?? 0) + dx, y: (label.y ?? 0) + dy, width: label.width ?? 0, height: label.height ?? 0 };
    }
  };
  visit(laid);
}

export interface LayoutStats {
  families: number;
  /** Distinct family shapes ELK laid out; the others reused a layout of the same shape. */
  shapes: number;
}

export async function layoutReview(model: ReviewModel, stats?: LayoutStats): Promise<Layout> {
  const byKey = new Map(model.nodes.map((n) => [n.key, n]));
  const internal = new Map<string, ReviewEdge[]>();
  const stubsByRegion = new Map<string, Stub[]>();
  const addStub = (region: string, stub: Stub) => stubsByRegion.set(region, [...(stubsByRegion.get(region) ?? []), stub]);
  for (const edge of model.edges) {
    const from = byKey.get(edge.from)!;
    const to = byKey.get(edge.to)!;
    if (from.region === to.region) {
      internal.set(from.region, [...(internal.get(from.region) ?? []), edge]);
    } else {
      addStub(from.region, { key: `out:${edge.key}`, text: `to ${to.region}: ${to.id}`, target: to.key, near: from.key, edge, side: 'out' });
      addStub(to.region, { key: `in:${edge.key}`, text: `from ${from.region}: ${from.id}`, target: from.key, near: to.key, edge, side: 'in' });
    }
  }

  const shapes = new Map<string, Promise<ElkNode>>();
  const margin = 16;
  const out: Placed = { nodes: [], groups: [], edges: new Map() };
  const regions: PlacedRegion[] = [];
  let y = margin;
  let width = 0;
  let familyCount = 0;

  for (const region of model.regions) {
    const regionNodes = model.nodes.filter((n) => n.region === region);
    const regionEdges = internal.get(region) ?? [];
    const stubs = new Map((stubsByRegion.get(region) ?? []).map((st) => [st.key, st]));
    const links: [string, string][] = [
      ...regionEdges.map((e) => [e.from, e.to] as [string, string]),
      ...regionNodes.filter((n) => n.group && n.group !== n.key).map((n) => [n.key, n.group!] as [string, string]),
      ...[...stubs.values()].map((st) => [st.key, st.near] as [string, string]),
    ];
    const parts = families([...regionNodes.map((n) => n.key), ...stubs.keys()], links);
    const familyOf = new Map<string, number>();
    parts.forEach((keys, i) => keys.forEach((k) => familyOf.set(k, i)));
    const edgesOf = parts.map(() => [] as ReviewEdge[]);
    for (const e of regionEdges) edgesOf[familyOf.get(e.from)!]!.push(e);

    const graphs = parts.map((keys, i) => familyGraph(byKey, keys, edgesOf[i]!, stubs));
    for (const g of graphs) {
      if (!shapes.has(g.signature)) shapes.set(g.signature, elk.layout(JSON.parse(g.signature) as ElkNode));
    }
    const laid = await Promise.all(graphs.map((g) => shapes.get(g.signature)!));
    familyCount += laid.length;
    const packed: ElkNode = await elk.layout({
      id: `region:${region}`,
      layoutOptions: REGION_OPTIONS,
      children: laid.map((f, i) => ({ id: `f${i}`, width: f.width ?? 0, height: f.height ?? 0 })),
    });
    const top = y + REGION_HEADER;
    const left = margin + 6;
    for (const [i, box] of (packed.children ?? []).entries()) {
      place(laid[i]!, graphs[i]!.keys, stubs, left + (box.x ?? 0), top + (box.y ?? 0), out);
    }
    const h = Math.max(packed.height ?? 0, NODE_HEIGHT) + REGION_HEADER;
    const w = Math.max(packed.width ?? 0, 200);
    regions.push({ region, x: margin, y, width: w + 12, height: h + 6 });
    width = Math.max(width, left + w + margin + 6);
    y += h + REGION_GAP;
  }
  if (stats) {
    stats.families = familyCount;
    stats.shapes = shapes.size;
  }

  // Labels carry the real text: the layout only knew their (rounded) size.
  const edges: PlacedEdge[] = model.edges.flatMap((edge) => {
    const parts = out.edges.get(edge.key);
    if (!parts) return [];
    return [{ key: edge.key, sections: parts.sections, stubs: parts.stubs, label: parts.label ? { ...parts.label, text: edgeLabel(edge) } : undefined }];
  });
  return { width: Math.ceil(width), height: Math.ceil(y - REGION_GAP + margin), regions, groups: out.groups, nodes: out.nodes, edges };
}
