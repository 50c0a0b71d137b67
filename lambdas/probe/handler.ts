/**
 * The deployed probe Lambda, one per VPC: a thin shell. The config file, the VPC's name and the
 * RDS CA bundle come with the package and environment (see lib/probe-function.ts); each
 * scheduled invocation runs one probe and writes its record (see deployed.ts).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RDSClient, paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer } from '@aws-sdk/rds-signer';
import { ProbeResultsStore } from '../aws/probe-results-store';
import { sdkRequestHandler } from '../aws/sdk-client-config';
import { readProbeEnvironment } from './env';
import { runDeployedProbe, type DeployedProbeOutcome } from './deployed';
import type { DbInstance } from '../core/fleet/model';

const logger = new Logger({ serviceName: 'replication-guard-probe' });
const packageFile = (file: string) => (isAbsolute(file) ? file : fileURLToPath(new URL(`./${file}`, import.meta.url)));
const env = (() => {
  try {
    return readProbeEnvironment(process.env, (file) => readFileSync(packageFile(file), 'utf8'));
  } catch (error) {
    logger.error('Probe environment is invalid', { error: (error as Error).message });
    throw error;
  }
})();

const requestHandler = sdkRequestHandler();
const rds = new RDSClient({ region: env.region, requestHandler });
const secrets = new SecretsManagerClient({ region: env.region, requestHandler });
const store = new ProbeResultsStore(new DynamoDBClient({ region: env.region, requestHandler }), env.tableName);

export async function handler(): Promise<DeployedProbeOutcome> {
  return runDeployedProbe(
    { probes: env.probes, vpc: env.vpc, region: env.region, caBundleFile: packageFile(env.caBundleFile) },
    {
      async listInstances() {
        const out: DbInstance[] = [];
        for await (const page of paginateDescribeDBInstances({ client: rds }, {})) out.push(...((page.DBInstances ?? []) as DbInstance[]));
        return out;
      },
      async secretString(secretArn) {
        const result = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
        if (result.SecretString === undefined) throw new Error(`secret ${secretArn} has no SecretString`);
        return result.SecretString;
      },
      iamToken: (hostname, port, username) => new Signer({ hostname, port, username, region: env.region }).getAuthToken(),
      writeResults: (record) => store.write(record),
      logger,
    },
  );
}
