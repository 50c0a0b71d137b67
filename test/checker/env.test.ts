import { describe, expect, it } from 'vitest';
import { ENV_NAMES, EnvironmentError, readEnvironment } from '../../lambdas/checker/env';

const valid = {
  [ENV_NAMES.config]: JSON.stringify({ regions: ['us-east-1', 'eu-west-1'], notifications: { reminderHours: 2 } }),
  [ENV_NAMES.tableName]: 'alerts',
  [ENV_NAMES.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:ReplicationGuard-Topic-ABC',
  [ENV_NAMES.dashboardName]: 'ReplicationGuard-dash',
  [ENV_NAMES.dashboardRegion]: 'eu-west-1',
  [ENV_NAMES.deploymentName]: 'ReplicationGuard',
};

const errorOf = (env: Record<string, string | undefined>) => {
  try {
    readEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return (error as Error).message;
  }
  throw new Error('expected an EnvironmentError');
};

describe('readEnvironment', () => {
  it('reads and validates the whole environment, config defaults included', () => {
    const env = readEnvironment(valid);

    expect(env.config.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(env.config.notifications.reminderHours).toBe(2);
    expect(env.config.lag.criticalSeconds).toBe(300);
    expect(env).toMatchObject({ tableName: 'alerts', dashboardName: 'ReplicationGuard-dash', dashboardRegion: 'eu-west-1', deploymentName: 'ReplicationGuard' });
    expect(env.baselineFile).toBeUndefined();
  });

  it('names a missing variable', () => {
    expect(errorOf({ ...valid, [ENV_NAMES.tableName]: undefined })).toBe('Environment variable ALERT_TABLE_NAME is not set.');
  });

  it('validates the config again, naming the key and value', () => {
    const message = errorOf({ ...valid, [ENV_NAMES.config]: JSON.stringify({ notifications: { smsNumbers: ['555-0100'] } }) });
    expect(message).toContain('REPLGUARD_CONFIG');
    expect(message).toContain('notifications.smsNumbers.0');
    expect(message).toContain('"555-0100"');
  });

  it('rejects config that is not JSON and a topic that is not an ARN', () => {
    expect(errorOf({ ...valid, [ENV_NAMES.config]: '{regions:' })).toMatch(/REPLGUARD_CONFIG is not valid JSON/);
    expect(errorOf({ ...valid, [ENV_NAMES.topicArn]: 'alerts' })).toMatch(/ALERT_TOPIC_ARN is not an SNS topic ARN/);
  });

  it('accepts only a plain file name for the bundled baseline', () => {
    expect(readEnvironment({ ...valid, [ENV_NAMES.baselineFile]: 'baseline.json' }).baselineFile).toBe('baseline.json');
    expect(errorOf({ ...valid, [ENV_NAMES.baselineFile]: '../etc/passwd' })).toMatch(/REPLGUARD_BASELINE_FILE must be a file name/);
  });
});
