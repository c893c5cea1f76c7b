#!/usr/bin/env python3
"""Peak memory and threads of `feedd run --once` under the worst load the
default configuration allows: fetch.max_concurrent (64) bodies of
fetch.max_body (16 MiB) in flight, queue.capacity (32) such documents
waiting, and each of them a large feed to parse and store. The numbers
behind MemoryMax= and TasksMax= in systemd/feedd.service.

Config: every default except fetch.block_private_addresses: false (the
server is on 127.0.0.1), fetch.max_per_host: 64 (one loopback host must
be able to fill all 64 fetch slots; the global bound is max_concurrent) and
fetch.timeout: 5m with schedule.lease: 10m (fakefeed.py, one Python
process, cannot push 64 x 16 MiB within 30 s; deadlines bound time, not
memory).

Bodies are served gzip-compressed (?gzip=1): the wire is no bottleneck and
feedd inflates each to its full size, counted against max_body.

    bench/peak_memory.py --feedd build/feedd [--feeds 100] [--body-mib 15.9]
"""

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from run_once_bench import psql, start_fakefeed, write_opml  # noqa: E402


def big_feed(limit):
    """An RSS 2.0 document just under `limit` bytes, of entries of ~8 KiB."""
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>big</title><link>https://example.org/</link>'
    tail = "</channel></rss>"
    parts, size, i = [head], len(head) + len(tail), 0
    text = "lorem ipsum dolor sit amet, consectetur adipiscing elit " * 140
    while True:
        item = (f"<item><guid>urn:{i}</guid><title>Entry {i}</title><link>https://example.org/{i}</link>"
                f"<pubDate>Tue, 02 Jan 2024 03:04:05 +0000</pubDate><description>{i} {text}</description></item>")
        if size + len(item) > limit:
            break
        parts.append(item)
        size += len(item)
        i += 1
    parts.append(tail)
    return "".join(parts).encode(), i


def watch(pid, peak, stop):
    """Samples VmHWM, VmRSS and Threads of pid every 20 ms until stop is set."""
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in ("VmHWM", "VmRSS", "Threads"):
                        peak[key] = max(peak.get(key, 0), int(value.split()[0]))
        except (FileNotFoundError, ProcessLookupError):
            return
        time.sleep(0.02)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feedd", default=os.path.join(ROOT, "build", "feedd"))
    ap.add_argument("--feeds", type=int, default=100)
    ap.add_argument("--body-mib", type=float, default=15.9)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="feedd-peak-")
    os.chmod(work, 0o755)
    pgdir = os.path.join(work, "pg")
    server = None
    try:
        root = os.path.join(work, "feeds")
        os.makedirs(root)
        body, entries = big_feed(int(args.body_mib * 1024 * 1024))
        first = os.path.join(root, "f0.xml")
        with open(first, "wb") as f:
            f.write(body)
        for i in range(1, args.feeds):
            os.link(first, os.path.join(root, f"f{i}.xml"))
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "start", pgdir], check=True, capture_output=True)
        sock = os.path.join(pgdir, "run")
        server, port = start_fakefeed(root, work)
        opml = write_opml(work, [f"http://127.0.0.1:{port}/feeds/f{i}.xml?gzip=1" for i in range(args.feeds)])
        psql(sock, "postgres", "CREATE DATABASE peak")
        config = os.path.join(work, "feedd.yaml")
        with open(config, "w") as f:
            f.write(f'database:\n  url: "host={sock} port=5432 user=postgres dbname=peak"\n'
                    "fetch:\n  block_private_addresses: false\n  max_per_host: 64\n  timeout: 5m\n"
                    "schedule:\n  lease: 10m\n")
        subprocess.run([args.feedd, "--config", config, "feeds", "import", "--no-check", opml], check=True, capture_output=True)

        started = time.monotonic()
        log = open(os.path.join(work, "feedd.log"), "w+")
        child = subprocess.Popen([args.feedd, "--config", config, "run", "--once"], stderr=log)
        peak, stop = {}, threading.Event()
        watcher = threading.Thread(target=watch, args=(child.pid, peak, stop))
        watcher.start()
        try:
            code = child.wait(timeout=1800)
        finally:
            stop.set()
            watcher.join()
            if child.poll() is None:
                child.kill()
        seconds = time.monotonic() - started
        maxrss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        log.seek(0)
        lines = log.readlines()
        stopped = [l.strip() for l in lines if "event=fetch" in l][:2] + [l.strip() for l in lines if "event=stopped" in l or "level=error" in l]
        stored = psql(sock, "peak", "SELECT count(*) FROM entries")
        print(f"{args.feeds} feeds of {len(body) / 2**20:.2f} MiB ({entries} entries each), exit {code}, {seconds:.1f} s")
        print(f"peak RSS (getrusage ru_maxrss) {maxrss_kib / 1024:.0f} MiB; sampled VmHWM {peak.get('VmHWM', 0) / 1024:.0f} MiB;"
              f" peak threads {peak.get('Threads', 0)}; entries stored {stored}")
        for line in stopped[-3:]:
            print(line)
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "stop", pgdir], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
