import { describe, expect, it } from 'vitest';
import { findCycles, layerViolations, readImportGraph } from './import-graph';

describe('import graph', () => {
  it('has no import circles in lambdas/, bin/ or lib/', () => {
    // Prepare
    const graph = readImportGraph(process.cwd(), ['lambdas', 'bin', 'lib']);

    // Act
    const cycles = findCycles(graph.edges);

    // Assess
    expect(graph.edges.size).toBeGreaterThan(50);
    expect(cycles).toEqual([]);
  });

  it('keeps the core one-way: no import up the flow, none out of the core, no AWS SDK', () => {
    // Prepare
    const graph = readImportGraph(process.cwd(), ['lambdas']);

    // Act
    const violations = layerViolations(graph.edges);
    const sdkInCore = [...graph.packages].filter(([file, pkgs]) => file.startsWith('lambdas/core/') && pkgs.some((p) => p.startsWith('@aws-sdk/')));

    // Assess
    expect(violations).toEqual([]);
    expect(sdkInCore).toEqual([]);
  });

  it('finds a circle through several files and a self-import, and nothing in a chain', () => {
    // Prepare
    const edges = new Map<string, string[]>([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
      ['f', ['d']],
    ]);

    // Act
    const cycles = findCycles(edges);

    // Assess
    expect(cycles).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('reports a fleet module importing a rule, a rule importing an output, and a core file importing a shell', () => {
    // Prepare
    const edges = new Map<string, string[]>([
      ['lambdas/core/fleet/topology.ts', ['lambdas/core/rules/health.ts', 'lambdas/core/shared/text.ts']],
      ['lambdas/core/rules/health.ts', ['lambdas/core/outputs/notify.ts', 'lambdas/core/findings.ts', 'lambdas/core/fleet/model.ts']],
      ['lambdas/core/outputs/notify.ts', ['lambdas/core/rules/evaluate.ts', 'lambdas/core/config.ts']],
      ['lambdas/core/config.ts', ['lambdas/core/findings.ts', 'lambdas/aws/live-reader.ts']],
    ]);

    // Act
    const violations = layerViolations(edges);

    // Assess
    expect(violations).toEqual([
      'lambdas/core/config.ts imports lambdas/aws/live-reader.ts, outside the core',
      'lambdas/core/fleet/topology.ts (fleet) imports lambdas/core/rules/health.ts (rules), against the flow',
      'lambdas/core/rules/health.ts (rules) imports lambdas/core/outputs/notify.ts (outputs), against the flow',
    ]);
  });
});
