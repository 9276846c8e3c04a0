#!/usr/bin/env python3
"""Two `iam serve` instances behind nginx, on loopback, with deploy/nginx/iam.conf (docs/deploy.md).

    nginx_test.py --iam PATH/iam --conf deploy/nginx/iam.conf

Needs IAM_TEST_PG_URL and IAM_TEST_REDIS_URL (scripts/with-services.sh sets them); the instances
use REDIS_CLUSTER_NODES instead when that is set in the environment. Creates a fresh PostgreSQL
database, runs `iam migrate` once and `iam seed` (2 small tenants), starts 2 instances on free
ports sharing the database, Redis and JWT secret, renders the deploy config (only the `server`
lines of `upstream iam`, `listen` and the access log path change) into a private nginx
(`nginx -p TMP -c TMP/nginx.conf`, `daemon off`, pid, logs and temp files in TMP) and checks:

  1. a login through nginx works (and the session works through either instance); with
     TRUSTED_PROXIES=127.0.0.1 the per-IP login limit tells clients apart (clients on distinct
     loopback addresses, 127.0.0.2 and 127.0.0.3);
  2. sequential requests alternate between the instances (nginx's access log names the instance
     of every request id; each instance's /metrics KPI request counter agrees);
  3. read-your-writes across instances: after a movement written through nginx, the next KPI reads
     through nginx (which land on both instances) reflect it: at once on the instance that wrote,
     and on the other within its crossInstanceBoundMs of the acknowledgement (docs/caching.md);
  4. writes are never replayed: a POST or DELETE whose instance dies mid-request is answered 502 by nginx
     and reaches no other instance (a fake upstream that reads the request and hangs up), while a
     GET in the same situation is retried on the live instance;
  5. with one instance SIGKILLed, GETs through nginx keep succeeding.

Exit 77 (skip) only when nginx is not installed and IAM_TEST_REQUIRE_SERVICES is unset.
"""
import argparse
import http.client as http_client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "nginx"))
from render_conf import render  # noqa: E402  (deploy/nginx/render_conf.py)

SKIP = 77
REQUIRED = bool(os.environ.get("IAM_TEST_REQUIRE_SERVICES"))
failures = []


def log(msg):
    print(f"[deploy] {msg}", flush=True)


