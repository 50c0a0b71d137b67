/**
 * Serializes snapshot-shaped RDS objects (the fleet.ts builders) into the XML the RDS Query API
 * returns, so a fleet built in a test can be served by the local AWS endpoint and read back by the
 * real SDK client. List member element names follow the RDS service model (client-rds schemas).
 */
import type { DbCluster, DbInstance, GlobalCluster } from '../../lambdas/core/fleet/model';

/** The element name of a list's items, by the list's member name in the RDS model. */
const LIST_MEMBER: Readonly<Record<string, string>> = {
  DBInstances: 'DBInstance',
  DBClusters: 'DBCluster',
  GlobalClusters: 'GlobalClusterMember',
  StatusInfos: 'DBInstanceStatusInfo',
  DBParameterGroups: 'DBParameterGroup',
  ReadReplicaDBInstanceIdentifiers: 'ReadReplicaDBInstanceIdentifier',
  ReadReplicaDBClusterIdentifiers: 'ReadReplicaDBClusterIdentifier',
  ReadReplicaIdentifiers: 'ReadReplicaIdentifier',
  DBClusterMembers: 'DBClusterMember',
  GlobalClusterMembers: 'GlobalClusterMember',
  Readers: 'member',
  TagList: 'Tag',
  Parameters: 'Parameter',
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    const member = LIST_MEMBER[name];
    if (!member) throw new Error(`rds-xml: no member name known for the list ${name}`);
    return `<${name}>${value.map((v) => element(member, v)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value as Record<string, unknown>).map(([k, v]) => element(k, v)).join('')}</${name}>`;
  }
  return `<${name}>${escape(String(value))}</${name}>`;
}

export const dbInstancesXml = (items: readonly DbInstance[]) => element('DBInstances', items);
export const dbClustersXml = (items: readonly DbCluster[]) => element('DBClusters', items);
export const globalClustersXml = (items: readonly GlobalCluster[]) => element('GlobalClusters', items);
