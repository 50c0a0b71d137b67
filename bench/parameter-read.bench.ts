/**
 * 500 databases sharing 20 parameter groups, read with includeParameters: each group must be
 * read once (all its pages), however many databases use it.
 */
import { DescribeDBClusterParametersCommand, DescribeDBParametersCommand } from '@aws-sdk/client-rds';
import { LiveFleetReader } from '../lambdas/aws/live-reader';
import { generateSharedParameterFleet, PARAMETERS_PER_GROUP } from './support/fleet';
import { mockAws, pagesFor } from './support/mock-aws';
import type { Benchmark, BenchContext } from './types';

const REGION = 'us-east-1';
const LATENCY_MS = 50;

export const parameterReadBench: Benchmark = {
  name: `parameter read: 500 databases sharing 20 parameter groups, ${LATENCY_MS} ms per AWS call`,
  async run(ctx: BenchContext) {
    const fleet = generateSharedParameterFleet(REGION);
    const data = fleet[REGION]!;
    const aws = mockAws(fleet, LATENCY_MS);
    try {
      const started = performance.now();
      const snapshot = await new LiveFleetReader({
        regions: [REGION],
        clients: (region) => aws.clients(region),
        includeParameters: true,
      }).read();
      const wallMs = Math.round(performance.now() - started);

      const rds = aws.regions[REGION]!.rds;
      const dbCalls = rds.commandCalls(DescribeDBParametersCommand).length;
      const clusterCalls = rds.commandCalls(DescribeDBClusterParametersCommand).length;
      const dbGroups = Object.keys(data.dbParameters).length;
      const clusterGroups = Object.keys(data.clusterParameters).length;
      const pages = pagesFor(PARAMETERS_PER_GROUP);
      const databases = data.instances.filter((i) => !i.DBClusterIdentifier).length + data.clusters.length;
      ctx.log(`databases ${databases}, DB parameter groups ${dbGroups}, cluster parameter groups ${clusterGroups}, ${PARAMETERS_PER_GROUP} parameters each (${pages} pages)`);
      ctx.log(`  DescribeDBParameters ${dbCalls} (max ${dbGroups * pages}), DescribeDBClusterParameters ${clusterCalls} (max ${clusterGroups * pages}), read in ${wallMs} ms`);

      if (dbCalls > dbGroups * pages) ctx.fail(`DescribeDBParameters called ${dbCalls} times for ${dbGroups} groups of ${pages} pages`);
      if (clusterCalls > clusterGroups * pages) ctx.fail(`DescribeDBClusterParameters called ${clusterCalls} times for ${clusterGroups} groups of ${pages} pages`);
      const region = snapshot.regions[REGION]!;
      const complete =
        Object.values(region.dbParameters ?? {}).filter((p) => p.length === PARAMETERS_PER_GROUP).length === dbGroups &&
        Object.values(region.dbClusterParameters ?? {}).filter((p) => p.length === PARAMETERS_PER_GROUP).length === clusterGroups;
      if (!complete) ctx.fail('some parameter groups were not read completely');
      if (region.errors?.length) ctx.fail(`read errors: ${region.errors.map((e) => e.message).join('; ')}`);

      return { parameterCalls: dbCalls + clusterCalls };
    } finally {
      aws.restore();
    }
  },
};
