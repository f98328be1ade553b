#!/usr/bin/env bash
# pg_tmp.sh: a throwaway PostgreSQL server for development and shell-driven
# tests (the C tests use tests/support/pg_proc.c, which does the same).
#
#   tests/support/pg_tmp.sh start DIR   initdb into DIR/data, start on a free
#                                       loopback port; prints the store URL
#   tests/support/pg_tmp.sh url DIR     prints it again
#   tests/support/pg_tmp.sh stop DIR    fast shutdown, then rm -rf DIR
#   tests/support/pg_tmp.sh run CMD...  start one in a temp dir, run CMD with
#                                       HK_TEST_PG_URL set to its URL, stop it;
#                                       exits with CMD's status (77: no server)
#
# DIR must not exist yet (start) and should be short (the unix socket lives
# in it). As root the server runs as "nobody" (PostgreSQL refuses root).
# Needs Debian's postgresql package; HK_PG_BINDIR overrides the bin dir.
set -euo pipefail

die() { printf 'pg_tmp: %s\n' "$*" >&2; exit 1; }

bindir() {
    if [ -n "${HK_PG_BINDIR:-}" ]; then echo "$HK_PG_BINDIR"; return; fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$d" ] || die "no PostgreSQL server: apt-get install postgresql"
    echo "$d"
}

as_owner() { # run a command as the server's user
    if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

if [ "${1:-}" = run ]; then
    shift
    [ $# -ge 1 ] || die "usage: pg_tmp.sh run CMD [ARGS...]"
    ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || [ -n "${HK_PG_BINDIR:-}" ] || {
        echo "skip: no PostgreSQL server (apt-get install postgresql)"
        exit 77
    }
    tmp="$(mktemp -d /tmp/hk-pgrun-XXXXXX)"
    rmdir "$tmp" # start makes it
    trap '"$0" stop "$tmp" >/dev/null 2>&1 || true' EXIT
    url="$("$0" start "$tmp")"
    rc=0
    HK_TEST_PG_URL="$url" "$@" || rc=$?
    exit "$rc"
fi
[ $# -eq 2 ] || die "usage: pg_tmp.sh start|url|stop DIR"
cmd="$1"
dir="$2"
bin="$(bindir)"

case "$cmd" in
start)
    [ ! -e "$dir" ] || die "$dir exists"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    pw="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s' "$pw" >"$dir/pwfile"
    chmod 600 "$dir/pwfile"
    [ "$(id -u)" -ne 0 ] || chown -R nobody:nogroup "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U hk --pwfile="$dir/pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 ||
        die "initdb failed: see $dir/initdb.log"
    rm -f "$dir/pwfile"
    port="$(free_port)"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null ||
        die "postgres did not start: see $dir/postgres.log"
    printf 'postgresql://hk:%s@127.0.0.1:%s/postgres\n' "$pw" "$port" >"$dir/url"
    [ "$(id -u)" -ne 0 ] || chown nobody:nogroup "$dir/url"
    chmod 600 "$dir/url"
    cat "$dir/url"
    ;;
url)
    cat "$dir/url"
    ;;
stop)
    [ -d "$dir/data" ] || die "$dir: no server here"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
*)
    die "usage: pg_tmp.sh start|url|stop DIR | run CMD..."
    ;;
esac
