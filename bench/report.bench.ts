/**
 * `replguard report` at 1,000 replicas: generation time (evaluate, layout and render, in process,
 * first run so ELK's warm-up is counted), the whole CLI run as a user starts it, and the size of
 * the HTML and Markdown files. Targets: ≤ 5 s, ≤ 5 MB.
 *
 * Generation is single-threaded, so its CPU time is what it takes on an idle machine; the target
 * is checked against that, and wall time is printed beside it (on a busy machine it is several
 * times the CPU time).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../lambdas/core/config';
import { evaluate } from '../lambdas/core/rules/evaluate';
import { renderReviewReport } from '../lambdas/core/outputs/review-report';
import { buildReviewModel } from '../lambdas/core/outputs/review-report/model';
import { layoutReview, type LayoutStats } from '../lambdas/core/outputs/review-report/layout';
import { largeFleetSnapshot } from './support/snapshot-fleet';
import type { Benchmark } from './types';

export const MAX_REPORT_MS = 5_000;
export const MAX_REPORT_BYTES = 5_000_000;

export const reportBench: Benchmark = {
  name: 'review report, 1,000 replicas',
  async run(ctx) {
    const snapshot = largeFleetSnapshot();
    const config = DEFAULT_CONFIG;

    const cpuMs = () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    };
    const started = performance.now();
    const startedCpu = cpuMs();
    const report = evaluate(snapshot, { config });
    const html = await renderReviewReport({ snapshot, config, report, source: 'bench', format: 'html' });
    const generateMs = Math.round(performance.now() - started);
    const generateCpuMs = Math.round(cpuMs() - startedCpu);
    const markdown = await renderReviewReport({ snapshot, config, report, source: 'bench', format: 'markdown' });
    const htmlBytes = Buffer.byteLength(html);
    const markdownBytes = Buffer.byteLength(markdown);

    const stats: LayoutStats = { families: 0, shapes: 0 };
    const layoutStarted = performance.now();
    await layoutReview(buildReviewModel({ snapshot, config, report, source: 'bench' }), stats);
    const layoutWarmMs = Math.round(performance.now() - layoutStarted);

    // The CLI as a user runs it: process start, snapshot parse, evaluate, layout, render, write.
    const dir = mkdtempSync(join(tmpdir(), 'replguard-report-bench-'));
    let cliMs: number | null = null;
    try {
      writeFileSync(join(dir, 'fleet.json'), JSON.stringify(snapshot));
      const cliStarted = performance.now();
      const cli = spawnSync(process.execPath, ['bin/replguard.mjs', 'report', '--snapshot', join(dir, 'fleet.json'), '--out', join(dir, 'report.html')], {
        encoding: 'utf8',
      });
      cliMs = Math.round(performance.now() - cliStarted);
      if (cli.status !== 0) ctx.fail(`replguard report exited ${cli.status}: ${cli.stderr}`);
      else if (statSync(join(dir, 'report.html')).size === 0) ctx.fail('replguard report wrote an empty file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    ctx.log(`  ${report.replicas.length} replicas, ${stats.families} families laid out as ${stats.shapes} distinct shapes`);
    ctx.log(
      `  generate (evaluate + layout + render, first run): ${generateCpuMs} ms CPU (target ≤ ${MAX_REPORT_MS} ms), ${generateMs} ms wall; ` +
        `layout again, warm: ${layoutWarmMs} ms wall`,
    );
    ctx.log(`  replguard report CLI end to end: ${cliMs} ms`);
    ctx.log(`  HTML ${(htmlBytes / 1e6).toFixed(2)} MB (target ≤ ${MAX_REPORT_BYTES / 1e6} MB), Markdown ${(markdownBytes / 1e6).toFixed(2)} MB`);
    if (generateCpuMs > MAX_REPORT_MS) ctx.fail(`report generation took ${generateCpuMs} ms of CPU, over ${MAX_REPORT_MS} ms`);
    if (htmlBytes > MAX_REPORT_BYTES) ctx.fail(`report is ${htmlBytes} bytes, over ${MAX_REPORT_BYTES}`);
    return {
      reportReplicas: report.replicas.length,
      reportGenerateCpuMs: generateCpuMs,
      reportGenerateWallMs: generateMs,
      reportLayoutWarmMs: layoutWarmMs,
      reportCliMs: cliMs,
      reportHtmlBytes: htmlBytes,
      reportMarkdownBytes: markdownBytes,
      reportLayoutShapes: stats.shapes,
      reportLayoutFamilies: stats.families,
    };
  },
};
