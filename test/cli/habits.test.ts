/** The CLI as a user of the aws CLI would try it: regions, profiles, --version, --help, pipes, files. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../bin/cli/commands';
import { CHILD_PROCESS_TIMEOUT_MS } from '../support/child-process';
import { runCli, runReplguard } from '../support/cli';
import packageJson from '../../package.json';

const DEMO = 'examples/demo-fleet.json';
const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
const tmp = () => mkdtempSync(join(tmpdir(), 'replguard-habits-'));

/** Shared AWS files of a laptop, in a temp folder; the CLI reads them through the env it is given. */
function awsFiles(config: string, credentials = ''): Record<string, string> {
  const dir = tmp();
  writeFileSync(join(dir, 'config'), config);
  writeFileSync(join(dir, 'credentials'), credentials);
  return { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), HOME: dir };
}

/** An empty home: no profile region to fall back on. */
const NO_AWS_FILES = awsFiles('');

beforeEach(() => {
  rds.reset();
  cloudwatch.reset();
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
  cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
});

afterEach(() => {
  rds.reset();
  cloudwatch.reset();
});

/** Regions the snapshot command read, from its closing line. */
async function regionsRead(args: readonly string[], env: Record<string, string>): Promise<string> {
  const out = join(tmp(), 'fleet.json');
  const result = await runCli(['snapshot', '--out', out, ...args], env);
  expect(result.stderr).not.toContain('unexpected error');
  expect(result.code).toBe(0);
  const accounts = Object.values(JSON.parse(readFileSync(out, 'utf8')).accounts) as { regions: Record<string, unknown> }[];
  return Object.keys(accounts[0]!.regions).join(',');
}

describe('regions and profiles', () => {
  it('accepts --region on every live command, and a comma list in --regions', async () => {
    expect(await regionsRead(['--region', 'eu-west-1'], NO_AWS_FILES)).toBe('eu-west-1');
    expect(await regionsRead(['--regions', 'eu-west-1,us-west-2'], NO_AWS_FILES)).toBe('eu-west-1,us-west-2');
    expect((await runCli(['check', '--region', 'eu-west-1', '--format', 'json'], NO_AWS_FILES)).code).toBe(0);
    expect((await runCli(['check', '--region', 'eu-west9'], NO_AWS_FILES)).stderr).toContain('unknown region "eu-west9"');
  });

  it('uses AWS_REGION, then AWS_DEFAULT_REGION, then the profile region when no regions are configured', async () => {
    const files = awsFiles('[default]\nregion = ap-southeast-2\n\n[profile team]\nregion = ca-central-1\n', '[team]\naws_access_key_id = x\n');

    expect(await regionsRead([], { ...files, AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'eu-west-2' })).toBe('eu-central-1');
    expect(await regionsRead([], { ...files, AWS_DEFAULT_REGION: 'eu-west-2' })).toBe('eu-west-2');
    expect(await regionsRead([], files)).toBe('ap-southeast-2');
    expect(await regionsRead(['--profile', 'team'], files)).toBe('ca-central-1');
    expect(await regionsRead([], { ...files, AWS_PROFILE: 'team' })).toBe('ca-central-1');
    expect(await regionsRead([], NO_AWS_FILES)).toBe('us-east-1');
  });

  it('prefers the regions a config file sets over the environment', async () => {
    const config = join(tmp(), 'replguard.json');
    writeFileSync(config, JSON.stringify({ regions: ['sa-east-1'] }));

    expect(await regionsRead(['--config', config], { ...NO_AWS_FILES, AWS_REGION: 'eu-central-1' })).toBe('sa-east-1');
  });

  it('names a profile that does not exist, and the ones that do, before any AWS call', async () => {
    const files = awsFiles('[default]\nregion = us-east-1\n[profile prod]\nregion = eu-west-1\n', '[staging]\naws_access_key_id = x\n');

    const fromEnv = await runCli(['check', '--regions', 'us-east-1'], { ...files, AWS_PROFILE: 'prd' });
    const fromFlag = await runCli(['snapshot', '--out', join(tmp(), 'f.json'), '--profile', 'prd'], files);

    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain(`AWS profile "prd" (from AWS_PROFILE) is not in ${files.AWS_CONFIG_FILE} or ${files.AWS_SHARED_CREDENTIALS_FILE}`);
    expect(fromEnv.stderr).toContain('Profiles there: default, prod, staging.');
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toContain('AWS profile "prd" (from --profile)');
    expect(rds.calls()).toHaveLength(0);
  });
});

