/**
 * A benchmark is one file exporting a `Benchmark`; `bench/run.ts` runs them in order and merges
 * their results into the single JSON line it prints last.
 */
export type BenchValue = number | string | boolean | null;

export interface BenchContext {
  /** A human-readable line on stdout. */
  log(line: string): void;
  /** Records a broken expectation: the run still finishes, then exits non-zero. */
  fail(message: string): void;
}

export interface Benchmark {
  readonly name: string;
  run(ctx: BenchContext): Promise<Readonly<Record<string, BenchValue>>>;
}
