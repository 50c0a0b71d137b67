import { describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG_FILE, ENV_NAMES, EnvironmentError, readEnvironment, type ReadPackageFile } from '../../lambdas/checker/env';

const valid = {
  [ENV_NAMES.configFile]: BUNDLED_CONFIG_FILE,
  [ENV_NAMES.tableName]: 'alerts',
  [ENV_NAMES.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:ReplicationGuard-Topic-ABC',
  [ENV_NAMES.dashboardName]: 'ReplicationGuard-dash',
  [ENV_NAMES.dashboardRegion]: 'eu-west-1',
  [ENV_NAMES.deploymentName]: 'ReplicationGuard',
};

/** The function package: file name → content; anything else does not exist. */
const packageWith =
  (files: Record<string, string>): ReadPackageFile =>
  (file) => {
    const text = files[file];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
    return text;
  };
const deployed = packageWith({
  [BUNDLED_CONFIG_FILE]: JSON.stringify({ regions: ['us-east-1', 'eu-west-1'], notifications: { reminderHours: 2 } }),
});

const errorOf = (env: Record<string, string | undefined>, files: ReadPackageFile = deployed) => {
  try {
    readEnvironment(env, files);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return (error as Error).message;
  }
  throw new Error('expected an EnvironmentError');
};

describe('readEnvironment', () => {
  it('reads the config from the file in the package and validates it, defaults included', () => {
    const env = readEnvironment(valid, deployed);

    expect(env.config.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(env.config.notifications.reminderHours).toBe(2);
    expect(env.config.lag.criticalSeconds).toBe(300);
    expect(env).toMatchObject({
      configFile: BUNDLED_CONFIG_FILE,
      tableName: 'alerts',
      dashboardName: 'ReplicationGuard-dash',
      dashboardRegion: 'eu-west-1',
      deploymentName: 'ReplicationGuard',
    });
    expect(env.baselineFile).toBeUndefined();
  });

  it('reads the bundled config file when the variable is not set', () => {
    const env = readEnvironment({ ...valid, [ENV_NAMES.configFile]: undefined }, deployed);

    expect(env.configFile).toBe(BUNDLED_CONFIG_FILE);
    expect(env.config.regions).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('names a missing variable', () => {
    expect(errorOf({ ...valid, [ENV_NAMES.tableName]: undefined })).toBe('Environment variable ALERT_TABLE_NAME is not set.');
  });

  it('names a config file missing from the package', () => {
    expect(errorOf(valid, packageWith({}))).toMatch(/^Config file replguard\.config\.json \(REPLGUARD_CONFIG_FILE\) cannot be read: ENOENT/);
  });

  it('validates the config again, naming the file, the key and the value', () => {
    const message = errorOf(valid, packageWith({ [BUNDLED_CONFIG_FILE]: JSON.stringify({ notifications: { smsNumbers: ['555-0100'] } }) }));

    expect(message).toContain('deployed config file replguard.config.json');
    expect(message).toContain('notifications.smsNumbers.0');
    expect(message).toContain('"555-0100"');
  });

  it('rejects a config file that is not JSON and a topic that is not an ARN', () => {
    expect(errorOf(valid, packageWith({ [BUNDLED_CONFIG_FILE]: '{regions:' }))).toMatch(/replguard\.config\.json \(REPLGUARD_CONFIG_FILE\) is not valid JSON/);
    expect(errorOf({ ...valid, [ENV_NAMES.topicArn]: 'alerts' })).toMatch(/ALERT_TOPIC_ARN is not an SNS topic ARN/);
  });

  it('accepts only a plain file name for the bundled baseline, and a name or absolute path for the config', () => {
    expect(readEnvironment({ ...valid, [ENV_NAMES.baselineFile]: 'baseline.json' }, deployed).baselineFile).toBe('baseline.json');
    expect(errorOf({ ...valid, [ENV_NAMES.baselineFile]: '../etc/passwd' })).toMatch(/REPLGUARD_BASELINE_FILE must be a file name/);
    expect(errorOf({ ...valid, [ENV_NAMES.configFile]: '../config.json' })).toMatch(/REPLGUARD_CONFIG_FILE must be a file name next to the handler or an absolute path/);
    const elsewhere = packageWith({ '/opt/replguard/config.json': '{}' });
    expect(readEnvironment({ ...valid, [ENV_NAMES.configFile]: '/opt/replguard/config.json' }, elsewhere).config.regions).toEqual(['us-east-1']);
  });
});
