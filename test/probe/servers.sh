#!/usr/bin/env bash
# Starts or stops real replication pairs on 127.0.0.1 for the probe's integration tests.
#   servers.sh start pg|mariadb DIR   → prints DIR/<engine>.json (ports, users) when all are up
#   servers.sh stop DIR               → stops every server under DIR and removes DIR
# Servers run as the unprivileged postgres / mysql users with small memory settings.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ADMIN_PASSWORD=admin-secret
REPL_PASSWORD=repl-secret

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

as_user() { # user command...
  local user=$1; shift
  if [ "$(id -un)" = "$user" ]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

wait_for() { # seconds description command...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then echo "servers.sh: $what did not come up in ${seconds}s" >&2; return 1; fi
    sleep 0.2
  done
}

start_pg() {
  local dir=$1/pg
  mkdir -p "$dir" && chown postgres: "$dir" 2>/dev/null || true
  local p1 p2
  p1=$(free_port); p2=$(free_port)
  while [ "$p2" = "$p1" ]; do p2=$(free_port); done
  as_user postgres "$PG_BIN/initdb" -D "$dir/primary" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
  cat >>"$dir/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $p1
unix_socket_directories = '$dir'
shared_buffers = 16MB
max_connections = ${PROBE_MAX_CONNECTIONS:-40}
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
fsync = off
full_page_writes = off
logging_collector = off
CONF
  as_user postgres "$PG_BIN/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 30 start >/dev/null
  as_user postgres "$PG_BIN/psql" -h "$dir" -p "$p1" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 <<SQL >/dev/null
ALTER USER postgres PASSWORD '$ADMIN_PASSWORD';
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$REPL_PASSWORD';
SQL
  as_user postgres env PGPASSWORD=$REPL_PASSWORD "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$p1" -U replicator \
    -D "$dir/standby" -R -C -S standby1 -X stream --no-sync >"$dir/basebackup.log" 2>&1
  cat >>"$dir/standby/postgresql.conf" <<CONF
port = $p2
CONF
  as_user postgres "$PG_BIN/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w -t 30 start >/dev/null
  wait_for 30 "PostgreSQL standby streaming" \
    as_user postgres "$PG_BIN/psql" -h "$dir" -p "$p1" -U postgres -d postgres -qAt \
      -c "DO \$\$BEGIN IF (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming') = 0 THEN RAISE EXCEPTION 'not yet'; END IF; END\$\$"
  cat >"$1/pg.json" <<JSON
{ "engine": "postgres", "bin": "$PG_BIN", "dir": "$dir",
  "primary": { "host": "127.0.0.1", "port": $p1, "datadir": "$dir/primary" },
  "standby": { "host": "127.0.0.1", "port": $p2, "datadir": "$dir/standby" },
  "admin": { "user": "postgres", "password": "$ADMIN_PASSWORD" } }
JSON
  cat "$1/pg.json"
}

mariadbd_args() { # datadir port server_id extra...
  local datadir=$1 port=$2 id=$3; shift 3
  echo --no-defaults --user=mysql --datadir="$datadir" --port="$port" --bind-address=127.0.0.1 \
    --socket="$datadir/mysqld.sock" --pid-file="$datadir/mysqld.pid" --log-error="$datadir/error.log" \
    --server-id="$id" --log-bin=mysql-bin --log-slave-updates=1 --binlog-format=ROW \
    --innodb-buffer-pool-size=16M --innodb-log-file-size=8M --performance-schema=OFF \
    --skip-name-resolve --max-connections=${PROBE_MAX_CONNECTIONS:-60} --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 "$@"
}

start_mariadb() {
  local dir=$1/mariadb
  mkdir -p "$dir" && chown mysql: "$dir"
  local p1 p2 p3
  p1=$(free_port); p2=$(free_port); p3=$(free_port)
  while [ "$p2" = "$p1" ]; do p2=$(free_port); done
  while [ "$p3" = "$p1" ] || [ "$p3" = "$p2" ]; do p3=$(free_port); done
  mariadb-install-db --no-defaults --user=mysql --datadir="$dir/primary" --auth-root-authentication-method=socket \
    --skip-test-db >"$dir/install.log" 2>&1
  cp -a "$dir/primary" "$dir/replica"
  cp -a "$dir/primary" "$dir/chained"
  # shellcheck disable=SC2046
  (setsid mariadbd $(mariadbd_args "$dir/primary" "$p1" 1) </dev/null >/dev/null 2>&1 &)
  # shellcheck disable=SC2046
  (setsid mariadbd $(mariadbd_args "$dir/replica" "$p2" 2 --read-only=1) </dev/null >/dev/null 2>&1 &)
  # A replica of the replica: a chain two deep.
  # shellcheck disable=SC2046
  (setsid mariadbd $(mariadbd_args "$dir/chained" "$p3" 3 --read-only=1) </dev/null >/dev/null 2>&1 &)
  wait_for 60 "MariaDB primary" mariadb --no-defaults -S "$dir/primary/mysqld.sock" -uroot -e 'SELECT 1'
  wait_for 60 "MariaDB replica" mariadb --no-defaults -S "$dir/replica/mysqld.sock" -uroot -e 'SELECT 1'
  wait_for 60 "MariaDB chained replica" mariadb --no-defaults -S "$dir/chained/mysqld.sock" -uroot -e 'SELECT 1'
  mariadb --no-defaults -S "$dir/primary/mysqld.sock" -uroot <<SQL
CREATE USER 'admin'@'127.0.0.1' IDENTIFIED BY '$ADMIN_PASSWORD';
GRANT ALL ON *.* TO 'admin'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
SQL
  mariadb --no-defaults -S "$dir/replica/mysqld.sock" -uroot <<SQL
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$p1, MASTER_USER='repl', MASTER_PASSWORD='$REPL_PASSWORD',
  MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
SQL
  wait_for 30 "MariaDB replica replicating the admin user" \
    mariadb --no-defaults -h 127.0.0.1 -P "$p2" -uadmin -p"$ADMIN_PASSWORD" -e 'SELECT 1'
  mariadb --no-defaults -S "$dir/chained/mysqld.sock" -uroot <<SQL
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$p2, MASTER_USER='repl', MASTER_PASSWORD='$REPL_PASSWORD',
  MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
SQL
  wait_for 30 "MariaDB chained replica replicating the admin user" \
    mariadb --no-defaults -h 127.0.0.1 -P "$p3" -uadmin -p"$ADMIN_PASSWORD" -e 'SELECT 1'
  cat >"$1/mariadb.json" <<JSON
{ "engine": "mariadb", "dir": "$dir",
  "primary": { "host": "127.0.0.1", "port": $p1, "datadir": "$dir/primary" },
  "replica": { "host": "127.0.0.1", "port": $p2, "datadir": "$dir/replica" },
  "chained": { "host": "127.0.0.1", "port": $p3, "datadir": "$dir/chained" },
  "admin": { "user": "admin", "password": "$ADMIN_PASSWORD" } }
JSON
  cat "$1/mariadb.json"
}

stop_all() {
  local root=$1
  [ -d "$root" ] || return 0
  for data in "$root"/pg/primary "$root"/pg/standby; do
    [ -f "$data/postmaster.pid" ] && as_user postgres "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
  done
  for data in "$root"/mariadb/primary "$root"/mariadb/replica "$root"/mariadb/chained; do
    if [ -f "$data/mysqld.pid" ]; then
      local pid; pid=$(cat "$data/mysqld.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$root"
}

need() { # program package
  command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || {
    echo "servers.sh: $1 not found ($2 is not installed): run 'bash test/probe/setup-servers.sh' as root, or set REPLGUARD_SKIP_DB_TESTS=1 to skip the database tests" >&2
    exit 1
  }
}

case "${1:-}" in
  start)
    if [ "${2:-}" = pg ]; then need "$PG_BIN/initdb" postgresql-15; else need mariadbd mariadb-server; fi
    [ $# -eq 3 ] || { echo "usage: servers.sh start pg|mariadb DIR" >&2; exit 2; }
    mkdir -p "$3"; chmod 755 "$3"
    case "$2" in
      pg) start_pg "$3" ;;
      mariadb) start_mariadb "$3" ;;
      *) echo "servers.sh: unknown engine $2" >&2; exit 2 ;;
    esac ;;
  stop)
    [ $# -eq 2 ] || { echo "usage: servers.sh stop DIR" >&2; exit 2; }
    stop_all "$2" ;;
  *) echo "usage: servers.sh start pg|mariadb DIR | stop DIR" >&2; exit 2 ;;
esac
