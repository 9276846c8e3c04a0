#!/usr/bin/env python3
"""Cold-start burst for bench/multi.sh: exactly N concurrent GETs of one path with one bearer token.

    cold_burst.py --port P [--port P2 ...] --path /dashboard-cqrs/kpis --token T --n 1000

Opens N connections first (spread round-robin over the ports given), then sends every request at
once and reads every answer (HTTP/1.1, `Connection: close`). Prints one line:
    BURST n=1000 wall_ms=… status_200=… status_other=… miss=… hit=… hit_l1=… hit_l2=… shared=… errors=…
where miss/hit count the X-Cache answers (hit without X-Cache-Tier = joined another request's
computation in that process).
"""
import argparse
import asyncio
import time


async def one(port, req, start, ready, out):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        out.append(("error", None, None))
        ready.append(False)
        return
    ready.append(True)
    await start.wait()
    try:
        writer.write(req)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=120)
    except (OSError, asyncio.TimeoutError):
        out.append(("error", None, None))
        writer.close()
        return
    writer.close()
    head = raw.split(b"\r\n\r\n", 1)[0].decode(errors="replace").split("\r\n")
    if not head or not head[0].startswith("HTTP/"):
        out.append(("error", None, None))
        return
    status = int(head[0].split()[1])
    hdr = {}
    for line in head[1:]:
        k, _, v = line.partition(":")
        hdr[k.strip().lower()] = v.strip()
    out.append((status, hdr.get("x-cache"), hdr.get("x-cache-tier")))


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, action="append", required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--n", type=int, default=1000)
    a = ap.parse_args()
    start = asyncio.Event()
    out = []
    reqs = {p: (f"GET {a.path} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nAuthorization: Bearer {a.token}\r\n"
                f"Connection: close\r\n\r\n").encode() for p in a.port}
    ready = []
    tasks = [asyncio.create_task(one(a.port[i % len(a.port)], reqs[a.port[i % len(a.port)]], start, ready, out))
             for i in range(a.n)]
    # Every connection established (or failed) before the requests go out together.
    deadline = time.monotonic() + 30
    while len(ready) < a.n and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    t0 = time.monotonic()
    start.set()
    await asyncio.gather(*tasks)
    wall = (time.monotonic() - t0) * 1000
    c = {"status_200": 0, "status_other": 0, "miss": 0, "hit": 0, "hit_l1": 0, "hit_l2": 0, "shared": 0,
         "errors": 0}
    for status, xc, tier in out:
        if status == "error":
            c["errors"] += 1
            continue
        c["status_200" if status == 200 else "status_other"] += 1
        if xc == "MISS":
            c["miss"] += 1
        elif xc == "HIT":
            c["hit"] += 1
            c[{"L1": "hit_l1", "L2": "hit_l2"}.get(tier or "", "shared")] += 1
    print(f"BURST n={a.n} wall_ms={wall:.0f} " + " ".join(f"{k}={v}" for k, v in c.items()), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
