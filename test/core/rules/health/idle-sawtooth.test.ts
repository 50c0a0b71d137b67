/**
 * The idle-source shape on its own, at the edges the rule rests on: the step tolerance, the cap,
 * what counts as a reset, and curves with too little to judge. Asserted on the verdict's values.
 */
import { describe, expect, it } from 'vitest';
import { analyseIdleSawtooth } from '../../../../lambdas/core/rules/health/idle-sawtooth';
import type { Sample } from '../../../../lambdas/core/fleet/metric-plan';

const T0 = Date.parse('2026-11-24T09:00:00Z');

/** Lag values `stepSeconds` apart, oldest first. */
const samples = (values: readonly number[], stepSeconds = 60): Sample[] =>
  values.map((value, i) => ({ timestamp: new Date(T0 + i * stepSeconds * 1000).toISOString(), value }));

const judge = (values: readonly number[], stepSeconds = 60, cap = 300) => {
  const { reason: _reason, ...verdict } = analyseIdleSawtooth(samples(values, stepSeconds), cap);
  return verdict;
};

describe('analyseIdleSawtooth', () => {
  it.each([
    // [what, values, step seconds, expected verdict]
    ['a clock-rate climb', [0, 60, 120], 60, { idle: true, resets: 0, slope: 1, peakSeconds: 120 }],
    ['a peak equal to the cap', [180, 240, 300], 60, { idle: true, resets: 0, slope: 1, peakSeconds: 300 }],
    ['a peak one second past the cap', [181, 241, 301], 60, { idle: false, resets: 0, slope: null, peakSeconds: 301 }],
    ['a step exactly the 15 s tolerance off the clock', [0, 75, 135], 60, { idle: true, resets: 0, slope: 1.13, peakSeconds: 135 }],
    ['a step 16 s off the clock', [0, 76, 136], 60, { idle: false, resets: 0, slope: null, peakSeconds: 136 }],
    // Two-minute datapoints: the tolerance is a quarter of the step (30 s), not the 15 s floor.
    ['a 25 s stray on a 120 s step', [0, 145, 265], 120, { idle: true, resets: 0, slope: 1.1, peakSeconds: 265 }],
    ['a reset to exactly one step plus tolerance', [200, 260, 75], 60, { idle: true, resets: 1, slope: 1, peakSeconds: 260 }],
    ['a fall that does not start over', [200, 260, 76], 60, { idle: false, resets: 0, slope: null, peakSeconds: 260 }],
    ['a fall of exactly the tolerance, not a reset', [30, 90, 75], 60, { idle: false, resets: 0, slope: null, peakSeconds: 90 }],
    ['flat lag', [0, 60, 60], 60, { idle: false, resets: 0, slope: null, peakSeconds: 60 }],
    ['only resets, no climbing step to measure', [290, 70, 20], 60, { idle: false, resets: 2, slope: null, peakSeconds: 290 }],
    ['two datapoints', [0, 60], 60, { idle: false, resets: 0, slope: null, peakSeconds: 60 }],
    ['no datapoints', [], 60, { idle: false, resets: 0, slope: null, peakSeconds: 0 }],
  ] as const)('judges %s', (_what, values, step, expected) => {
    // Act + Assess
    expect(judge(values, step)).toEqual(expected);
  });

  it('skips a datapoint filed twice under the same minute instead of counting a step of no time', () => {
    // Prepare: 10 s at 09:00 filed after 0 s at 09:00.
    const curve: Sample[] = [
      { timestamp: '2026-11-24T09:00:00.000Z', value: 0 },
      { timestamp: '2026-11-24T09:00:00.000Z', value: 10 },
      { timestamp: '2026-11-24T09:01:00.000Z', value: 70 },
      { timestamp: '2026-11-24T09:02:00.000Z', value: 130 },
    ];

    // Act
    const verdict = analyseIdleSawtooth(curve, 300);

    // Assess: 120 s of lag over 120 s of clock.
    expect(verdict).toMatchObject({ idle: true, resets: 0, slope: 1 });
  });
});
