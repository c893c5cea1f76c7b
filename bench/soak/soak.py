#!/usr/bin/env python3
"""The soak run (issue 16): `feedd run` for an hour against 5,000 feeds on local
servers that misbehave on a schedule, with PostgreSQL restarted twice; then
checks what was stored, the daemon's memory and descriptors, the feeds' state
and the logs against what the servers did. Not a test (not run by CI).

    bench/soak/soak.py --feedd build/ci/feedd [--minutes 60] [--feeds 5000] [--nice -10]
                       [--work DIR] [--json FILE]
    bench/soak/soak.py --feedd build/ci/feedd --minutes 3 --feeds 300     (the short mode)

Runs shorter than 15 minutes use the short profile (intervals in seconds
instead of minutes). Exit 0 when every check passed, 1 otherwise.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "bench"))
from run_once_bench import psql  # noqa: E402
import soakcheck  # noqa: E402

# Seconds. The hour profile keeps every interval at or above what a 2-core
# machine under load can serve for 5,000 feeds (a cycle of 2 minutes is
# ~42 fetches/s); the short one only has to exercise every path.
PROFILES = {
    "hour": {"interval": 120, "min_interval": 60, "max_interval": 600, "backoff_max": 240, "lease": 60,
             "timeout": 10, "connect_timeout": 5, "period": 600, "active": 120, "publish": 240, "hang": 15,
             "retry_after": 60, "move_by": 1800, "warmup": 600,
             "pg_outages": [(0.33, 30), (0.66, 60)], "sample_every": 15},
    "short": {"interval": 20, "min_interval": 10, "max_interval": 120, "backoff_max": 40, "lease": 30,
              "timeout": 5, "connect_timeout": 3, "period": 60, "active": 15, "publish": 30, "hang": 8,
              "retry_after": 10, "move_by": 60, "warmup": 60,
              "pg_outages": [(0.33, 15), (0.66, 20)], "sample_every": 10},
}
KINDS = {13: "t", 14: "r", 15: "e", 16: "m", 17: "q"}  # feed index % 20; the rest "n"
MAIN_HOSTS = 40
RATE_LIMITED_HOSTS = 5  # the 429 feeds have hosts of their own: a 429 pauses its whole host


def feed_names(count):
    return [KINDS.get(i % 20, "n") + f"{i:05d}" for i in range(count)]


def config_text(sock, p):
    return (f"database:\n  url: \"host={sock} port=5432 user=postgres dbname=feedd\"\n"
            f"fetch:\n  block_private_addresses: false\n  timeout: {p['timeout']}s\n"
            f"  connect_timeout: {p['connect_timeout']}s\n"
            f"schedule:\n  interval: {p['interval']}s\n  min_interval: {p['min_interval']}s\n"
            f"  max_interval: {p['max_interval']}s\n  error_backoff_max: {p['backoff_max']}s\n"
            f"  lease: {p['lease']}s\n  first_check_spread: {p['interval']}s\n"
            "log:\n  format: text\n  level: info\n")


class Soak:
    def __init__(self, args):
        self.args = args
        self.p = PROFILES["short" if args.minutes < 15 else "hour"]
        self.work = args.work or tempfile.mkdtemp(prefix="feedd-soak-")
        os.makedirs(self.work, exist_ok=True)
        os.chmod(self.work, 0o755)
        self.pg = os.path.join(self.work, "pg")
        self.sock = os.path.join(self.pg, "run")
        self.config = os.path.join(self.work, "feedd.yaml")
        self.log = os.path.join(self.work, "feedd.log")
        self.fault_log = os.path.join(self.work, "faults.jsonl")
        self.server = self.daemon = None
        self.outages = []
        self.samples = []

    def niced(self):
        if self.args.nice:
            os.nice(self.args.nice)

    def pg_cluster(self, command):
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), command, self.pg], check=True,
                       capture_output=True)
        if command == "start" and self.args.nice:
            # The postmaster's backends inherit its niceness.
            with open(os.path.join(self.pg, "data", "postmaster.pid")) as f:
                subprocess.run(["renice", "-n", str(self.args.nice), "-p", f.readline().strip()], check=True,
                               capture_output=True)

    def start_server(self):
        ready = os.path.join(self.work, "server.ready")
        if os.path.exists(ready):
            os.remove(ready)
        p = self.p
        cmd = [sys.executable, os.path.join(HERE, "soakserver.py"), "--ready-file", ready,
               "--fault-log", self.fault_log, "--period", str(p["period"]), "--active", str(p["active"]),
               "--publish", str(p["publish"]), "--hang", str(p["hang"]), "--retry-after", str(p["retry_after"]),
               "--move-by", str(p["move_by"])]
        for i in range(MAIN_HOSTS):
            cmd += ["--listen", f"127.0.10.{i + 1}"]
        for i in range(RATE_LIMITED_HOSTS):
            cmd += ["--listen", f"127.0.11.{i + 1}"]
        self.server = subprocess.Popen(cmd, preexec_fn=self.niced)
        for _ in range(400):
            if os.path.exists(ready):
                break
            time.sleep(0.05)
        info = json.load(open(ready))
        self.control = info["control"]
        return info["hosts"]

    def urls(self, hosts):
        main, limited = hosts[:MAIN_HOSTS], hosts[MAIN_HOSTS:]
        out = []
        for i, name in enumerate(feed_names(self.args.feeds)):
            # Blocks of 20 (one of each kind) per host, so that every host has
            # its share of each fault; i % hosts would give a kind hosts of its own.
            block = i // 20
            host = limited[block % len(limited)] if name[0] == "q" else main[block % len(main)]
            out.append(f"http://{host}/f/{name}.xml")
        return out

    def prepare(self, urls):
        self.pg_cluster("start")
        with open(self.config, "w") as f:
            f.write(config_text(self.sock, self.p))
        opml = os.path.join(self.work, "feeds.opml")
        with open(opml, "w") as f:
            f.write("<opml version=\"2.0\"><body>")
            f.writelines(f"<outline xmlUrl=\"{u}\"/>" for u in urls)
            f.write("</body></opml>")
        subprocess.run([self.args.feedd, "--config", self.config, "migrate"], check=True, capture_output=True)
        subprocess.run([self.args.feedd, "--config", self.config, "feeds", "import", "--no-check", opml],
                       check=True, capture_output=True)

    def sample(self, start):
        pid = self.daemon.pid
        try:
            with open(f"/proc/{pid}/status") as f:
                rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, StopIteration):
            return
        self.samples.append({"t": round(time.monotonic() - start, 1), "rss_kib": rss, "fds": fds})

    def outage(self, start, down):
        began = time.time()
        print(f"  {time.monotonic() - start:6.0f} s: stopping PostgreSQL for {down} s", flush=True)
        self.pg_cluster("stop")
        stopped = time.time()
        deadline = time.monotonic() + down
        while time.monotonic() < deadline:
            self.sample(start)
            time.sleep(min(self.p["sample_every"], max(0.1, deadline - time.monotonic())))
        self.pg_cluster("start")
        self.outages.append({"stop_requested": began, "stopped": stopped, "started": time.time(), "down_s": down})
        print(f"  {time.monotonic() - start:6.0f} s: PostgreSQL started again", flush=True)

    def run(self):
        hosts = self.start_server()
        self.prepare(self.urls(hosts))
        log = open(self.log, "w")
        self.daemon = subprocess.Popen([self.args.feedd, "--config", self.config, "run"], stdout=subprocess.DEVNULL,
                                       stderr=log, preexec_fn=self.niced)
        start = time.monotonic()
        self.started_at = time.time()
        length = self.args.minutes * 60
        pending = sorted(self.p["pg_outages"])
        print(f"soak: {self.args.feeds} feeds, {length} s, work {self.work}, daemon pid {self.daemon.pid}", flush=True)
        while time.monotonic() - start < length:
            if self.daemon.poll() is not None:
                print(f"soak: the daemon exited early with {self.daemon.returncode}", flush=True)
                break
            elapsed = time.monotonic() - start
            if pending and elapsed >= pending[0][0] * length:
                self.outage(start, pending.pop(0)[1])
                continue
            self.sample(start)
            time.sleep(self.p["sample_every"])
        return self.stop(log)

    def stop(self, log):
        self.ended_at = time.time()
        exit_code = self.daemon.poll()
        stop_s = None
        if exit_code is None:
            t = time.monotonic()
            self.daemon.send_signal(signal.SIGTERM)
            try:
                exit_code = self.daemon.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                exit_code = self.daemon.wait()
            stop_s = round(time.monotonic() - t, 1)
        log.close()
        with urllib.request.urlopen(f"http://127.0.0.1:{self.control}/stats", timeout=60) as r:
            served = json.loads(r.read())
        with open(os.path.join(self.work, "served.json"), "w") as f:
            json.dump(served, f)
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(timeout=30)
        return {"exit_code": exit_code, "stop_s": stop_s, "served": served}

    def database_rows(self, sql):
        out = psql(self.sock, "feedd", sql)
        return [line.split("|") for line in out.splitlines() if line]

    def close(self):
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "stop", self.pg], capture_output=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feedd", default=os.path.join(ROOT, "build", "ci", "feedd"))
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--feeds", type=int, default=5000)
    ap.add_argument("--nice", type=int, default=0)
    ap.add_argument("--work")
    ap.add_argument("--json")
    args = ap.parse_args()
    args.feedd = os.path.abspath(args.feedd)
    soak = Soak(args)
    try:
        ended = soak.run()
        report = soakcheck.check(soak, ended)
    finally:
        if soak.daemon is not None and soak.daemon.poll() is None:
            soak.daemon.kill()
        if soak.server is not None and soak.server.poll() is None:
            soak.server.kill()
        soak.close()
    path = args.json or os.path.join(soak.work, "soak.json")
    with open(path, "w") as f:
        json.dump(report, f, indent=1)
    soakcheck.show(report)
    print(f"results: {path}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