def check(cond, what):
    log(("ok:   " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)
    return cond


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(port, method, path, body=None, token=None, headers=None, timeout=30):
    """One request on a fresh connection: (status, headers, parsed JSON or raw text)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, hdrs, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return status, hdrs, parsed


def login_from(source_ip, port, email, password, forwarded_for=None):
    """POST /auth/login to 127.0.0.1:port from the loopback address `source_ip` (all of 127.0.0.0/8
    is loopback on Linux, so clients with distinct addresses can be had on one machine)."""
    conn = http_client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source_ip, 0))
    headers = {"Content-Type": "application/json"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    try:
        conn.request("POST", "/auth/login", json.dumps({"email": email, "password": password}), headers)
        return conn.getresponse().status
    finally:
        conn.close()


def find_number(obj, key):
    """The first value of `key` anywhere in a JSON document."""
    if isinstance(obj, dict):
        if key in obj and isinstance(obj[key], (int, float)):
            return obj[key]
        for v in obj.values():
            r = find_number(v, key)
            if r is not None:
                return r
    elif isinstance(obj, list):
        for v in obj:
            r = find_number(v, key)
            if r is not None:
                return r
    return None


class Stack:
    def __init__(self, args):
        self.iam = args.iam
        self.conf = args.conf
        self.tmp = tempfile.mkdtemp(prefix="iam-deploy-test.")
        os.chmod(self.tmp, 0o755)  # nginx workers run as nobody under root
        self.procs = {}
        self.db_name = None
        self.pg_admin = os.environ["IAM_TEST_PG_URL"]
        self.secret = "deploy-test-" + os.urandom(16).hex()
        cluster = os.environ.get("REDIS_CLUSTER_NODES", "")
        self.redis = [f"REDIS_CLUSTER_NODES={cluster}"] if cluster else [
            f"REDIS_URL={os.environ.get('REDIS_URL') or os.environ['IAM_TEST_REDIS_URL']}"]
        self.ports = {}

    def psql(self, sql):
        subprocess.run(["psql", "-qAt", self.pg_admin, "-c", sql], check=True, capture_output=True,
                       env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"})

    def database(self):
        self.db_name = f"iam_deploy_{os.getpid()}_{random.randrange(1 << 30)}"
        self.psql(f"CREATE DATABASE {self.db_name}")
        self.db_url = self.pg_admin.rsplit("/", 1)[0] + "/" + self.db_name
        base = [self.iam, "--database-url", self.db_url, "--log-level", "warn"]
        # Migrations run once, before any instance starts (`iam serve` refuses a database with
        # pending migrations); concurrent `migrate` runs would also be safe (advisory lock).
        subprocess.run(base + ["migrate"], check=True, capture_output=True, timeout=120)
        subprocess.run(base + ["seed", "--tenants", "2", "--products", "5", "--movements", "20", "--days", "30"],
                       check=True, capture_output=True, timeout=300)

    def start_instance(self, name):
        for _ in range(3):
            port = free_port()
            logf = open(os.path.join(self.tmp, f"{name}.log"), "w")
            cmd = [self.iam, "--database-url", self.db_url, "--host", "127.0.0.1", "--port", str(port),
                   "--log-level", "info", "-s", f"JWT_SECRET={self.secret}",
                   # nginx reaches the instances from 127.0.0.1: its X-Forwarded-For names the client.
                   "-s", "TRUSTED_PROXIES=127.0.0.1"]
            for r in self.redis:
                cmd += ["-s", r]
            p = subprocess.Popen(cmd + ["serve"], stdout=logf, stderr=subprocess.STDOUT)
            deadline = time.time() + 60
            while time.time() < deadline and p.poll() is None:
                try:
                    if http(port, "GET", "/health", timeout=2)[0] == 200:
                        self.procs[name], self.ports[name] = p, port
                        return port
                except OSError:
                    pass
                time.sleep(0.1)
            if p.poll() is None:
                p.kill()
            p.wait()
        raise SystemExit(f"instance {name} did not start; log:\n" + open(os.path.join(self.tmp, f"{name}.log")).read())

    def start_nginx(self, upstream_ports, name="nginx"):
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        for _ in range(3):
            port = free_port()
            access = os.path.join(d, "iam.access.log")
            with open(self.conf) as f:
                site = render(f.read(), upstream_ports, port, access)
            with open(os.path.join(d, "iam.conf"), "w") as f:
                f.write(site)
            user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
            temp = "\n".join(f"    {k}_temp_path {d}/{k}_temp;" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            with open(os.path.join(d, "nginx.conf"), "w") as f:
                f.write(f"""{user}worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log notice;
events {{ worker_connections 1024; }}
http {{
{temp}
    access_log {d}/other.access.log;
    include {d}/iam.conf;
}}
""")
            out = open(os.path.join(d, "stdout.log"), "w")
            p = subprocess.Popen(["nginx", "-p", d, "-c", os.path.join(d, "nginx.conf"), "-e", f"{d}/error.log"],
                                 stdout=out, stderr=subprocess.STDOUT)
            deadline = time.time() + 20
            while time.time() < deadline and p.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        self.procs[name], self.ports[name] = p, port
                        return port, access
                except OSError:
                    time.sleep(0.1)
            if p.poll() is None:
                p.kill()
            p.wait()
        err = open(os.path.join(d, "error.log")).read() if os.path.exists(os.path.join(d, "error.log")) else ""
        raise SystemExit("nginx did not start:\n" + err + open(os.path.join(d, "stdout.log")).read())

    def stop(self, name, sig=signal.SIGTERM):
        p = self.procs.pop(name, None)
        if p and p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def close(self, failed):
        for name in list(self.procs):
            self.stop(name, signal.SIGQUIT if name.startswith("nginx") else signal.SIGTERM)
        if self.db_name:
            try:
                self.psql(f"DROP DATABASE IF EXISTS {self.db_name}")
            except subprocess.CalledProcessError:
                pass
        if failed:
            for root, _, files in os.walk(self.tmp):
                for fn in sorted(files):
                    if fn.endswith(".log"):
                        path = os.path.join(root, fn)
                        lines = open(path, errors="replace").read().splitlines()
                        print(f"--- {path} (last 15 of {len(lines)} lines)")
                        print("\n".join(lines[-15:]))
        shutil.rmtree(self.tmp, ignore_errors=True)


def nginx_line(access_log, needle):
    """(request id, upstream address(es) — "a:1, b:2" after a retry —, status) of the access-log line
    of nginx that contains `needle`."""
    for _ in range(250):  # nginx may log a moment after the client has the answer
        with open(access_log) as f:
            for line in f:
                if needle in line:
                    m = re.search(r'" (\d+) .*rid=(\S+) upstream=(.*?) upstream_status=', line)
                    return m.group(2), m.group(3), int(m.group(1))
        time.sleep(0.02)
    return None, None, None


def upstream_of(access_log, rid):
    """The upstream address(es) nginx logged for request id `rid`."""
    return nginx_line(access_log, f"rid={rid} ")[1]


def kpi_requests(port):
    """KPI cache requests counted by one instance (iam_cache_requests_total{category="kpis"})."""
    s, _, text = http(port, "GET", "/metrics")
    assert s == 200, f"/metrics: {s}"
    total = 0
    for line in text.splitlines():
        if line.startswith('iam_cache_requests_total{category="kpis"'):
            total += int(float(line.split()[-1]))
    return total


class FakeUpstream(threading.Thread):
    """Accepts connections, reads one request head (and its Content-Length body), records the
    request id and hangs up without answering: to nginx, an instance that died mid-request."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.seen = []
        self.running = True

    def run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    continue
                head = data.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
                if not head:
                    continue
                rid = re.search(r"(?im)^x-request-id:\s*(\S+)", head)
                self.seen.append((head.split(" ", 1)[0], rid.group(1) if rid else None))

    def close(self):
        self.running = False
        self.sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iam", required=True)
    ap.add_argument("--conf", required=True)
    args = ap.parse_args()

    if shutil.which("nginx") is None:
        if REQUIRED:
            print("FAIL: nginx is not installed (scripts/install-deps.sh installs it)")
            return 1
        print("SKIP: nginx is not installed (scripts/install-deps.sh installs it)")
        return SKIP
    if not os.environ.get("IAM_TEST_PG_URL") or not (os.environ.get("IAM_TEST_REDIS_URL") or
                                                     os.environ.get("REDIS_URL") or
                                                     os.environ.get("REDIS_CLUSTER_NODES")):
        if REQUIRED:
            print("FAIL: IAM_TEST_PG_URL / IAM_TEST_REDIS_URL not set")
            return 1
        print("SKIP: no PostgreSQL/Redis (run under scripts/with-services.sh)")
        return SKIP
    for tool in ("psql",):
        if shutil.which(tool) is None:
            print(f"FAIL: {tool} not found")
            return 1

    stack = Stack(args)
    try:
        stack.database()
        a = stack.start_instance("a")
        b = stack.start_instance("b")
        addr = {f"127.0.0.1:{a}": "a", f"127.0.0.1:{b}": "b"}
        ngx, access = stack.start_nginx([a, b])
        log(f"instances a=:{a} b=:{b}, nginx :{ngx}")

        # 1. Login through nginx; the token works whichever instance serves.
        s, h, body = http(ngx, "POST", "/auth/login", {"email": "admin@demo.iam", "password": "demo12345"})
        check(s == 200 and isinstance(body, dict) and body.get("token"), f"login through nginx: {s}")
        token = body["token"]
        via = upstream_of(access, h.get("X-Request-Id"))
        check(via in addr, f"the login was answered by one instance ({via}), never retried")

        # 1b. The per-IP login limit tells clients apart through nginx (TRUSTED_PROXIES=127.0.0.1):
        # client 127.0.0.2 fails 5 logins (unknown emails, so no per-email limit plays a part; it
        # also forges an X-Forwarded-For, to which nginx appends 127.0.0.2) and is then refused even
        # the right password; client 127.0.0.3 through the same nginx still logs in.
        fails = [login_from("127.0.0.2", ngx, f"nobody{i}-{os.getpid()}@demo.iam", "wrong-password",
                            forwarded_for="198.51.100.77") for i in range(5)]
        check(fails == [401] * 5, f"5 failed logins from client 127.0.0.2 through nginx: {fails}")
        blocked = login_from("127.0.0.2", ngx, "admin@demo.iam", "demo12345", forwarded_for="198.51.100.78")
        check(blocked == 429, f"client 127.0.0.2 is then limited, whatever X-Forwarded-For it sends: {blocked}")
        other = login_from("127.0.0.3", ngx, "admin@demo.iam", "demo12345")
        check(other == 200, f"client 127.0.0.3 through the same nginx is not: {other}")
        seen = False
        for _ in range(250):  # the instance may write its log line a moment after answering
            logs = "".join(open(os.path.join(stack.tmp, f"{n}.log"), errors="replace").read() for n in ("a", "b"))
            if "ip=127.0.0.3 via=127.0.0.1" in logs:
                seen = True
                break
            time.sleep(0.02)
        check(seen, "the instances' access log names the client and the proxy (ip=127.0.0.3 via=127.0.0.1)")

        # 2. Round robin: sequential KPI reads alternate between the instances.
        k0 = {n: kpi_requests(stack.ports[n]) for n in ("a", "b")}
        seq = []
        n_reads = 20
        for _ in range(n_reads):
            s, h, _ = http(ngx, "GET", "/dashboard-cqrs/kpis", token=token)
            check(s == 200, f"KPI read through nginx: {s}") if s != 200 else None
            seq.append(addr.get(upstream_of(access, h.get("X-Request-Id")), "?"))
        k1 = {n: kpi_requests(stack.ports[n]) for n in ("a", "b")}
        log("instances of 20 sequential reads: " + "".join(seq))
        check(all(seq[i] != seq[i + 1] for i in range(len(seq) - 1)) and "?" not in seq,
              "sequential reads alternate a/b (nginx access log)")
        check(k1["a"] - k0["a"] == n_reads // 2 and k1["b"] - k0["b"] == n_reads // 2,
              f"each instance's /metrics counted half of them: a {k1['a'] - k0['a']}, b {k1['b'] - k0['b']}")

        # 3. Read-your-writes across instances.
        bounds = {}
        for n in ("a", "b"):
            s, _, st = http(stack.ports[n], "GET", "/auth/admin/cache-stats", token=token)
            bounds[n] = find_number(st, "crossInstanceBoundMs") if s == 200 else None
        check(bounds["a"] == bounds["b"] and bounds["a"] and bounds["a"] > 0,
              f"both instances state the same crossInstanceBoundMs ({bounds})")
        bound_s = (bounds["a"] or 0) / 1000.0
        s, _, prods = http(ngx, "GET", "/productos?limit=5", token=token)
        items = prods if isinstance(prods, list) else next((v for v in (prods or {}).values() if isinstance(v, list)), [])
        check(s == 200 and items and "id" in items[0], f"products listed through nginx ({s})")
        pid = items[0]["id"]
        fresh_same, stale_other, fresh_other, late = 0, [], 0, []
        rounds = 10
        for i in range(rounds):
            # Both instances hold the tenant's KPIs in L1 before the write.
            before = None
            for _ in range(2):
                s, _, k = http(ngx, "GET", "/dashboard-cqrs/kpis", token=token)
                before = find_number(k, "movimientosUltimoMes")
            s, h, _ = http(ngx, "POST", "/movimientos",
                           {"tipo": "ENTRADA", "cantidad": 1, "productoId": pid, "motivo": f"deploy test {i}"},
                           token=token, headers={"Idempotency-Key": f"deploy-{os.getpid()}-{i}"})
            acked = time.monotonic()
            if not check(s == 201, f"movement {i} written through nginx: {s}"):
                continue
            writer = addr.get(upstream_of(access, h.get("X-Request-Id")))
            # The next two reads through nginx land on both instances (round robin).
            for _ in range(2):
                started = time.monotonic()
                s, h, k = http(ngx, "GET", "/dashboard-cqrs/kpis", token=token)
                reader = addr.get(upstream_of(access, h.get("X-Request-Id")))
                now = find_number(k, "movimientosUltimoMes")
                if reader == writer:
                    ok = now == before + 1
                    fresh_same += ok
                    check(ok, f"round {i}: the writing instance {writer} shows its own write at once") if not ok else None
                    continue
                if now == before + 1:
                    fresh_other += 1
                    continue
                # Stale on the other instance: allowed only within the bound of the acknowledgement.
                while now != before + 1 and time.monotonic() - acked < bound_s + 1:
                    time.sleep(0.005)
                    probe_started = time.monotonic()
                    s, _, k = http(stack.ports[reader], "GET", "/dashboard-cqrs/kpis", token=token)
                    now = find_number(k, "movimientosUltimoMes")
                    if now != before + 1 and probe_started - acked > bound_s:
                        late.append((probe_started - acked) * 1000)
                        break
                stale_other.append(((started - acked) * 1000, (time.monotonic() - acked) * 1000))
        check(fresh_same == rounds, f"read-your-writes on the writing instance: {fresh_same}/{rounds} fresh at once")
        log(f"reads on the other instance right after the write: {fresh_other} fresh, {len(stale_other)} stale"
            + (" (read started / fresh there again, ms after the ack: "
               + ", ".join(f"{x:.1f}/{y:.1f}" for x, y in stale_other) + ")" if stale_other else ""))
        check(not late, f"no read on the other instance stale beyond crossInstanceBoundMs = {bounds['a']} ms "
                        f"after the acknowledgement ({len(late)} were)")

        # 4. Writes are never replayed; reads are retried. A private nginx with the fake first, one
        # for the POSTs and a fresh one for the GETs (failed attempts of either kind count towards
        # max_fails, after which nginx stops sending anything to the fake for fail_timeout).
        fake = FakeUpstream()
        fake.start()
        ngx2, access2 = stack.start_nginx([fake.port, a], name="nginx-fake-post")
        # A DELETE of a movement that does not exist and a POST (IAM: 404 and 401), alternately:
        # nginx itself would resend a DELETE (it deems it idempotent); the config must not.
        posts = []
        for i in range(6):
            probe = f"probe{i}x{os.urandom(4).hex()}"
            if i % 2 == 1:
                s, _, _ = http(ngx2, "POST", f"/auth/refresh?{probe}", {"refreshToken": ""})
            else:
                s, _, _ = http(ngx2, "DELETE", f"/movimientos/987654321?{probe}", token=token)
            rid, _, _ = nginx_line(access2, f"?{probe} ")
            posts.append((s, rid))
        stack.stop("nginx-fake-post", signal.SIGQUIT)
        ngx3, access3 = stack.start_nginx([fake.port, a], name="nginx-fake-get")
        gets = []
        for i in range(4):
            s, h, _ = http(ngx3, "GET", "/dashboard-cqrs/kpis", token=token)
            gets.append((s, upstream_of(access3, h.get("X-Request-Id"))))
        stack.stop("nginx-fake-get", signal.SIGQUIT)
        fake.close()
        fake_posts = [rid for m, rid in fake.seen if m in ("POST", "DELETE")]
        fake_gets = [rid for m, rid in fake.seen if m == "GET"]
        a_log = open(os.path.join(stack.tmp, "a.log"), errors="replace").read()
        replayed = [rid for rid in fake_posts if f"rid={rid}" in a_log]
        check(fake_posts and all(s == 502 for s, rid in posts if rid in fake_posts),
              f"writes (POST, DELETE) that reached the dead-mid-request upstream were answered 502 "
              f"({len(fake_posts)} of {len(posts)})")
        check(not replayed, f"none of them was replayed on the live instance ({len(replayed)} were)")
        check(all(s in (401, 404) for s, rid in posts if rid not in fake_posts),
              "the other writes were answered by the live instance (401 / 404)")
        check(gets and all(s == 200 for s, _ in gets), f"GETs through nginx with a dead-mid-request upstream: "
              f"{[s for s, _ in gets]}")
        check(fake_gets and sum(bool(u and "," in u) for _, u in gets) == len(fake_gets),
              f"the GETs that reached the dead upstream ({len(fake_gets)}) were retried on the live one")

        # 5. One instance killed: GETs through nginx keep succeeding.
        stack.stop("b", signal.SIGKILL)
        statuses, retried = [], 0
        for _ in range(20):
            s, h, _ = http(ngx, "GET", "/dashboard-cqrs/kpis", token=token)
            statuses.append(s)
            u = upstream_of(access, h.get("X-Request-Id"))
            retried += bool(u and "," in u)
        check(all(s == 200 for s in statuses), f"20 KPI reads with instance b killed: {sorted(set(statuses))}, "
                                                f"{retried} retried from b to a")
        s, _, _ = http(ngx, "GET", "/health")
        check(s == 200, f"GET /health with instance b killed: {s}")
    except Exception as e:  # noqa: BLE001 - report, clean up, fail
        failures.append(f"exception: {e!r}")
        log(f"FAIL: exception {e!r}")
        import traceback
        traceback.print_exc()
    finally:
        stack.close(bool(failures))
    if failures:
        log(f"{len(failures)} check(s) failed")
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
