import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../lambdas/core/config';
import { DEFAULT_CONFIG_PATH, loadAppConfig } from '../../lib/app-config';
import { CHILD_PROCESS_TIMEOUT_MS } from '../support/child-process';
import { synthGuard } from './synth';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const tmp = () => mkdtempSync(join(tmpdir(), 'replguard-app-'));

/** Runs the CDK app the way `cdk synth -c config=PATH` does. */
function runApp(configPath: string, context: Record<string, string> = {}) {
  const outdir = tmp();
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ config: configPath, ...context }) },
    timeout: CHILD_PROCESS_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  return Object.assign(result, { outdir });
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
    expect(result.stderr).toContain('schedule.checkRateMinutes: must be a whole number between 1 and 10,079 minutes (got 0)');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names -c smsSpendLimitUsd when it is not a positive amount', () => {
    const result = runApp(DEFAULT_CONFIG_PATH, { smsSpendLimitUsd: 'lots' });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('-c smsSpendLimitUsd must be your account\'s SNS SMS spend limit in US dollars, a positive number (got "lots")');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('synthesizes the standalone member role stack beside the hub when the config reads other accounts', () => {
    // Prepare
    const file = join(tmp(), 'org.json');
    writeFileSync(file, JSON.stringify({ regions: ['us-east-1'], accounts: [{ id: '111122223333' }], organization: { ouIds: ['r-ab12'] } }));

    // Act
    const result = runApp(file, { stackSetCallAs: 'DELEGATED_ADMIN' });

    // Assess
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const member = JSON.parse(readFileSync(join(result.outdir, 'ReplicationGuardMemberRole.template.json'), 'utf8'));
    expect(Object.values(member.Resources).filter((r) => (r as { Type: string }).Type === 'AWS::IAM::Role')).toHaveLength(1);
    const hub = JSON.parse(readFileSync(join(result.outdir, 'ReplicationGuard.template.json'), 'utf8'));
    const stackSet = Object.values(hub.Resources).find((r) => (r as { Type: string }).Type === 'AWS::CloudFormation::StackSet') as { Properties: { CallAs: string } };
    expect(stackSet.Properties.CallAs).toBe('DELEGATED_ADMIN');
  });

  it('names -c stackSetCallAs when it is neither SELF nor DELEGATED_ADMIN', () => {
    const result = runApp(DEFAULT_CONFIG_PATH, { stackSetCallAs: 'admin' });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('-c stackSetCallAs must be SELF (management account) or DELEGATED_ADMIN (got "admin")');
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

describe('drift.baseline stays in the config folder', () => {
  const SECRET = 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG';

  it('refuses a path out of the folder before reading anything', () => {
    // Prepare: a readable file beside the config folder
    const root = tmp();
    mkdirSync(join(root, 'config'));
    writeFileSync(join(root, 'credentials'), SECRET);
    const file = join(root, 'config', 'replguard.json');
    writeFileSync(file, JSON.stringify({ drift: { baseline: '../credentials' } }));

    // Act / Assess
    expect(() => loadAppConfig(file)).toThrow(/drift\.baseline: must stay inside the config file's folder/);
  });

  it('refuses a symbolic link that leads out of the folder', () => {
    const root = tmp();
    mkdirSync(join(root, 'config'));
    writeFileSync(join(root, 'credentials'), SECRET);
    symlinkSync(join(root, 'credentials'), join(root, 'config', 'baseline.json'));
    const file = join(root, 'config', 'replguard.json');
    writeFileSync(file, JSON.stringify({ drift: { baseline: 'baseline.json' } }));

    expect(() => loadAppConfig(file)).toThrow(/drift\.baseline: must stay inside the config file's folder \(baseline\.json leads outside it\)/);
  });

  it('never echoes the first bytes of a baseline that is not JSON', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'baseline.json'), SECRET);

    // Act
    let message = '';
    try {
      synthGuard({ drift: { baseline: 'baseline.json' } }, { props: { baseDirectory: dir } });
    } catch (error) {
      message = (error as Error).message;
    }

    // Assess
    expect(message).toMatch(/drift\.baseline: .*baseline\.json is not valid JSON/);
    expect(message).not.toContain('aws_secret');
  });
});

describe('ReplicationGuard config checks', () => {
  it('fails construction on an invalid email', () => {
    expect(() => synthGuard({ notifications: { emails: ['oncall-at-example.com'] } })).toThrow(
      /notifications\.emails\.0: is not an email address \(got "oncall-at-example.com"\)/,
    );
  });
});
