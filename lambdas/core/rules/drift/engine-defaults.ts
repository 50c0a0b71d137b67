/**
 * Engine defaults of the replication-critical parameters: the value a database runs with when its
 * parameter group does not set the parameter (absent, or listed without a `ParameterValue`).
 *
 * Only defaults we are confident of are listed: the RDS default parameter groups' values
 * (`read_only` = `{TrueIfReplica}`, PostgreSQL `max_connections` =
 * `LEAST({DBInstanceClassMemory/9531392},5000)`, `max_worker_processes` =
 * `GREATEST(${DBInstanceVCPU*2},8)`, Aurora MySQL `binlog_format` = `OFF`) and engine defaults RDS
 * keeps. A parameter not listed has an "unknown default": comparisons with it are not comparable,
 * never equal. Keys are canonical names (see `canonicalParameterName`).
 */
import { parseVersionSpec, type BaselineEngine } from './engines';
import { own } from '../../shared/records';

interface DefaultEntry {
  readonly value: string;
  /** Version selector (see `parseVersionSpec`); all versions when absent. */
  readonly versions?: string;
}

type DefaultTable = Readonly<Record<string, readonly DefaultEntry[]>>;

const MYSQL: DefaultTable = {
  read_only: [{ value: '{TrueIfReplica}' }],
  innodb_flush_log_at_trx_commit: [{ value: '1' }],
  sync_binlog: [{ value: '1' }],
  binlog_format: [{ value: 'MIXED', versions: '<8.4' }],
  enforce_gtid_consistency: [{ value: 'OFF' }],
  max_allowed_packet: [
    { value: '4194304', versions: '<8.0' },
    { value: '67108864', versions: '>=8.0' },
  ],
  replica_preserve_commit_order: [
    { value: '0', versions: '<8.0.27' },
    { value: '1', versions: '>=8.0.27' },
  ],
};

const MARIADB: DefaultTable = {
  read_only: [{ value: '{TrueIfReplica}' }],
  innodb_flush_log_at_trx_commit: [{ value: '1' }],
  binlog_format: [{ value: 'MIXED' }],
  max_allowed_packet: [{ value: '16777216', versions: '>=10.2' }],
};

const AURORA_MYSQL: DefaultTable = {
  read_only: [{ value: '{TrueIfReplica}' }],
  binlog_format: [{ value: 'OFF' }],
  gtid_mode: [{ value: 'OFF_PERMISSIVE' }],
  enforce_gtid_consistency: [{ value: 'OFF' }],
  innodb_flush_log_at_trx_commit: [{ value: '1' }],
  max_allowed_packet: [
    { value: '4194304', versions: '<8.0' },
    { value: '67108864', versions: '>=8.0' },
  ],
};

const POSTGRES_COMMON: DefaultTable = {
  max_connections: [{ value: 'LEAST({DBInstanceClassMemory/9531392},5000)' }],
  max_worker_processes: [{ value: 'GREATEST(${DBInstanceVCPU*2},8)' }],
  max_prepared_transactions: [{ value: '0' }],
  max_locks_per_transaction: [{ value: '64' }],
  wal_sender_timeout: [{ value: '60000' }],
  'rds.logical_replication': [{ value: '0' }],
};

const POSTGRES: DefaultTable = {
  ...POSTGRES_COMMON,
  max_standby_streaming_delay: [{ value: '30000' }],
  max_standby_archive_delay: [{ value: '30000' }],
  hot_standby_feedback: [{ value: '0' }],
};

const DEFAULTS: Readonly<Partial<Record<BaselineEngine, DefaultTable>>> = {
  mysql: MYSQL,
  mariadb: MARIADB,
  'aurora-mysql': AURORA_MYSQL,
  postgres: POSTGRES,
  'aurora-postgresql': POSTGRES_COMMON,
};

/** The engine default of a parameter, or undefined when we do not know it. */
export function engineDefault(
  engine: BaselineEngine | undefined,
  engineVersion: string | undefined,
  canonicalName: string,
): string | undefined {
  if (!engine) return undefined;
  const entries = own(own(DEFAULTS, engine), canonicalName);
  if (!entries) return undefined;
  for (const entry of entries) {
    if (!entry.versions) return entry.value;
    if (engineVersion === undefined) continue;
    const spec = parseVersionSpec(entry.versions);
    if (typeof spec !== 'string' && spec.test(engineVersion)) return entry.value;
  }
  return undefined;
}
