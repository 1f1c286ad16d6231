#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on a free loopback port.
#   scripts/pg-test-cluster.sh start   prints `export NEA_TEST_POSTGRES_URL=…` (eval it)
#   scripts/pg-test-cluster.sh stop DATADIR
# Installs Debian's postgresql package when no server is present. initdb and pg_ctl refuse
# to run as root, so they run as the `postgres` user on a data folder it owns.
set -euo pipefail

find_pg_bin() {
    local initdb
    initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$initdb" ] && dirname "$initdb"
}

as_postgres() {
    if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local bin
    bin=$(find_pg_bin || true)
    if [ -z "$bin" ]; then
        echo "installing PostgreSQL from Debian's packages…" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        bin=$(find_pg_bin)
    fi
    local datadir port
    datadir=$(mktemp -d /tmp/nea-pg.XXXXXX)
    [ "$(id -u)" = "0" ] && chown postgres: "$datadir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_postgres "$bin/initdb" -D "$datadir/data" -A trust -U postgres --no-sync -E UTF8 >&2
    as_postgres "$bin/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w -o \
        "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >&2
    echo "export NEA_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$port/postgres"
    echo "export NEA_TEST_POSTGRES_DATADIR=$datadir"
}

stop() {
    local datadir=$1 bin
    bin=$(find_pg_bin)
    as_postgres "$bin/pg_ctl" -D "$datadir/data" -m immediate -w stop >&2 || true
    rm -rf "$datadir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:?data dir}" ;;
    *) echo "usage: $0 start | stop DATADIR" >&2; exit 64 ;;
esac
