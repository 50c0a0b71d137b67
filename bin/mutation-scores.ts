/**
 * The last step of `npm run mutate`: reads Stryker's JSON report and prints each scoped file's
 * mutation score against the per-file target. Stryker's own `break` threshold judges the total
 * only, which a strong file can lift over a weak one. Exits 1 when a scoped file is under the
 * target or absent from the report (a run narrowed with `--mutate` measures less than the scope).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TARGET_PERCENT = 85;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_FILE = 'reports/mutation/mutation.json';
const CONFIG_FILE = 'stryker.config.json';

/** The part of Stryker's mutation-testing-report-schema this reads. */
export interface MutationReport {
  readonly files: Readonly<Record<string, { readonly mutants: readonly { readonly status: string }[] }>>;
}

export interface FileScore {
  readonly file: string;
  readonly detected: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Detected ÷ (detected + undetected), as Stryker computes it; undefined with nothing to score. */
  readonly percent: number | undefined;
  readonly meetsTarget: boolean;
}

export interface MutationVerdict {
  readonly scores: readonly FileScore[];
  readonly missing: readonly string[];
  readonly met: boolean;
}

/**
 * Scores as Stryker counts them: a timed-out mutant (an endless loop) is detected; ignored
 * (`// Stryker disable`), compile-error and runtime-error mutants are not scored.
 */
export function scoreFile(file: string, statuses: readonly string[], target = TARGET_PERCENT): FileScore {
  const count = (...wanted: string[]) => statuses.filter((s) => wanted.includes(s)).length;
  const detected = count('Killed', 'Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const scored = detected + survived + noCoverage;
  const percent = scored === 0 ? undefined : (100 * detected) / scored;
  return { file, detected, survived, noCoverage, percent, meetsTarget: percent === undefined || percent >= target };
}

export function judgeReport(report: MutationReport, scopedFiles: readonly string[], target = TARGET_PERCENT): MutationVerdict {
  const scores = Object.entries(report.files)
    .map(([file, { mutants }]) => scoreFile(file, mutants.map((m) => m.status), target))
    .sort((a, b) => a.file.localeCompare(b.file));
  const reported = new Set(scores.map((s) => s.file));
  const missing = scopedFiles.filter((f) => !reported.has(f));
  return { scores, missing, met: missing.length === 0 && scores.every((s) => s.meetsTarget) };
}

/** Expands the config's `mutate` patterns; they are `dir/name*.ts` globs (one `*`, no `**`). */
export function expandPatterns(patterns: readonly string[], listDir: (dir: string) => readonly string[]): string[] {
  const files = new Set<string>();
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue;
    const dir = posix.dirname(pattern);
    if (dir.includes('*')) throw new Error(`${CONFIG_FILE}: mutate pattern "${pattern}": only the file name may hold a *`);
    const escaped = posix.basename(pattern).replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    const name = new RegExp(`^${escaped.replace(/\*/g, '.*')}$`);
    for (const entry of listDir(dir)) if (name.test(entry)) files.add(`${dir}/${entry}`);
  }
  return [...files].sort();
}

export function formatVerdict(verdict: MutationVerdict, target = TARGET_PERCENT): string {
  const width = Math.max(4, ...verdict.scores.map((s) => s.file.length));
  const lines = [`${'file'.padEnd(width)}  score  detected  survived  no-coverage`];
  for (const s of verdict.scores) {
    const score = s.percent === undefined ? 'n/a' : `${s.percent.toFixed(1)} %`;
    const mark = s.meetsTarget ? '' : `  under ${target} %`;
    lines.push(`${s.file.padEnd(width)}  ${score.padStart(7)}  ${String(s.detected).padStart(8)}  ${String(s.survived).padStart(8)}  ${String(s.noCoverage).padStart(11)}${mark}`);
  }
  for (const file of verdict.missing) lines.push(`${file.padEnd(width)}  not in the report (run every scoped file: npm run mutate)`);
  const under = verdict.scores.filter((s) => !s.meetsTarget).length;
  lines.push(
    verdict.met
      ? `Target met: every scoped file at ${target} % or above.`
      : `Target not met: ${under} file(s) under ${target} %, ${verdict.missing.length} not measured.`,
  );
  return lines.join('\n');
}

function main(): number {
  const reportPath = join(ROOT, REPORT_FILE);
  if (!existsSync(reportPath)) {
    console.error(`${REPORT_FILE} not found: run Stryker first (npm run mutate).`);
    return 1;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as MutationReport;
  const config = JSON.parse(readFileSync(join(ROOT, CONFIG_FILE), 'utf8')) as { mutate: string[] };
  const scoped = expandPatterns(config.mutate, (dir) => readdirSync(join(ROOT, dir)));
  const verdict = judgeReport(report, scoped);
  console.log(formatVerdict(verdict));
  if (process.env.MUTATE_TESTS) console.log(`Tests narrowed by MUTATE_TESTS: these scores are lower bounds.`);
  return verdict.met ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
