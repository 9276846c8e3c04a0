#!/usr/bin/env python3
"""Renders deploy/nginx/iam.conf for other addresses: the test (tests/deploy/nginx_test.py) and the
benchmark (bench/multi.sh) run that very file on loopback this way.

    render_conf.py --conf deploy/nginx/iam.conf --upstream 127.0.0.1:3001 --upstream 127.0.0.1:3002 \
                   --listen 127.0.0.1:8080 --access-log /tmp/x/iam.access.log > iam.conf

Only three things change: the `server` lines of `upstream iam` (one per --upstream, each keeping the
parameters of the file's first one: max_fails, fail_timeout), the `listen` line and the path of the
`iam_upstream` access log (blank lines left by dropped `server` lines are collapsed). Everything else
is kept as it is.
"""
import argparse
import re
import sys


def render(conf_text, upstreams, listen, access_log):
    """deploy/nginx/iam.conf with loopback instances: every `server` line of `upstream iam` keeps
    its parameters (max_fails, fail_timeout) on the new addresses."""
    m = re.search(r"upstream iam \{(.*?)\n\}", conf_text, re.S)
    if not m:
        raise ValueError("no `upstream iam { }` block in the config")
    block = m.group(1)
    servers = re.findall(r"^\s*server\s+\S+(.*);\s*$", block, re.M)
    if not servers:
        raise ValueError("no `server` line in `upstream iam`")
    params = servers[0]
    lines = "\n".join(f"    server {_addr(u)}{params};" for u in upstreams)
    first = True

    def replace_server(line_match):
        nonlocal first
        if first:
            first = False
            return lines
        return ""

    new_block = re.sub(r"^\s*server\s+\S+.*;\s*$", replace_server, block, flags=re.M)
    new_block = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", new_block)
    out = conf_text[: m.start(1)] + new_block + conf_text[m.end(1):]
    out, n_listen = re.subn(r"^(\s*)listen\s+[^;]+;", rf"\g<1>listen {_addr(listen)};", out, flags=re.M)
    out, n_log = re.subn(r"^(\s*)access_log\s+\S+(\s+iam_upstream;)", rf"\g<1>access_log {access_log}\g<2>", out,
                         flags=re.M)
    if n_listen != 1 or n_log != 1:
        raise ValueError(f"expected one listen and one access_log line, found {n_listen} and {n_log}")
    return out


def _addr(a):
    """A port alone means 127.0.0.1:port."""
    return f"127.0.0.1:{a}" if str(a).isdigit() else str(a)


def main():
    ap = argparse.ArgumentParser(description="render deploy/nginx/iam.conf for other addresses")
    ap.add_argument("--conf", required=True)
    ap.add_argument("--upstream", action="append", required=True, help="host:port (or port) of an instance")
    ap.add_argument("--listen", required=True, help="host:port (or port) nginx listens on")
    ap.add_argument("--access-log", required=True)
    args = ap.parse_args()
    with open(args.conf) as f:
        sys.stdout.write(render(f.read(), args.upstream, args.listen, args.access_log))


if __name__ == "__main__":
    main()
