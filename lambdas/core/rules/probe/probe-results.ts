/**
 * The deployed probe's results on their way to the checker: each probe function (one per VPC)
 * writes the observations of its run as one record; the checker merges the fresh ones into the
 * snapshot it read, so the probe rules judge them exactly as they judge a snapshot's `probes`.
 * A VPC whose record is missing or older than twice the check rate becomes a read error in the
 * snapshot (CHECK_DEGRADED): a probe that stopped reporting is unknown, never healthy.
 */
import type { Config } from '../../config';
import type { FleetSnapshot, ReadError, RegionSnapshot } from '../../fleet/model';
import type { ProbeObservation } from '../../fleet/probe-observation';
import type { FleetReader } from '../../fleet/reader';

/** Partition key of the probe records in the alert-state table; the sort key is the VPC's name. */
export const PROBE_RESULTS_PARTITION = 'probe-results';

/** The operation a stale or missing probe record is reported under. */
export const PROBE_RESULTS_OPERATION = 'probe:results';

export interface ProbeResultsRecord {
  /** `probes.vpcs[].name` of the function that wrote it. */
  readonly vpc: string;
  /** The region the function (and so the VPC) is in. */
  readonly region: string;
  /** When the run finished, ISO-8601 UTC. */
  readonly ranAt: string;
  readonly observations: readonly ProbeObservation[];
}

/** Results older than this say nothing about now: two check intervals, so one late run is not a finding. */
export function probeResultsMaxAgeMs(config: Config): number {
  return 2 * config.schedule.checkRateMinutes * 60_000;
}

/** How long a record is kept (DynamoDB TTL): long after it stopped counting, short enough to clean up a removed VPC. */
export const PROBE_RESULTS_TTL_SECONDS = 24 * 3600;

export interface MergeProbeResultsOptions {
  readonly config: Config;
  /** Where the probe functions run (the stack's region): a VPC that never reported is reported there. */
  readonly homeRegion: string;
}

/**
 * The snapshot with each configured VPC's fresh observations added to their regions' `probes`,
 * and a read error for each VPC whose record is missing, stale or from the future.
 */
export function mergeProbeResults(
  snapshot: FleetSnapshot,
  records: readonly ProbeResultsRecord[],
  options: MergeProbeResultsOptions,
): FleetSnapshot {
  const vpcs = options.config.probes?.vpcs ?? [];
  if (vpcs.length === 0) return snapshot;
  const now = Date.parse(snapshot.capturedAt);
  const maxAgeMs = probeResultsMaxAgeMs(options.config);
  const regions = new Map<string, RegionSnapshot>(Object.entries(snapshot.regions));
  const add = (region: string, change: { probes?: readonly ProbeObservation[]; error?: ReadError }) => {
    const current = regions.get(region) ?? {};
    regions.set(region, {
      ...current,
      ...(change.probes ? { probes: [...(current.probes ?? []), ...change.probes] } : {}),
      ...(change.error ? { errors: [...(current.errors ?? []), change.error] } : {}),
    });
  };
  const byVpc = new Map(records.map((r) => [r.vpc, r]));
  for (const vpc of vpcs) {
    const record = byVpc.get(vpc.name);
    const ranAt = record ? Date.parse(record.ranAt) : Number.NaN;
    if (!record || Number.isNaN(ranAt)) {
      add(options.homeRegion, {
        error: {
          operation: PROBE_RESULTS_OPERATION,
          code: 'ProbeResultsMissing',
          message: `The probe in VPC "${vpc.name}" has not reported any results: its databases' in-database state is unknown. Check the probe function's logs and dead-letter queue.`,
        },
      });
      continue;
    }
    const ageMs = now - ranAt;
    // A minute of clock skew between the probe's and the checker's clocks is tolerated.
    if (ageMs > maxAgeMs || ageMs < -60_000) {
      add(record.region, {
        error: {
          operation: PROBE_RESULTS_OPERATION,
          code: 'ProbeResultsStale',
          message:
            `The probe in VPC "${vpc.name}" last reported at ${record.ranAt}, ${Math.round(ageMs / 1000)} s before this check ` +
            `(results count for ${maxAgeMs / 1000} s): its databases' in-database state is unknown. Check the probe function's logs and dead-letter queue.`,
        },
      });
      continue;
    }
    const byRegion = new Map<string, ProbeObservation[]>();
    for (const o of record.observations) byRegion.set(o.region, [...(byRegion.get(o.region) ?? []), o]);
    for (const [region, probes] of byRegion) add(region, { probes });
  }
  return { ...snapshot, regions: Object.fromEntries(regions) };
}

/**
 * A reader that adds the deployed probe's results to what `inner` read (the health check's live
 * reader). A failing read of the records is a read error of its own, never "no probe configured".
 */
export class ProbeResultsReader implements FleetReader {
  constructor(
    private readonly inner: FleetReader,
    private readonly readRecords: () => Promise<readonly ProbeResultsRecord[]>,
    private readonly options: MergeProbeResultsOptions,
  ) {}

  async read(): Promise<FleetSnapshot> {
    const snapshot = await this.inner.read();
    if (!this.options.config.probes) return snapshot;
    let records: readonly ProbeResultsRecord[];
    try {
      records = await this.readRecords();
    } catch (error) {
      const { homeRegion } = this.options;
      const current = snapshot.regions[homeRegion] ?? {};
      const failure: ReadError = {
        operation: 'dynamodb:Query',
        message: `Reading the probe's results failed: ${error instanceof Error ? error.message : String(error)}. The databases' in-database state is unknown this run.`,
        ...(error instanceof Error && error.name !== 'Error' ? { code: error.name } : {}),
      };
      return { ...snapshot, regions: { ...snapshot.regions, [homeRegion]: { ...current, errors: [...(current.errors ?? []), failure] } } };
    }
    return mergeProbeResults(snapshot, records, this.options);
  }
}
