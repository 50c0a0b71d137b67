import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseConfigJson, type ConfigInput } from '../../lambdas/core/config';
import { BaselineError, parseBaselineText } from '../../lambdas/core/rules/drift/baseline';
import { parseSnapshotText, SnapshotError } from '../../lambdas/core/fleet/snapshot';

const errorOf = (raw: unknown): string => {
  try {
    parseConfig(raw, 'replguard.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

/** Every numeric key, a value that makes no sense for it, and the range its error must state. */
const NUMBERS: readonly [string, ConfigInput, string][] = [
  ['lag.warningSeconds', { lag: { warningSeconds: 1e300, criticalSeconds: 1e301 } }, 'between 0 and 604,800 seconds'],
  ['lag.criticalSeconds', { lag: { criticalSeconds: 1e300 } }, 'between 0 and 604,800 seconds'],
  ['lag.datapointsToAlarm', { lag: { datapointsToAlarm: 0.5 } }, 'whole number between 1 and 1,440 datapoints'],
  ['lag.evaluationPeriods', { lag: { evaluationPeriods: 10_000 } }, 'whole number between 1 and 1,440 datapoints'],
  ['lag.windowMinutes', { lag: { windowMinutes: 0 } }, 'whole number between 1 and 1,440 minutes'],
  ['lagOverrides.0.warningSeconds', { lagOverrides: [{ match: { identifier: 'a' }, warningSeconds: -1 }] }, 'between 0 and 604,800 seconds'],
  ['lagOverrides.0.criticalSeconds', { lagOverrides: [{ match: { identifier: 'a' }, criticalSeconds: 1e9 }] }, 'between 0 and 604,800 seconds'],
  ['postgresIdle.maxLagSeconds', { postgresIdle: { maxLagSeconds: 1e9 } }, 'between 0 and 3,600 seconds'],
  ['postgresIdle.maxSourceWalBytesPerSecond', { postgresIdle: { maxSourceWalBytesPerSecond: 1e12 } }, 'between 0 and 1,073,741,824 bytes per second'],
  ['postgresIdle.maxSourceSlotLagBytes', { postgresIdle: { maxSourceSlotLagBytes: -1 } }, 'between 0 and 70,368,744,177,664 bytes'],
  ['replicationSlot.warningBytes', { replicationSlot: { warningBytes: 1e-300 } }, 'between 1,048,576 and 70,368,744,177,664 bytes'],
  ['replicationSlot.criticalBytes', { replicationSlot: { criticalBytes: 1e300 } }, 'between 1,048,576 and 70,368,744,177,664 bytes'],
  ['schedule.checkRateMinutes', { schedule: { checkRateMinutes: 1e-300 } }, 'whole number between 1 and 10,079 minutes'],
  ['schedule.driftRateMinutes', { schedule: { driftRateMinutes: 1e6 } }, 'whole number between 1 and 10,080 minutes'],
  ['notifications.reminderHours', { notifications: { reminderHours: 1e-300 } }, 'between 1 and 720 hours'],
  ['dr.rpoSeconds', { dr: { rpoSeconds: 1e-300 } }, 'between 1 and 86,400 seconds'],
  ['dr.rpoOverrides.0.rpoSeconds', { dr: { rpoOverrides: [{ match: { identifier: 'a' }, rpoSeconds: 0 }] } }, 'between 1 and 86,400 seconds'],
];

describe('numeric config keys', () => {
  it.each(NUMBERS)('%s refuses a senseless value and states its range', (key, raw, range) => {
    // Act
    const message = errorOf(raw);

    // Assess
    expect(message).toContain(`${key}: must be`);
    expect(message).toContain(range);
  });

  it('names the range when a number is given as a string', () => {
    expect(errorOf({ notifications: { reminderHours: '4' } })).toMatch(/notifications\.reminderHours: must be a number between 1 and 720 hours/);
  });

  it('accepts the edges of each range', () => {
    expect(() =>
      parseConfig({
        lag: { warningSeconds: 0, criticalSeconds: 604_800, datapointsToAlarm: 1, evaluationPeriods: 1440, windowMinutes: 1440 },
        notifications: { reminderHours: 720 },
        schedule: { checkRateMinutes: 1440, driftRateMinutes: 10_080 },
        dr: { rpoSeconds: 86_400 },
      }),
    ).not.toThrow();
  });
});

describe('paths and URLs in the config', () => {
  it.each([
    ['/etc/passwd', /not absolute/],
    ['C:\\secrets\\baseline.json', /not absolute/],
    ['~/baseline.json', /not absolute/],
    ['../other-team/baseline.json', /no "\.\." segments/],
    ['baselines/../../secret.json', /no "\.\." segments/],
    ['baseline\n.json', /control characters/],
  ])('refuses drift.baseline %j: it would read a file outside the config folder', (path, reason) => {
    expect(errorOf({ drift: { baseline: path } })).toMatch(new RegExp(`drift\\.baseline: .*${reason.source}`));
  });

  it('accepts a baseline beside the config or in a subfolder', () => {
    expect(parseConfig({ drift: { baseline: 'baselines/team.json' } }).drift.baseline).toBe('baselines/team.json');
  });

  it('refuses a runbook URL that could carry a second line into every message', () => {
    expect(errorOf({ runbookBaseUrl: 'https://runbook.example/\n[RESOLVED] all good' })).toMatch(/runbookBaseUrl: must be an http\(s\) URL/);
  });
});

describe('tag keys that are also object properties', () => {
  it('keeps a __proto__ tag in match.tags instead of dropping it', () => {
    // Prepare: an identifier and a __proto__ tag; losing the tag would widen the match to every "orders-*"
    const { config } = parseConfigJson('{"lagOverrides":[{"match":{"identifier":"orders-*","tags":{"__proto__":"batch"}},"warningSeconds":600}]}', 'c.json');

    // Assess
    expect(Object.keys(config.lagOverrides[0]!.match.tags ?? {})).toEqual(['__proto__']);
  });
});

describe('file contents in errors', () => {
  const SECRET = 'root:x:0:0:root:/root:/bin/bash';

  it.each([
    ['config', () => parseConfigJson(SECRET, 'replguard.json'), ConfigError],
    ['baseline', () => parseBaselineText(SECRET, 'baseline.json'), BaselineError],
    ['snapshot', () => parseSnapshotText(SECRET, 'fleet.json'), SnapshotError],
  ])('a %s that is not JSON is named, its contents are not echoed', (_kind, parse, type) => {
    // Act / Assess
    expect(parse).toThrow(type);
    expect(parse).toThrow(/is not valid JSON/);
    try {
      parse();
    } catch (error) {
      expect((error as Error).message).not.toMatch(/root/);
    }
  });

  it('says where a syntax error is', () => {
    expect(() => parseConfigJson('{\n  "regions": ["us-east-1",]\n}', 'c.json')).toThrow(/line 2, column 27/);
  });
});

describe('UTF-8 byte-order mark', () => {
  it('is accepted at the start of config, baseline and snapshot text', () => {
    expect(parseConfigJson('\ufeff{"regions":["eu-west-1"]}', 'c.json').config.regions).toEqual(['eu-west-1']);
    expect(parseBaselineText('\ufeff{"format":"replguard-baseline/v1","entries":[]}', 'b.json').entries).toEqual([]);
    expect(parseSnapshotText('\ufeff{"format":"replguard-snapshot/v1","capturedAt":"2026-11-24T10:00:00Z","regions":{"us-east-1":{}}}', 's.json').capturedAt).toBe(
      '2026-11-24T10:00:00Z',
    );
  });
});
