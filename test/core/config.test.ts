import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, lagThresholdsFor, parseConfig } from '../../lambdas/core/config';

const errorOf = (raw: unknown) => {
  try {
    parseConfig(raw, 'replguard.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('parseConfig', () => {
  it('fills every default from an empty file', () => {
    expect(DEFAULT_CONFIG.lag).toEqual({ warningSeconds: 30, criticalSeconds: 300, datapointsToAlarm: 3, evaluationPeriods: 5, windowMinutes: 15 });
    expect(DEFAULT_CONFIG.metrics).toEqual({ namespace: 'ReplicationGuard', perReplica: false });
    expect(DEFAULT_CONFIG.notifications.reminderHours).toBe(4);
    expect(DEFAULT_CONFIG.schedule).toEqual({ profile: 'standard', checkRateMinutes: 1, driftRateMinutes: 15 });
    expect(DEFAULT_CONFIG.dr).toMatchObject({ tagKey: 'replguard:dr', tagValue: 'required', rpoSeconds: 60 });
  });

  it('rejects unknown keys, naming them', () => {
    const message = errorOf({ lag: { warningSecs: 10 } });
    expect(message).toContain('replguard.json');
    expect(message).toContain('lag');
    expect(message).toContain('"warningSecs"');
  });

  it('rejects negative thresholds with the key and value', () => {
    expect(errorOf({ lag: { warningSeconds: -5 } })).toMatch(/lag\.warningSeconds: must be between 0 and 604,800 seconds \(got -5\)/);
  });

  it('rejects inverted thresholds', () => {
    expect(errorOf({ lag: { warningSeconds: 600, criticalSeconds: 300 } })).toMatch(
      /lag\.warningSeconds: must be below criticalSeconds \(300\) \(got 600\)/,
    );
  });

  it('rejects an M of N where M exceeds N', () => {
    expect(errorOf({ lag: { datapointsToAlarm: 6, evaluationPeriods: 5 } })).toContain('lag.datapointsToAlarm');
  });

  it('rejects unknown regions with the value', () => {
    expect(errorOf({ regions: ['us-east-1', 'us-east1'] })).toMatch(/regions\.1: is not a known AWS region: not a region name .*\(got "us-east1"\)/);
  });

  it('rejects bad patterns', () => {
    expect(errorOf({ lagOverrides: [{ match: { identifier: '/([unclosed/' }, warningSeconds: 5 }] })).toContain(
      'lagOverrides.0.match.identifier: is not a valid regular expression',
    );
    expect(errorOf({ lagOverrides: [{ match: { identifier: 'orders db' }, warningSeconds: 5 }] })).toContain(
      'lagOverrides.0.match.identifier',
    );
  });

  it('rejects bad emails, non-E.164 numbers and schedules below a minute', () => {
    const message = errorOf({
      notifications: { emails: ['oncall.example.com'], smsNumbers: ['555-0100'] },
      schedule: { checkRateMinutes: 0 },
    });
    expect(message).toContain('notifications.emails.0: is not an email address (got "oncall.example.com")');
    expect(message).toContain('notifications.smsNumbers.0: is not an E.164 phone number');
    expect(message).toContain('schedule.checkRateMinutes: must be a whole number between 1 and 10,079 minutes (got 0)');
  });

  it('rejects a metric namespace in the reserved AWS/ space', () => {
    expect(errorOf({ metrics: { namespace: 'AWS/RDS' } })).toContain('metrics.namespace');
  });
});

describe('lagThresholdsFor', () => {
  it('uses the global thresholds when no override matches', () => {
    expect(lagThresholdsFor(DEFAULT_CONFIG, 'orders-ro', {})).toEqual({ warningSeconds: 30, criticalSeconds: 300 });
  });

  it('matches globs, regular expressions and tags', () => {
    const config = parseConfig({
      lagOverrides: [
        { match: { identifier: 'etl-??' }, warningSeconds: 120 },
        { match: { identifier: '/^report(ing)?-\\d+$/' }, criticalSeconds: 1800 },
        { match: { tags: { env: 'dev' } }, warningSeconds: 900, criticalSeconds: 3600 },
      ],
    });
    expect(lagThresholdsFor(config, 'etl-01', {})).toEqual({ warningSeconds: 120, criticalSeconds: 300 });
    expect(lagThresholdsFor(config, 'etl-001', {})).toEqual({ warningSeconds: 30, criticalSeconds: 300 });
    expect(lagThresholdsFor(config, 'reporting-7', {})).toEqual({ warningSeconds: 30, criticalSeconds: 1800 });
    expect(lagThresholdsFor(config, 'orders', { env: 'dev' })).toEqual({ warningSeconds: 900, criticalSeconds: 3600 });
  });

  it('lowers the warning threshold with an override that only lowers the critical one', () => {
    const config = parseConfig({ lagOverrides: [{ match: { identifier: 'pay-*' }, criticalSeconds: 10 }] });
    expect(lagThresholdsFor(config, 'pay-ro', {})).toEqual({ warningSeconds: 10, criticalSeconds: 10 });
  });
});

