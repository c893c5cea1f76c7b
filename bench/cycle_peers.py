"""The peers bench/cycle.py measures feedd against (issue 12): newsboat from
Debian (`newsboat -x reload`) and our classic Python threaded collector
(bench/peers/collector.py). Each returns seconds for one whole reload."""

import json
import os
import shutil
import subprocess
import sys
import time

from cycle_world import ROOT, niced

# Debian's python3-feedparser and python3-psycopg2 are for Debian's python.
SYSTEM_PYTHON = "/usr/bin/python3"


class Newsboat:
    """newsboat with a urls file, a config and a cache of its own in `work`."""

    def __init__(self, work, urls, threads):
        self.dir = os.path.join(work, f"newsboat-{threads}")
        self.threads = threads
        os.makedirs(self.dir, exist_ok=True)
        self.urls = os.path.join(self.dir, "urls")
        with open(self.urls, "w") as f:
            f.writelines(u + "\n" for u in urls)
        self.config = os.path.join(self.dir, "config")
        with open(self.config, "w") as f:
            f.write(f"reload-threads {threads}\nuse-proxy no\ndownload-timeout 30\nshow-read-feeds yes\n")
        self.cache = os.path.join(self.dir, "cache.db")

    def fresh(self):
        for name in os.listdir(self.dir):
            if name.startswith("cache.db"):
                os.remove(os.path.join(self.dir, name))

    def reload(self):
        env = dict(os.environ, HOME=self.dir, XDG_CONFIG_HOME=self.dir, XDG_DATA_HOME=self.dir)
        start = time.monotonic()
        r = subprocess.run(["newsboat", "-x", "reload", "-u", self.urls, "-c", self.cache, "-C", self.config],
                           env=env, capture_output=True, text=True, timeout=3600, preexec_fn=niced, cwd=self.dir)
        seconds = time.monotonic() - start
        if r.returncode != 0:
            sys.exit(f"newsboat failed ({r.returncode}):\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
        return seconds

    def items(self):
        r = subprocess.run(["sqlite3", self.cache, "SELECT count(*) FROM rss_item"], capture_output=True, text=True)
        return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else None


def best_newsboat(work, urls, candidates):
    """The reload-threads among `candidates` with the fastest cold reload
    (one try each): (threads, {threads: feeds/s})."""
    tried = {}
    for threads in candidates:
        nb = Newsboat(work, urls, threads)
        tried[threads] = len(urls) / nb.reload()
        shutil.rmtree(nb.dir, ignore_errors=True)
        print(f"  newsboat reload-threads {threads}: cold {tried[threads]:.1f} feeds/s", flush=True)
    return max(tried, key=tried.get), tried


class Collector:
    """bench/peers/collector.py on a database of its own."""

    def __init__(self, work, pg, db, urls, threads=32):
        self.pg = pg
        self.db = db
        self.threads = threads
        self.urls = os.path.join(work, f"{db}.urls")
        with open(self.urls, "w") as f:
            f.writelines(u + "\n" for u in urls)
        self.script = os.path.join(ROOT, "bench", "peers", "collector.py")

    def fresh(self):
        self.pg.fresh(self.db)
        subprocess.run([SYSTEM_PYTHON, self.script, "--conninfo", self.pg.conninfo(self.db), "--urls", self.urls,
                        "--setup"], check=True, capture_output=True)

    def reload(self):
        """Seconds for one pass over every feed, and the collector's counts."""
        start = time.monotonic()
        r = subprocess.run([SYSTEM_PYTHON, self.script, "--conninfo", self.pg.conninfo(self.db), "--threads",
                            str(self.threads)], capture_output=True, text=True, timeout=3600, preexec_fn=niced)
        seconds = time.monotonic() - start
        if r.returncode != 0:
            sys.exit(f"collector failed ({r.returncode}):\n{r.stderr[-3000:]}")
        return seconds, json.loads(r.stdout.strip().splitlines()[-1])
