/** What the probe needs from a database driver; one connection per database per run. */
import type { AuroraReplicaRow, MysqlReplicaStatus, PostgresReplicaStatus, PostgresSourceStatus, ProbeFailure, ProbeRole } from '../../core/fleet/probe-observation';
import type { ProbeTarget } from '../targets';

export interface Timeouts {
  readonly connectMs: number;
  readonly queryMs: number;
}

export interface RoleInfo {
  /** What the database says it is: in recovery / has replica status → replica. */
  readonly role: ProbeRole;
  /** The heartbeat `server_id` this database writes as a source. */
  readonly serverId: number | null;
  readonly version: string | null;
  /** MySQL/MariaDB replica status, read with the role. */
  readonly mysqlReplica?: MysqlReplicaStatus;
}

export interface HeartbeatRow {
  readonly serverId: number;
  /** ISO-8601 UTC, or null when `ts` does not parse. */
  readonly ts: string | null;
}

export interface ProbeConnection {
  roleInfo(): Promise<RoleInfo>;
  /** Upserts this server's heartbeat row with `ts` (pt-heartbeat format) and its log position. */
  writeHeartbeat(table: ProbeTarget['heartbeat'], serverId: number, ts: string): Promise<void>;
  /** The row of `serverId`, or the newest row when null; null when there is none. */
  readHeartbeat(table: ProbeTarget['heartbeat'], serverId: number | null): Promise<HeartbeatRow | null>;
  postgresSource?(): Promise<PostgresSourceStatus>;
  postgresReplica?(): Promise<PostgresReplicaStatus>;
  mysqlReplica?(): Promise<MysqlReplicaStatus | undefined>;
  /** Aurora's own replica view on a writer; undefined on an engine that is not Aurora. */
  auroraReplicas?(): Promise<AuroraReplicaRow[] | undefined>;
  close(): Promise<void>;
}

export interface ProbeDriver {
  connect(target: ProbeTarget, timeouts: Timeouts): Promise<ProbeConnection>;
  /** Any error of this driver as a password-free failure. */
  classify(error: unknown, stage: string): ProbeFailure;
}

/** Network-level error codes shared by both drivers. */
export function networkFailure(code: string | undefined, message: string, stage: string): ProbeFailure | undefined {
  if (code === 'ECONNREFUSED') return { kind: 'refused', stage, message, code };
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return { kind: 'timeout', stage, message, code };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { kind: 'unreachable', stage, message, code };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') return { kind: 'unreachable', stage, message: `connection reset: ${message}`, code };
  if (code !== undefined && /^(ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY))/.test(code)) {
    return { kind: 'tls', stage, message, code };
  }
  return undefined;
}

/** Strips anything that looks like a password assignment from a message, whatever the driver put in it. */
export function scrub(message: string, password: string | undefined): string {
  let out = message;
  if (password) out = out.split(password).join('***');
  return out.replace(/(password\s*[=:]\s*)\S+/gi, '$1***');
}
