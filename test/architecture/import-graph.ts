/**
 * The relative-import graph of the source tree, read from the files themselves (no bundler):
 * enough to find import circles and imports that run against the engine's one-way flow.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** File (repo-relative, forward slashes) → files it imports, and the bare packages it imports. */
export interface ImportGraph {
  readonly edges: ReadonlyMap<string, readonly string[]>;
  readonly packages: ReadonlyMap<string, readonly string[]>;
}

const SOURCE = /\.(ts|mts|mjs)$/;
// import … from '…', export … from '…', import '…', import('…'): type-only imports count too,
// since a circle through types still ties the modules together.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (SOURCE.test(name)) out.push(path);
  }
}

function resolveImport(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base, `${base}.ts`, `${base}.mts`, base.replace(/\.js$/, '.ts'), join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Reads every source file under `roots` (paths relative to `repoRoot`). */
export function readImportGraph(repoRoot: string, roots: readonly string[]): ImportGraph {
  const files: string[] = [];
  for (const root of roots) walk(join(repoRoot, root), files);
  const edges = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  const name = (abs: string) => relative(repoRoot, abs).split(sep).join('/');
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    const bare: string[] = [];
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) {
        bare.push(spec);
        continue;
      }
      const target = resolveImport(file, spec);
      if (target && SOURCE.test(target)) targets.push(name(target));
    }
    edges.set(name(file), [...new Set(targets)].sort());
    packages.set(name(file), [...new Set(bare)].sort());
  }
  return { edges, packages };
}

/** Every import circle, as the files of each strongly connected group (Tarjan), sorted. */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(group.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/**
 * The engine's layers, lowest first: a file may import its own layer or a lower one. A file's
 * layer is the first folder under `lambdas/core/`; files directly in it (config, the finding
 * catalogue) form the `''` layer, and a folder not listed counts as that layer too.
 */
export const CORE_LAYERS: readonly string[] = ['shared', 'fleet', '', 'rules', 'outputs'];

export function coreLayer(file: string): string | undefined {
  const m = /^lambdas\/core\/(.*)$/.exec(file);
  if (!m) return undefined;
  const parts = m[1]!.split('/');
  const top = parts.length > 1 ? parts[0]! : '';
  return CORE_LAYERS.includes(top) ? top : '';
}

/** Imports inside lambdas/core that point up the flow or out of the core. */
export function layerViolations(edges: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of edges) {
    const fromLayer = coreLayer(from);
    if (fromLayer === undefined) continue;
    for (const to of targets) {
      const toLayer = coreLayer(to);
      if (toLayer === undefined) out.push(`${from} imports ${to}, outside the core`);
      else if (CORE_LAYERS.indexOf(toLayer) > CORE_LAYERS.indexOf(fromLayer)) {
        out.push(`${from} (${fromLayer || 'core root'}) imports ${to} (${toLayer || 'core root'}), against the flow`);
      }
    }
  }
  return out.sort();
}
