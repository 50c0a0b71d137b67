import { describe, expect, it } from 'vitest';
import { expandPatterns, formatVerdict, judgeReport, scoreFile } from '../../bin/mutation-scores';

const statuses = (killed: number, survived: number, extra: string[] = []) => [
  ...Array<string>(killed).fill('Killed'),
  ...Array<string>(survived).fill('Survived'),
  ...extra,
];

describe('mutation scores per file', () => {
  it('counts timeouts as detected and leaves ignored and erroring mutants out, as Stryker does', () => {
    // Act
    const score = scoreFile('a.ts', statuses(80, 10, ['Timeout', 'Timeout', 'NoCoverage', 'Ignored', 'CompileError', 'RuntimeError']));

    // Assess: 82 detected of 93 scored
    expect(score).toMatchObject({ detected: 82, survived: 10, noCoverage: 1 });
    expect(score.percent).toBeCloseTo((100 * 82) / 93, 6);
  });

  it('meets the target at exactly 85 % and misses it just below', () => {
    expect(scoreFile('a.ts', statuses(85, 15)).meetsTarget).toBe(true);
    expect(scoreFile('a.ts', statuses(84, 16)).meetsTarget).toBe(false);
  });

  it('fails the run when one weak file hides behind strong ones, though the total is over the target', () => {
    // Prepare: 300 of 310 killed overall (96.8 %), one file at 80 %
    const report = {
      files: {
        'strong.ts': { mutants: statuses(260, 0).map((status) => ({ status })) },
        'weak.ts': { mutants: statuses(40, 10).map((status) => ({ status })) },
      },
    };

    // Act
    const verdict = judgeReport(report, ['strong.ts', 'weak.ts']);

    // Assess
    expect(verdict.met).toBe(false);
    expect(formatVerdict(verdict)).toMatch(/weak\.ts\s+80\.0 %.*under 85 %/);
  });

  it('fails when a scoped file is not in the report (a narrowed run measures less than the scope)', () => {
    // Act
    const verdict = judgeReport({ files: { 'a.ts': { mutants: [{ status: 'Killed' }] } } }, ['a.ts', 'b.ts']);

    // Assess
    expect(verdict.missing).toEqual(['b.ts']);
    expect(verdict.met).toBe(false);
    expect(formatVerdict(verdict)).toContain('b.ts');
  });

  it('expands the config patterns the way the mutate globs select files', () => {
    // Prepare
    const dirs: Record<string, string[]> = {
      'lambdas/aws': ['live-reader.ts', 'live-reader-calls.ts', 'live-org-reader.ts', 'assume-role.ts'],
      'lambdas/core/rules/health': ['health.ts', 'idle-sawtooth.ts'],
    };

    // Act
    const files = expandPatterns(['lambdas/core/rules/health/*.ts', 'lambdas/aws/live-reader*.ts', '!lambdas/aws/x.ts'], (dir) => dirs[dir] ?? []);

    // Assess
    expect(files).toEqual([
      'lambdas/aws/live-reader-calls.ts',
      'lambdas/aws/live-reader.ts',
      'lambdas/core/rules/health/health.ts',
      'lambdas/core/rules/health/idle-sawtooth.ts',
    ]);
  });
});
