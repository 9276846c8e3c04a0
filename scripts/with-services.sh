#!/usr/bin/env bash
# Runs CMD with a throwaway PostgreSQL and a throwaway Redis, then stops them:
#   scripts/with-services.sh CMD [ARGS...]
# Both servers listen on 127.0.0.1 on free ports picked at random (never 5432/6379, so servers a
# developer already runs are left alone) and keep all their files in one temporary directory, which
# is removed on exit (also on failure and Ctrl-C). CMD sees:
#   IAM_TEST_PG_URL=postgresql://postgres@127.0.0.1:PORT/postgres
#   IAM_TEST_REDIS_URL=redis://127.0.0.1:PORT/0
#   IAM_TEST_REQUIRE_SERVICES=1
# and the script exits with CMD's status. Servers left behind by a run that was killed (SIGKILL) are
# stopped, and their directories removed, by the next run.
# As root, PostgreSQL runs as the `postgres` user (it refuses root); otherwise as the current user.
set -euo pipefail

# Messages go to fd 9, a copy of the original stderr: a trap may run while a command's stderr is
# redirected to a log file, and its messages must still reach the user.
exec 9>&2
log() { echo "with-services: $*" >&9; }
die() { log "error: $*"; exit 1; }

[[ $# -gt 0 ]] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

# --- tools -------------------------------------------------------------------------------------
PGBIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1 || true)
[[ -n $PGBIN && -x $PGBIN/initdb && -x $PGBIN/pg_ctl ]] \
  || die "PostgreSQL server not found under /usr/lib/postgresql/*/bin; run scripts/install-deps.sh"
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  die "redis-server/redis-cli not found; run scripts/install-deps.sh"
fi

if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || die "user 'postgres' missing (it comes with the postgresql package)"
  BASE=/tmp # the postgres user must be able to reach the directory; $TMPDIR might be under /root
else
  BASE=${TMPDIR:-/tmp}
fi

# Runs a PostgreSQL program (as `postgres` when root) from a directory it can read, in a locale
# that exists whatever LANG the caller has.
as_pg() {
  local dir=$1
  shift
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$dir" && runuser -u postgres -- env LC_ALL=C.UTF-8 LANG=C.UTF-8 "$@")
  else
    (cd "$dir" && env LC_ALL=C.UTF-8 LANG=C.UTF-8 "$@")
  fi
}

# Like as_pg, but replaces the current (background) subshell with the program, so that `$!` is the
# program's own pid. For the server: runuser would stay around as its parent and, when signalled,
# SIGKILL it 2 s later; setpriv just switches user and execs.
exec_as_pg() {
  local dir=$1
  shift
  cd "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    exec setpriv --reuid=postgres --regid=postgres --init-groups -- \
      env LC_ALL=C.UTF-8 LANG=C.UTF-8 "$@"
  fi
  exec env LC_ALL=C.UTF-8 LANG=C.UTF-8 "$@"
}

# --- stopping (used for our own servers and for ones a killed run left behind) ------------------
# True when process $1 is alive and its command line contains $2.
proc_matches() {
  [[ $1 =~ ^[0-9]+$ && -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}

# True when process $1 exists and is not a zombie (an exited child of ours stays a zombie until
# `wait`ed for).
alive() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [[ ${st%% *} != Z ]]
}

# Waits up to $2 tenths of a second for process $1 to exit.
wait_gone() {
  local i
  for ((i = 0; i < $2; i++)); do alive "$1" || return 0; sleep 0.1; done
  return 1
}

# Stops process $1: waits $2 tenths of a second, then SIGTERM, then SIGKILL.
stop_pid() {
  wait_gone "$1" "$2" || kill -TERM "$1" 2>/dev/null || true
  wait_gone "$1" 50 || kill -KILL "$1" 2>/dev/null || true
  wait_gone "$1" 20 || true
}

stop_postgres_in() {
  local dir=$1 pid
  [[ -f $dir/pg/postmaster.pid ]] || return 0
  pid=$(head -n1 "$dir/pg/postmaster.pid" 2>/dev/null || true)
  # The script's own server is also stopped this way (pg_ctl sends SIGINT, a fast shutdown).
  as_pg "$dir" "$PGBIN/pg_ctl" stop -D "$dir/pg" -m fast -w -t 15 >/dev/null 2>&1 \
    || as_pg "$dir" "$PGBIN/pg_ctl" stop -D "$dir/pg" -m immediate -w -t 10 >/dev/null 2>&1 \
    || { proc_matches "$pid" "$dir/pg" && kill -KILL "$pid" 2>/dev/null; } || true
}

# For a killed run's leftovers, whose port may have been reused since: signals the pid from the
# pidfile, but only if it still is a redis-server on that directory's port.
stop_stale_redis_in() {
  local dir=$1 pid port
  pid=$(cat "$dir/redis.pid" 2>/dev/null || true)
  port=$(cat "$dir/redis.port" 2>/dev/null || true)
  if [[ -n $pid && -n $port ]] && proc_matches "$pid" "redis-server" && proc_matches "$pid" ":$port"; then
    stop_pid "$pid" 0
  fi
}

# Stops and removes the directories of runs whose owning script no longer exists.
reap_stale() {
  local d owner
  for d in "$BASE"/iam-services.*; do
    [[ -d $d ]] || continue
    owner=$(cat "$d/owner.pid" 2>/dev/null || true)
    if [[ -z $owner ]]; then
      # No owner recorded: created moments ago by a concurrent run, or by one killed right after
      # mktemp (no servers yet). Only remove it once it is clearly old.
      [[ -n $(find "$d" -maxdepth 0 -mmin +5 2>/dev/null) ]] || continue
    elif proc_matches "$owner" "with-services"; then
      continue # still running
    fi
    log "cleaning up after a killed run ($d)"
    stop_postgres_in "$d"
    stop_stale_redis_in "$d"
    rm -rf "$d" 2>/dev/null || true
  done
}

# --- ports ---------------------------------------------------------------------------------------
# True when something accepts TCP connections on 127.0.0.1:$1 (or ss lists a listener on it).
port_in_use() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
  if command -v ss >/dev/null && [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]; then return 0; fi
  return 1
}

# Sets PORT to a free port in 20000-31999 (below Linux's ephemeral range) other than those in $@.
pick_port() {
  local p i
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    [[ " $* " == *" $p "* ]] && continue
    port_in_use "$p" && continue
    PORT=$p
    return 0
  done
  die "no free TCP port found"
}

# --- lifecycle ----------------------------------------------------------------------------------
# Both servers run in the foreground as background jobs of this script (not daemonized), so this
# script reaps them itself: nothing is left to init, which in some containers never reaps zombies.
TMP=""
PG_PORT=""
REDIS_PORT=""
PG_JOB=""
REDIS_JOB=""
REDIS_UP=0

# shellcheck disable=SC2317 # (invoked from the traps)
cleanup() {
  trap '' INT TERM HUP # a second Ctrl-C must not interrupt the cleanup
  [[ -n $TMP && -d $TMP ]] || return 0
  # Silent on purpose: the command's own summary (CTest's) stays the last line of the output.
  if [[ -n $PG_JOB ]]; then
    # Possibly interrupted while the server was starting: give it a moment to write its pid file.
    local i
    for ((i = 0; i < 50; i++)); do
      { [[ -f $TMP/pg/postmaster.pid ]] || ! alive "$PG_JOB"; } && break
      sleep 0.1
    done
  fi
  stop_postgres_in "$TMP"
  if [[ -n $PG_JOB ]]; then
    stop_pid "$PG_JOB" 0
    wait "$PG_JOB" 2>/dev/null || true
  fi
  if [[ -n $REDIS_JOB ]]; then
    # Only when it answered as ours: the port might belong to someone else's server.
    if [[ $REDIS_UP -eq 1 ]]; then
      redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    stop_pid "$REDIS_JOB" 30
    wait "$REDIS_JOB" 2>/dev/null || true
  fi
  rm -rf "$TMP" 2>/dev/null || true
}
# shellcheck disable=SC2317
on_exit() {
  local status=$?
  cleanup
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

reap_stale

TMP=$(mktemp -d "$BASE/iam-services.XXXXXX")
echo "$$" >"$TMP/owner.pid"
if [[ $(id -u) -eq 0 ]]; then chown postgres: "$TMP"; fi

# PostgreSQL
log "starting postgres $(basename "$(dirname "$PGBIN")")"
as_pg "$TMP" "$PGBIN/initdb" -D "$TMP/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
  >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&9; die "initdb failed"; }
started=0
for attempt in 1 2 3; do # retried in case another process takes the port between check and bind
  pick_port
  PG_PORT=$PORT
  exec_as_pg "$TMP" "$PGBIN/postgres" -D "$TMP/pg" -p "$PG_PORT" -k "$TMP" \
    -c listen_addresses=127.0.0.1 -c fsync=off </dev/null >>"$TMP/pg.log" 2>&1 9>&- &
  PG_JOB=$!
  for ((i = 0; i < 600; i++)); do
    # Ready on our own socket directory first: proves the server answering on the port is ours
    # (postgres exits when it cannot bind the TCP port, before creating its socket).
    if alive "$PG_JOB" &&
      "$PGBIN/pg_isready" -q -h "$TMP" -p "$PG_PORT" -U postgres -d postgres &&
      "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; then
      started=1
      break
    fi
    alive "$PG_JOB" || break # exited, e.g. could not bind the port
    sleep 0.1
  done
  [[ $started -eq 1 ]] && break
  stop_postgres_in "$TMP"
  wait "$PG_JOB" 2>/dev/null || true
  PG_JOB=""
  log "postgres did not start on port $PG_PORT (attempt $attempt)"
done
[[ $started -eq 1 ]] || { tail -n 20 "$TMP/pg.log" >&9 || true; die "postgres did not start"; }
echo "$PG_PORT" >"$TMP/pg.port"
log "postgres ready on 127.0.0.1:$PG_PORT"

# Redis
log "starting redis"
started=0
for attempt in 1 2 3; do
  pick_port "$PG_PORT"
  REDIS_PORT=$PORT
  echo "$REDIS_PORT" >"$TMP/redis.port"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$TMP" --pidfile "$TMP/redis.pid" --logfile "$TMP/redis.log" </dev/null >/dev/null 2>&1 9>&- &
  REDIS_JOB=$!
  for ((i = 0; i < 300; i++)); do
    # The server answering must be ours, not one that took the port first.
    if [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG &&
      $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" info server 2>/dev/null) == *$'\n'"process_id:$REDIS_JOB"$'\r'* ]]; then
      started=1
      break
    fi
    alive "$REDIS_JOB" || break # exited, e.g. could not bind the port
    sleep 0.1
  done
  [[ $started -eq 1 ]] && break
  stop_pid "$REDIS_JOB" 0
  wait "$REDIS_JOB" 2>/dev/null || true
  REDIS_JOB=""
REDIS_UP=0
  log "redis did not start on port $REDIS_PORT (attempt $attempt)"
done
[[ $started -eq 1 ]] || { tail -n 20 "$TMP/redis.log" >&9 || true; die "redis did not start"; }
REDIS_UP=1
log "redis ready on 127.0.0.1:$REDIS_PORT"

export IAM_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
export IAM_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export IAM_TEST_REQUIRE_SERVICES=1

set +e
"$@" 9>&-
status=$?
set -e
exit "$status"
