#!/usr/bin/env bash
# Start a private PostgreSQL server for the storage tests and write its URL to var/ci-postgres.env
# (CC112_TEST_POSTGRES_URL=postgresql+asyncpg://...). Idempotent: a server left running by an
# earlier run is reused; a stale or broken cluster is repaired or recreated.
#
#   bash .ci/postgres.sh          # install (Debian, as root) if missing, init, start, create the database
#   bash .ci/postgres.sh stop     # stop the server
#
# The cluster lives in var/ci-postgres/ and listens on 127.0.0.1 only, on a free port, with trust
# authentication for its own user `cc112` (loopback, throw-away data: never use this for production).
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT="$PWD/var/ci-postgres"
DATA="$ROOT/data"
RUN="$ROOT/run"
LOG="$ROOT/server.log"
ENV_FILE="$PWD/var/ci-postgres.env"
DB_USER=cc112
DB_NAME=cc112_test

say() { echo "ci-postgres: $*" >&2; }

find_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then
        echo "$dir"
    fi
}

install_postgres() {
    if [[ $(id -u) -ne 0 ]]; then
        say "PostgreSQL is not installed and this is not root: install the Debian package 'postgresql'"
        exit 1
    fi
    say "installing PostgreSQL (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

# Run a command as the server's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

running_port() {
    # The port of a server on this cluster that answers, if any (line 4 of postmaster.pid).
    # A killed server can leave a lock file whose process is gone or a zombie: wait a little,
    # then stop whatever is left so that start_server can begin afresh.
    local port tries
    for tries in 1 2 3 4 5 6 7 8 9 10; do
        as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 || return 0
        port=$(sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true)
        if [[ -n "$port" ]] && "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; then
            echo "$port"
            return 0
        fi
        sleep 0.5
    done
    say "a server is registered on $DATA but does not answer: stopping it"
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
}

init_cluster() {
    say "creating a cluster in $DATA"
    rm -rf "$DATA"
    mkdir -p "$DATA" "$RUN"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres:postgres "$ROOT"
    fi
    chmod 700 "$DATA"
    as_owner "$PGBIN/initdb" -D "$DATA" -U "$DB_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
        || as_owner "$PGBIN/initdb" -D "$DATA" -U "$DB_USER" --auth=trust -E UTF8 --locale=C >/dev/null
}

start_server() {
    local port
    port=$(free_port)
    rm -f "$DATA/postmaster.pid"  # only reached when no server answers: a stale lock file
    say "starting the server on 127.0.0.1:$port"
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
        -o "-p $port -k $RUN -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=100" >/dev/null || return 1
    echo "$port"
}

stop_server() {
    if [[ -n "${PGBIN:-}" && -f "$DATA/PG_VERSION" ]]; then
        as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -f "$ENV_FILE"
    say "stopped"
}

PGBIN=$(find_bin)
if [[ "${1:-start}" == "stop" ]]; then
    stop_server
    exit 0
fi
if [[ -z "$PGBIN" ]]; then
    install_postgres
    PGBIN=$(find_bin)
    [[ -n "$PGBIN" ]] || { say "initdb not found after installing postgresql"; exit 1; }
fi

mkdir -p "$ROOT" "$RUN"
if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$ROOT" "$RUN"
    if ! runuser -u postgres -- test -w "$ROOT"; then
        say "the postgres user cannot reach $ROOT (a parent directory is not searchable)"
        exit 1
    fi
fi

PORT=$(running_port || true)
if [[ -z "$PORT" ]]; then
    if [[ ! -f "$DATA/PG_VERSION" ]] || [[ "$(cat "$DATA/PG_VERSION")" != "$(basename "$(dirname "$PGBIN")")" ]]; then
        init_cluster
    fi
    if ! PORT=$(start_server); then
        say "the server did not start; recreating the cluster (log: $LOG)"
        tail -n 20 "$LOG" >&2 || true
        init_cluster
        PORT=$(start_server)
    fi
else
    say "reusing the server already running on 127.0.0.1:$PORT"
fi

if ! "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$DB_USER" "$DB_NAME"
fi

mkdir -p "$(dirname "$ENV_FILE")"
echo "CC112_TEST_POSTGRES_URL=postgresql+asyncpg://$DB_USER@127.0.0.1:$PORT/$DB_NAME" >"$ENV_FILE"
say "ready: $(cat "$ENV_FILE")"
