/**
 * AWS regions, from the partition data of the AWS SDK (copied into aws-regions.json by
 * `npm run update-regions`, so this module imports no SDK). Config and snapshot validation
 * accept only listed regions: a typo such as `us-east1` or `eu-west-4` fails at load with the
 * reason, instead of monitoring nothing. A name that fits a partition's pattern but is not
 * listed is most likely a region launched after this release's SDK: the message says how to
 * pick it up rather than accepting a name nobody can vouch for.
 */
import regionJson from './aws-regions.json';

export interface RegionData {
  /** Where the list was copied from (package, version, file). */
  readonly source: string;
  readonly partitions: readonly {
    readonly id: string;
    /** The partition's region name pattern, as the SDK's endpoint rules use it. */
    readonly regionRegex: string;
    readonly regions: readonly string[];
  }[];
}

export const REGION_DATA: RegionData = regionJson;

export const KNOWN_REGIONS: readonly string[] = REGION_DATA.partitions.flatMap((p) => p.regions);
const known = new Set(KNOWN_REGIONS);

export function isKnownRegion(region: string): boolean {
  return known.has(region);
}

/** Why a region name is not accepted (without the name), or undefined when it is. */
export function unknownRegionReason(region: string): string | undefined {
  if (known.has(region)) return undefined;
  const partition = REGION_DATA.partitions.find((p) => new RegExp(p.regionRegex).test(region));
  if (partition) {
    return (
      `it has the form of an ${partition.id} region but the AWS SDK data this release carries ` +
      `(${REGION_DATA.source}) does not list it; if AWS launched it recently, update the SDK and run "npm run update-regions"`
    );
  }
  return 'not a region name (regions look like us-east-1 or eu-central-2)';
}

/** The validation message for a region name, or undefined when it is accepted. */
export function regionProblem(region: string): string | undefined {
  const reason = unknownRegionReason(region);
  return reason === undefined ? undefined : `is not a known AWS region: ${reason}`;
}

/** The partition (aws, aws-cn, aws-us-gov, ...) a known region belongs to. */
export function partitionOf(region: string): string | undefined {
  return REGION_DATA.partitions.find((p) => p.regions.includes(region))?.id;
}
