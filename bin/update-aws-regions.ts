/**
 * `npm run update-regions`: copies the region list of the installed AWS SDK (the partition data
 * every SDK client resolves endpoints from) into lambdas/core/shared/aws-regions.json, the data the
 * config and snapshot validation read. The engine stays free of SDK imports; a test fails when
 * the copy and the installed SDK differ, so an SDK update brings new regions with it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegionData } from '../lambdas/core/shared/regions';

const SDK_PACKAGE = '@aws-sdk/core';
const PARTITIONS_FILE = 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js';
export const REGION_DATA_FILE = join(dirname(fileURLToPath(import.meta.url)), '../lambdas/core/shared/aws-regions.json');

interface SdkPartitions {
  readonly partitions: readonly {
    readonly id: string;
    readonly regionRegex: string;
    readonly regions: Readonly<Record<string, { readonly description?: string }>>;
  }[];
}

/** The installed SDK's partitions: regions by partition, with each partition's region name pattern. */
export function regionDataFromInstalledSdk(): RegionData {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`${SDK_PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const text = readFileSync(join(dirname(packageJson), PARTITIONS_FILE), 'utf8');
  const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
  const sdk = JSON.parse(json) as SdkPartitions;
  return {
    source: `${SDK_PACKAGE} ${version} (${PARTITIONS_FILE})`,
    partitions: sdk.partitions.map((p) => {
      const pattern = new RegExp(p.regionRegex);
      // Pseudo-regions such as "aws-global" do not match their partition's pattern: not RDS regions.
      const regions = Object.keys(p.regions).filter((r) => pattern.test(r)).sort();
      return { id: p.id, regionRegex: p.regionRegex, regions };
    }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const data = regionDataFromInstalledSdk();
  writeFileSync(REGION_DATA_FILE, `${JSON.stringify(data, null, 2)}\n`);
  const count = data.partitions.reduce((n, p) => n + p.regions.length, 0);
  console.log(`Wrote ${count} regions in ${data.partitions.length} partitions from ${data.source}.`);
}
