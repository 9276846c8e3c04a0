#!/usr/bin/env bash
# Starts a throwaway Redis Cluster on loopback for benchmarks (bench/multi.sh against a cluster):
# 3 masters + 3 replicas on free ports, files in DIR, formed with `redis-cli --cluster create`.
#   bench/redis_cluster.sh start DIR     prints REDIS_CLUSTER_NODES=host:port,... on stdout
#   bench/redis_cluster.sh stop DIR      shuts every node down and removes DIR
# e.g.  eval "$(bench/redis_cluster.sh start /tmp/iam-bench-cluster)"; export REDIS_CLUSTER_NODES
#       bench/multi.sh; bench/redis_cluster.sh stop /tmp/iam-bench-cluster
# (tests use the C++ harness tests/support/redis_cluster.* instead).
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[[ -n $cmd && -n $dir ]] || { sed -n '2,9p' "$0" >&2; exit 2; }
# A free port whose cluster bus port (+10000) is free and valid too.
free_port() {
  python3 - <<'PY'
import random, socket
while True:
    p = random.randint(20000, 50000)
    try:
        for q in (p, p + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError:
        pass
PY
}
case $cmd in
  start)
    mkdir -p "$dir"
    ports=()
    for i in 1 2 3 4 5 6; do
      p=$(free_port); ports+=("$p")
      mkdir -p "$dir/$p"
      redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$dir/$p/nodes.conf" \
        --cluster-node-timeout 2000 --repl-diskless-sync-delay 0 --save '' --appendonly no --dir "$dir/$p" \
        --daemonize yes --pidfile "$dir/$p/redis.pid" --logfile "$dir/$p/redis.log" >/dev/null
    done
    for p in "${ports[@]}"; do
      for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
    done
    printf '%s\n' "${ports[@]}" >"$dir/ports"
    redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 1 --cluster-yes \
      >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; exit 1; }
    for p in "${ports[@]}"; do
      for _ in $(seq 100); do
        redis-cli -p "$p" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && break; sleep 0.1
      done
    done
    echo "REDIS_CLUSTER_NODES=$(printf '127.0.0.1:%s,' "${ports[@]:0:3}" | sed 's/,$//')"
    ;;
  stop)
    [[ -f $dir/ports ]] && while read -r p; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done <"$dir/ports"
    rm -rf "$dir"
    ;;
  *) sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
