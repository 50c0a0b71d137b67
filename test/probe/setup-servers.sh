#!/usr/bin/env bash
# Installs what the probe's integration tests need from Debian's packages: PostgreSQL 15 server
# programs and MariaDB server. Idempotent: does nothing when both are there. Starting and stopping
# the servers is test/probe/servers.sh, which the tests call themselves.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
missing=()
[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_basebackup" ] || missing+=(postgresql-15)
command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1 || missing+=(mariadb-server)

if [ ${#missing[@]} -eq 0 ]; then
  echo "probe test servers: PostgreSQL 15 and MariaDB already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "probe test servers: missing ${missing[*]}; run as root or install them with apt-get" >&2
  exit 1
fi
echo "probe test servers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The packages' own service start is not wanted (policy-rc.d may deny it anyway): tests start their own.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "probe test servers: installed ${missing[*]}"
