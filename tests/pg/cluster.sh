#!/usr/bin/env bash
# tests/pg/cluster.sh - a throwaway PostgreSQL cluster for the PostgreSQL
# backend's tests: it listens on a Unix socket in a temporary folder only
# (no TCP port), trusts local connections, and is deleted when stopped.
#
#   conninfo=$(tests/pg/cluster.sh start)   # prints the conninfo
#   ESK_TEST_PG="$conninfo" ctest --preset dev -R postgres
#   tests/pg/cluster.sh stop "$conninfo"
#
# PostgreSQL refuses to run as root: run as root (as CI does), the server
# runs as ESK_PG_USER (default: nobody) in a folder that user owns.
# fsync is off: the cluster is thrown away, and the tests check the
# store's rules, not the disk's.
set -Eeuo pipefail

pg_bin()
{
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir)
        if [[ -x $dir/initdb ]]; then
            echo "$dir"
            return
        fi
    fi
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x $dir/initdb ]]; then
            echo "$dir"
            return
        fi
    done
    echo "cluster.sh: initdb not found: install PostgreSQL (Debian: apt-get install postgresql)" >&2
    return 1
}

# as_server CMD... - run a command as the user the server runs as.
as_server()
{
    if ((EUID == 0)); then
        runuser -u "${ESK_PG_USER:-nobody}" -- "$@"
    else
        "$@"
    fi
}

start()
{
    local bin dir
    bin=$(pg_bin)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/esk-pg.XXXXXX")
    chmod 755 "$dir"
    # The server's user may not be allowed into the caller's folder.
    cd "$dir"
    if ((EUID == 0)); then
        chown "${ESK_PG_USER:-nobody}" "$dir"
    fi
    as_server "$bin/initdb" -D "$dir/data" -U esk --auth=trust \
        --no-sync --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        return 1
    }
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c full_page_writes=off -c max_connections=40" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        return 1
    }
    echo "host=$dir user=esk dbname=postgres"
}

stop()
{
    local conninfo=${1:-${ESK_TEST_PG:-}} bin dir
    dir=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$conninfo")
    if [[ -z $dir || ! -d $dir/data ]]; then
        echo "cluster.sh stop: give the conninfo that start printed" >&2
        return 1
    fi
    bin=$(pg_bin)
    cd "$dir"
    as_server "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    cd /
    rm -rf "$dir"
}

case ${1:-} in
start) start ;;
stop) stop "${2:-}" ;;
*)
    echo "usage: $0 start | stop CONNINFO" >&2
    exit 2
    ;;
esac
