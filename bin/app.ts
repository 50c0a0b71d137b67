#!/usr/bin/env node
/**
 * The CDK app: `npx cdk deploy -c config=PATH` (default examples/replguard.config.json).
 * A bad config stops synth with the validation message, naming the key and the value.
 */
import { dirname } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lambdas/core/config';
import { DEFAULT_CONFIG_PATH, loadAppConfig } from '../lib/app-config';
import { readsMemberAccounts } from '../lib/cross-account-access';
import { MemberRoleStack } from '../lib/member-role';
import { ReplicationGuardStack } from '../lib/replication-guard-stack';
import { FAN_OUT_PLAN_ENTRY, FAN_OUT_READER_ENTRY } from '../lib/fan-out';

const app = new App();
const configPath: unknown = app.node.tryGetContext('config') ?? DEFAULT_CONFIG_PATH;
const stackName: unknown = app.node.tryGetContext('stackName') ?? 'ReplicationGuard';
const smsSpendLimit: unknown = app.node.tryGetContext('smsSpendLimitUsd');
const stackSetCallAs: unknown = app.node.tryGetContext('stackSetCallAs');
const expectedAccountsContext: unknown = app.node.tryGetContext('expectedAccounts');

try {
  if (typeof configPath !== 'string' || configPath === '') throw new ConfigError('-c config=PATH needs a file path.');
  if (typeof stackName !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    throw new ConfigError(`-c stackName must be letters, digits and hyphens, starting with a letter (got ${JSON.stringify(stackName)}).`);
  }
  const smsMonthlySpendLimitUsd = smsSpendLimit === undefined ? undefined : Number(smsSpendLimit);
  if (smsMonthlySpendLimitUsd !== undefined && !(smsMonthlySpendLimitUsd > 0 && Number.isFinite(smsMonthlySpendLimitUsd))) {
    throw new ConfigError(`-c smsSpendLimitUsd must be your account's SNS SMS spend limit in US dollars, a positive number (got ${JSON.stringify(smsSpendLimit)}).`);
  }
  if (stackSetCallAs !== undefined && stackSetCallAs !== 'SELF' && stackSetCallAs !== 'DELEGATED_ADMIN') {
    throw new ConfigError(`-c stackSetCallAs must be SELF (management account) or DELEGATED_ADMIN (got ${JSON.stringify(stackSetCallAs)}).`);
  }
  const expectedAccounts = expectedAccountsContext === undefined ? undefined : Number(expectedAccountsContext);
  if (expectedAccounts !== undefined && !(Number.isInteger(expectedAccounts) && expectedAccounts >= 1 && expectedAccounts <= 100_000)) {
    throw new ConfigError(`-c expectedAccounts must be the number of accounts the organization holds, a whole number from 1 to 100,000 (got ${JSON.stringify(expectedAccountsContext)}).`);
  }
  const { input, config } = loadAppConfig(configPath);
  new ReplicationGuardStack(app, stackName, {
    ...(stackSetCallAs !== undefined ? { stackSetCallAs } : {}),
    config: input,
    configSource: configPath,
    baseDirectory: dirname(configPath),
    smsMonthlySpendLimitUsd,
    // Step Functions fan-out, deployed only when the accounts exceed what one checker reads in time.
    ...(readsMemberAccounts(config)
      ? { fanOut: { planEntry: FAN_OUT_PLAN_ENTRY, readerEntry: FAN_OUT_READER_ENTRY, ...(expectedAccounts !== undefined ? { expectedAccounts } : {}) } }
      : {}),
    description: 'Replication Guard: RDS/Aurora replication health, drift and DR readiness',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // The member role for accounts the StackSet does not reach: deployed by hand (docs/organization.md).
  if (readsMemberAccounts(config)) new MemberRoleStack(app, `${stackName}MemberRole`, { config });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
