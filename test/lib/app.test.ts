import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambdas/core/config';
import { DEFAULT_CONFIG_PATH, loadAppConfig } from '../../lib/app-config';
import { synthGuard } from './synth';

const tmp = () => mkdtempSync(join(tmpdir(), 'replguard-app-'));

/** Runs the CDK app the way `cdk synth -c config=PATH` does. */
function runApp(configPath: string, context: Record<string, string> = {}) {
  const outdir = tmp();
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ config: configPath, ...context }) },
  });
}

describe('bin/app.ts', () => {
  it('fails synth on a bad config with the key and value, not a stack trace', () => {
    const file = join(tmp(), 'bad.json');
    writeFileSync(file, JSON.stringify({ regions: ['us-east1'], notifications: { smsNumbers: ['555-0100'] }, schedule: { checkRateMinutes: 0 } }));

    const result = runApp(file);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Invalid config in ${file}`);
    expect(result.stderr).toMatch(/regions\.0: is not a known AWS region: not a region name .*\(got "us-east1"\)/);
    expect(result.stderr).toContain('notifications.smsNumbers.0: is not an E.164 phone number');
    expect(result.stderr).toContain('schedule.checkRateMinutes: must be at least 1 minute (got 0)');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names -c smsSpendLimitUsd when it is not a positive amount', () => {
    const result = runApp(DEFAULT_CONFIG_PATH, { smsSpendLimitUsd: 'lots' });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('-c smsSpendLimitUsd must be your account\'s SNS SMS spend limit in US dollars, a positive number (got "lots")');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names a config file that does not exist', () => {
    const result = runApp('nowhere/replguard.json');

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Config file nowhere/replguard.json does not exist');
  });
});

describe('loadAppConfig', () => {
  it('loads the example config by default: one email, one SMS number, two regions', () => {
    const { config, input } = loadAppConfig(DEFAULT_CONFIG_PATH);

    expect(config.notifications.emails).toHaveLength(1);
    expect(config.notifications.smsNumbers).toHaveLength(1);
    expect(config.notifications.smsNumbers[0]).toMatch(/^\+[1-9]\d{6,14}$/);
    expect(config.regions).toHaveLength(2);
    expect(input).toEqual(JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')));
  });

  it('names the file when it is not JSON', () => {
    const file = join(tmp(), 'broken.json');
    writeFileSync(file, '{ "regions": [');

    expect(() => loadAppConfig(file)).toThrow(ConfigError);
    expect(() => loadAppConfig(file)).toThrow(new RegExp(`Config file ${file} is not valid JSON`));
  });
});

describe('ReplicationGuard config checks', () => {
  it('fails construction on an invalid email', () => {
    expect(() => synthGuard({ notifications: { emails: ['oncall-at-example.com'] } })).toThrow(
      /notifications\.emails\.0: is not an email address \(got "oncall-at-example.com"\)/,
    );
  });
});
