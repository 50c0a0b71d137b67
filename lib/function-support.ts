/**
 * What every Replication Guard function needs beside its code: its config staged for bundling,
 * its own log group and a dead-letter queue. Shared by the checker and the probe functions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '../lambdas/core/config';
import { BUNDLED_CONFIG_FILE } from '../lambdas/checker/env';
import { CHECKER_BUNDLE } from './checker-bundle';

export const shellQuote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;

/**
 * Writes the validated config (defaults filled in) to a file the bundling step copies into the
 * package. A file, not an environment variable: Lambda allows 4 KB of variables in total.
 */
export function stageConfigFile(config: Config): string {
  const file = join(mkdtempSync(join(tmpdir(), 'replguard-config-')), BUNDLED_CONFIG_FILE);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

export interface FunctionLogsProps {
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The function's own log group (construct id `Logs`), with a retention so logs never pile up. */
export function functionLogGroup(scope: Construct, props: FunctionLogsProps): logs.LogGroup {
  return new logs.LogGroup(scope, 'Logs', {
    retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
}

/** The encrypted, TLS-only dead-letter queue (construct id `DeadLetterQueue`) of `owner`. */
export function deadLetterQueue(scope: Construct, owner: string): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is the dead-letter queue of ${owner}; it needs no DLQ of its own.`,
  });
  return queue;
}

/**
 * The esbuild bundling of every Replication Guard function (see CHECKER_BUNDLE), with files copied
 * into the package: `{ nameInPackage: localPath }`. The asset hash covers the output directory,
 * so a changed file redeploys the function.
 */
export function bundlingWithFiles(files: Readonly<Record<string, string>>): nodejs.BundlingOptions {
  return {
    target: CHECKER_BUNDLE.target,
    format: nodejs.OutputFormat.ESM,
    minify: CHECKER_BUNDLE.minify,
    sourceMap: CHECKER_BUNDLE.sourcemap,
    mainFields: [...CHECKER_BUNDLE.mainFields],
    banner: CHECKER_BUNDLE.banner,
    bundleAwsSDK: true,
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) =>
        Object.entries(files).map(([name, path]) => `cp ${shellQuote(path)} ${shellQuote(`${outputDir}/${name}`)}`),
    },
  };
}
