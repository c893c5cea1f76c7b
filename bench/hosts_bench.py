#!/usr/bin/env python3
"""Scheduling at scale (issue 11): one big host next to many small ones, and
several instances on one database. Not a test: it prints numbers, measured
in the same run, medians of --repeat.

Feeds are served by tests/support/hostfarm.py, every host a loopback address
of its own (127.0.0.2, 127.0.1.x, 127.0.2.x), which also records when each
host saw its first request start and its last answer end. The database is a
private cluster (scripts/pg-cluster) made fresh for every run.

  lopsided   2,000 feeds on one host answering each request in 50 ms, plus
             2,000 feeds on 100 hosts (also 50 ms), max_per_host 2, the
             other settings at their defaults; one `feedd run --once`.
             Ideal: 2,000 x 50 ms / 2 = 50 s for the big host, and the
             small hosts done long before it.
  instances  3,000 feeds on 10 hosts answering at once, max_per_host 32;
             1, 2 and 3 `feedd run --once` started together on one
             database; feeds/s from the first start to the last exit.

    bench/hosts_bench.py --feedd build/bench/feedd [--repeat 3] [--only lopsided|instances]
        [--scale 0.25]   (fewer feeds everywhere, for a quick look; the ideal scales too)
        [--nice -10]     (run feedd, hostfarm and the cluster at that niceness: on a machine
                          shared with builds, the store thread otherwise gets a sliver of a core
                          and every number measures the neighbours; needs root when negative)
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from run_once_bench import psql  # noqa: E402

DELAY_MS = 50
NICENESS = 0


def niced():
    if NICENESS:
        os.nice(NICENESS)


class Farm:
    """hostfarm.py with the given listeners ("ADDR@DELAY_MS")."""

    def __init__(self, work, listeners, entries):
        ready = os.path.join(work, "farm.ready")
        if os.path.exists(ready):
            os.remove(ready)
        args = [sys.executable, os.path.join(ROOT, "tests", "support", "hostfarm.py"), "--ready-file", ready,
                "--entries", str(entries)]
        for spec in listeners:
            args += ["--listen", spec]
        self.process = subprocess.Popen(args, preexec_fn=niced)
        for _ in range(200):
            if os.path.exists(ready):
                break
            time.sleep(0.05)
        info = json.load(open(ready))
        self.control = info["control"]
        self.hosts = info["hosts"]

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.control}{path}", timeout=30) as r:
            return r.read()

    def stats(self):
        return json.loads(self.get("/stats"))

    def reset(self):
        self.get("/reset")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)


class World:
    """A private cluster and a working directory; a fresh database per run."""

    def __init__(self, feedd):
        self.feedd = feedd
        self.work = tempfile.mkdtemp(prefix="feedd-hosts-bench-")
        os.chmod(self.work, 0o755)
        self.pg = os.path.join(self.work, "pg")
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "start", self.pg], check=True,
                       capture_output=True)
        self.sock = os.path.join(self.pg, "run")
        self.runs = 0
        if NICENESS:
            # The postmaster's backends inherit its niceness.
            with open(os.path.join(self.pg, "data", "postmaster.pid")) as f:
                subprocess.run(["renice", "-n", str(NICENESS), "-p", f.readline().strip()], check=True,
                               capture_output=True)

    def database(self, urls, fetch_yaml):
        """A new database holding `urls`; the path of a config for it (plus fetch_yaml)."""
        self.runs += 1
        db = f"hosts{self.runs}"
        psql(self.sock, "postgres", f"DROP DATABASE IF EXISTS {db}")
        psql(self.sock, "postgres", f"CREATE DATABASE {db}")
        config = os.path.join(self.work, f"{db}.yaml")
        with open(config, "w") as f:
            # Every feed due at once, as the cycle the benchmark times; fetch
            # last, so that a caller can append fetch keys.
            f.write(f"database:\n  url: \"host={self.sock} port=5432 user=postgres dbname={db}\"\n"
                    "schedule:\n  first_check_spread: 0s\n"
                    f"fetch:\n  block_private_addresses: false\n{fetch_yaml}")
        opml = os.path.join(self.work, f"{db}.opml")
        with open(opml, "w") as f:
            f.write("<opml version=\"2.0\"><body>")
            f.writelines(f"<outline xmlUrl=\"{u}\"/>" for u in urls)
            f.write("</body></opml>")
        subprocess.run([self.feedd, "--config", config, "feeds", "import", "--no-check", opml], check=True, capture_output=True)
        return config

    def run_once(self, configs, while_running=None):
        """Starts `feedd run --once` per config at once; seconds until the last exits.
        while_running() is called about every 0.5 s meanwhile."""
        # Logs go to files: a pipe read one process after the other would
        # stall the others once full.
        logs = [open(c.replace(".yaml", ".log"), "w") for c in configs]
        start = time.monotonic()
        procs = [subprocess.Popen([self.feedd, "--config", c, "run", "--once"], stdout=subprocess.DEVNULL,
                                  stderr=log, preexec_fn=niced) for c, log in zip(configs, logs)]
        while while_running and any(p.poll() is None for p in procs):
            while_running()
            time.sleep(0.5)
        for p, log in zip(procs, logs):
            p.wait(timeout=1800)
            log.close()
            if p.returncode != 0:
                sys.exit("feedd failed:\n" + open(log.name).read()[-3000:])
        return time.monotonic() - start

    def close(self):
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "stop", self.pg], capture_output=True)
        shutil.rmtree(self.work, ignore_errors=True)


def lopsided(world, repeat, scale):
    big = int(2000 * scale)
    small_hosts = 100
    small = int(2000 * scale)
    farm = Farm(world.work, [f"127.0.0.2@{DELAY_MS}"] + [f"127.0.1.{i + 1}@{DELAY_MS}" for i in range(small_hosts)], 5)
    try:
        urls = [f"http://{farm.hosts[0]}/f/b{i}.xml" for i in range(big)]
        urls += [f"http://{farm.hosts[1 + i % small_hosts]}/f/s{i}.xml" for i in range(small)]
        ideal = big * DELAY_MS / 1000 / 2
        rows = []
        for rep in range(repeat):
            config = world.database(urls, "  max_per_host: 2\n")
            farm.reset()
            # How far the big host had got when the small hosts were done,
            # sampled from the server's counts.
            seen = {"big_at_small_done": None}

            def sample():
                hosts = farm.stats()["hosts"]
                if seen["big_at_small_done"] is None and \
                        sum(hosts.get(k, {}).get("requests", 0) for k in farm.hosts[1:]) >= small:
                    seen["big_at_small_done"] = hosts.get(farm.hosts[0], {}).get("requests", 0)

            wall = world.run_once([config], sample)
            s = farm.stats()
            hosts = s["hosts"]
            first = min(h["first_start"] for h in hosts.values())
            big_end = hosts[farm.hosts[0]]["last_end"] - first
            small_end = max(hosts[k]["last_end"] for k in farm.hosts[1:] if k in hosts) - first
            fetched = sum(sum(a.values()) for a in s["hits"].values())
            peak = hosts[farm.hosts[0]]["peak"]
            rows.append((wall, big_end, small_end, peak, fetched))
            print(f"  lopsided run {rep + 1}: cycle {wall:.1f} s ({wall / ideal:.2f}x ideal), big host done at "
                  f"{big_end:.1f} s, small hosts done at {small_end:.1f} s (the big host had served "
                  f"{seen['big_at_small_done']} of {big} by then, {2 * 1000 / DELAY_MS * small_end:.0f} at the ideal rate), "
                  f"big host peak in flight {peak}, {fetched} requests", flush=True)
        wall = statistics.median(r[0] for r in rows)
        print(f"\nlopsided: {big} feeds on 1 host ({DELAY_MS} ms) + {small} on {small_hosts} hosts, max_per_host 2, "
              f"median of {repeat}")
        print(f"  cycle (run --once, start to exit)  {wall:7.1f} s   ideal {ideal:.1f} s   ratio {wall / ideal:.2f}")
        print(f"  big host served until              {statistics.median(r[1] for r in rows):7.1f} s")
        print(f"  small hosts all served by          {statistics.median(r[2] for r in rows):7.1f} s")
        print(f"  big host peak in flight            {max(r[3] for r in rows):7d}", flush=True)
    finally:
        farm.stop()


def instances(world, repeat, scale):
    feeds = int(3000 * scale)
    hosts = 10
    farm = Farm(world.work, [f"127.0.2.{i + 1}@0" for i in range(hosts)], 10)
    try:
        urls = [f"http://{farm.hosts[i % hosts]}/f/f{i}.xml" for i in range(feeds)]
        rates = {1: [], 2: [], 3: []}
        # Each repetition runs 1, 2 and 3 instances back to back, so that a
        # slow spell of the shared machine moves all three.
        for rep in range(repeat):
            for n in (1, 2, 3):
                config = world.database(urls, "  max_per_host: 32\n")
                configs = []
                for i in range(n):
                    own = config.replace(".yaml", f"-{i}.yaml")
                    with open(config) as src, open(own, "w") as dst:
                        dst.write(src.read() + f"  user_agent: bench-{i}\n")
                    configs.append(own)
                farm.reset()
                wall = world.run_once(configs)
                s = farm.stats()
                per_agent = {}
                for agents in s["hits"].values():
                    for a, k in agents.items():
                        per_agent[a] = per_agent.get(a, 0) + k
                once = all(sum(a.values()) == 1 for a in s["hits"].values()) and len(s["hits"]) == feeds
                rates[n].append(feeds / wall)
                print(f"  instances run {rep + 1}, {n} instance(s): {wall:.1f} s, {feeds / wall:.0f} feeds/s, "
                      f"shares {sorted(per_agent.values())}, each feed once: {once}", flush=True)
        print(f"\ninstances: {feeds} feeds on {hosts} hosts (answering at once), max_per_host 32, median of {repeat}")
        base = statistics.median(rates[1])
        for n in (1, 2, 3):
            r = statistics.median(rates[n])
            print(f"  {n} instance(s)  {r:7.0f} feeds/s   {r / base:5.2f}x one instance")
    finally:
        farm.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feedd", default=os.path.join(ROOT, "build", "bench", "feedd"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--only", choices=["lopsided", "instances"])
    ap.add_argument("--nice", type=int, default=0)
    args = ap.parse_args()
    global NICENESS
    NICENESS = args.nice
    world = World(os.path.abspath(args.feedd))
    try:
        if args.only in (None, "lopsided"):
            lopsided(world, args.repeat, args.scale)
        if args.only in (None, "instances"):
            instances(world, args.repeat, args.scale)
    finally:
        world.close()


if __name__ == "__main__":
    main()