describe('nothing could be read', () => {
  const unreachable = Object.assign(new Error('getaddrinfo ENOTFOUND rds.us-east-1.amazonaws.com'), { name: 'Error', code: 'ENOTFOUND' });

  it('is a setup error with the cause for snapshot, exit 2, and no file of errors is written', async () => {
    rds.rejects(unreachable);
    cloudwatch.rejects(unreachable);
    const out = join(tmp(), 'fleet.json');

    const result = await runCli(['snapshot', '--regions', 'us-east-1,eu-west-1', '--out', out], NO_AWS_FILES);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Nothing could be read from AWS in us-east-1, eu-west-1');
    expect(result.stderr).toContain('ENOTFOUND');
    expect(existsSync(out)).toBe(false);
  });

  it('is the same setup error for check, not a fleet of CHECK_DEGRADED findings', async () => {
    rds.rejects(Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' }));
    cloudwatch.rejects(Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' }));

    const result = await runCli(['check', '--regions', 'us-east-1', '--format', 'json'], NO_AWS_FILES);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('(UnrecognizedClientException): The security token included in the request is invalid.');
  });

  it('still reports one unreadable region among readable ones as CHECK_DEGRADED', async () => {
    rds.on(DescribeDBInstancesCommand).callsFake(async function (this: unknown, _input: unknown, getClient: () => RDSClient) {
      if ((await getClient().config.region()) === 'eu-west-1') throw unreachable;
      return { DBInstances: [] };
    });
    rds.on(DescribeDBClustersCommand).callsFake(async function (this: unknown, _input: unknown, getClient: () => RDSClient) {
      if ((await getClient().config.region()) === 'eu-west-1') throw unreachable;
      return { DBClusters: [] };
    });

    const result = await runCli(['check', '--regions', 'us-east-1,eu-west-1', '--format', 'json'], NO_AWS_FILES);

    expect(JSON.parse(result.stdout).findings.map((f: { code: string; region: string }) => `${f.code} ${f.region}`)).toContain('CHECK_DEGRADED eu-west-1');
  });
});

describe('files', () => {
  it('checks the --out folder before reading anything, exit 2', async () => {
    const missing = join(tmp(), 'no-such-folder', 'fleet.json');

    const snapshot = await runCli(['snapshot', '--regions', 'us-east-1', '--out', missing], NO_AWS_FILES);
    const capture = await runCli(['baseline', 'capture', '--from', 'orders', '--region', 'us-east-1', '--out', missing], NO_AWS_FILES);

    expect(snapshot.code).toBe(2);
    expect(snapshot.stderr).toContain(`--out ${missing}: the folder`);
    expect(snapshot.stderr).toContain('does not exist');
    expect(capture.code).toBe(2);
    expect(capture.stderr).toContain('does not exist');
    expect(rds.calls()).toHaveLength(0);
  });

  it('names the file and the limit of an oversized input', async () => {
    // Prepare: a sparse file, large on paper, no disk used
    const snapshot = join(tmp(), 'huge.json');
    writeFileSync(snapshot, '');
    truncateSync(snapshot, 300 * 1024 ** 2);
    const config = join(tmp(), 'big.json');
    writeFileSync(config, `{"regions":["us-east-1"]}${' '.repeat(1024 ** 2)}`);

    // Act
    const bigSnapshot = await runCli(['check', '--snapshot', snapshot]);
    const bigConfig = await runCli(['check', '--snapshot', DEMO, '--config', config]);

    // Assess
    expect(bigSnapshot.code).toBe(2);
    expect(bigSnapshot.stderr).toContain(`Snapshot file ${snapshot} is 300 MiB, above the 256 MiB limit for a snapshot file.`);
    expect(bigConfig.code).toBe(2);
    expect(bigConfig.stderr).toContain(`Config file ${config} is 1 MiB, above the 1 MiB limit for a config file.`);
  });

  it('accepts a UTF-8 byte-order mark in config, snapshot and baseline files', async () => {
    const dir = tmp();
    const withBom = (name: string, text: string) => {
      writeFileSync(join(dir, name), `\ufeff${text}`);
      return join(dir, name);
    };
    const snapshot = withBom('fleet.json', readFileSync(DEMO, 'utf8'));
    const config = withBom('replguard.json', '{"regions":["us-east-1"]}');
    const baseline = withBom('baseline.json', '{"format":"replguard-baseline/v1","extends":"default","entries":[]}');

    const result = await runCli(['check', '--snapshot', snapshot, '--config', config, '--baseline', baseline, '--exit-zero']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('--version and --help', () => {
  it('prints the version', async () => {
    const result = await runReplguard(['--version']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`replguard ${packageJson.version}\n`);
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s --help describes every flag it accepts', async (name, command) => {
    const result = await runCli([name, '--help']);

    expect(result.code).toBe(0);
    for (const flag of command.flags) expect(result.stdout, `--${flag}`).toMatch(new RegExp(`^\\s+--${flag}\\b.*\\S`, 'm'));
  });

  it('every flag a command lists is one it accepts', async () => {
    for (const command of COMMANDS) {
      for (const flag of command.flags) {
        const subcommands = command.name === 'baseline' ? ['capture', 'diff'] : [undefined];
        const results = await Promise.all(subcommands.map((sub) => runCli([command.name, ...(sub ? [sub] : []), `--${flag}`, join(tmp(), 'x')], NO_AWS_FILES)));
        expect(results.some((r) => !/Unknown option/.test(r.stderr)), `${command.name} --${flag}`).toBe(true);
      }
    }
  });
});

describe('pipes', () => {
  it('exits quietly with its own status when the reader of its output goes away', async () => {
    // Prepare: the CLI's stdout is a pipe whose reader closes before the CLI writes, as `| head -1` does
    const child = spawn(process.execPath, ['bin/replguard.mjs', 'check', '--snapshot', DEMO, '--format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHILD_PROCESS_TIMEOUT_MS,
      env: { ...process.env, NO_COLOR: '1' },
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    // Act
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));

    // Assess: the demo has critical findings, so 1, as without the pipe; no stack trace
    expect(signal).toBeNull();
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });
});
