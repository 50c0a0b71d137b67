/**
 * `npm run bench`: runs every benchmark in order, prints human-readable lines, then, as the
 * last line, one JSON object merging all results. Add a benchmark by adding a file that exports
 * a `Benchmark` and listing it below.
 */
import { bundleBench } from './bundle.bench';
import { costBench } from './cost.bench';
import { fanOutBench } from './fan-out.bench';
import { orgReadBench } from './org-read.bench';
import { parameterReadBench } from './parameter-read.bench';
import { probeBench } from './probe.bench';
import { replicationReadBench } from './replication-read.bench';
import { reportBench } from './report.bench';
import type { Benchmark, BenchValue } from './types';

const benchmarks: readonly Benchmark[] = [replicationReadBench, parameterReadBench, orgReadBench, bundleBench, costBench, probeBench, reportBench, fanOutBench];

const failures: string[] = [];
const results: Record<string, BenchValue> = {};
const started = performance.now();

for (const bench of benchmarks) {
  console.log(`== ${bench.name}`);
  try {
    Object.assign(
      results,
      await bench.run({
        log: (line) => console.log(line),
        fail: (message) => {
          failures.push(`${bench.name}: ${message}`);
          console.log(`  FAILED: ${message}`);
        },
      }),
    );
  } catch (error) {
    failures.push(`${bench.name}: ${(error as Error).stack ?? String(error)}`);
    console.log(`  FAILED: ${(error as Error).message}`);
  }
}

console.log(`== done in ${Math.round((performance.now() - started) / 1000)} s${failures.length ? `, ${failures.length} failure(s)` : ''}`);
if (failures.length > 0) process.exitCode = 1;
console.log(JSON.stringify(results));
