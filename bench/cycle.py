#!/usr/bin/env python3
"""Issue 12's cycle rows and peers: `feedd run --once` over the corpus served
by nginx on four loopback addresses, against wrk, newsboat and our classic
Python collector, each pair run alternately; JSON rows for bench/run.

    bench/cycle.py --feedd BIN --corpus DIR [--conninfo C] --json F [--smoke]
                   [--only cold,warm,logging,rss,idle,peers] [--reps N] [--nice N]

Rows (bench/README.md, "Cycle rows and peers"):
  cold     run --once on a fresh database, --feeds (10,000) feeds: feeds/s
  warm     the second run --once, every answer a 304, vs wrk sending the same
           conditional requests over as many connections: feeds/s / requests/s
  logging  cold and warm at log.level info vs warning: feeds/s ratio
  rss      peak RSS of run --once with 1,000 due feeds, the table holding
           100,000 feeds vs 1,000 (the others not due)
  idle     feedd run with nothing due: CPU over 60 s as % of a core
  peers    feedd vs newsboat (best reload-threads) and bench/peers/collector.py,
           cold and warm, on the first --peer-feeds (1,000) feeds
Without --conninfo it starts a private cluster (scripts/pg-cluster).
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cycle_peers  # noqa: E402
import cycle_world  # noqa: E402
from cycle_world import HOSTS, Corpus, Feedd, Nginx, Postgres, stopped_counts, wrk_conditional  # noqa: E402

ROWS = ["cold", "warm", "logging", "rss", "idle", "peers"]
MAX_PER_HOST = 16  # 4 hosts x 16 = max_concurrent's default 64: every connection usable
CONNECTIONS = MAX_PER_HOST * len(HOSTS)


def summary(runs):
    return {"median": statistics.median(runs), "min": min(runs), "max": max(runs), "runs": runs}


def row(name, ours, against, target, better, note, extra=None, ratio_of=None):
    """A row of the format bench/run collects; ratio = ours/against per pair."""
    out = {"row": name, "ours": dict(ours, **summary(ours["runs"])), "against": None, "ratio": None,
           "target": target, "better": better, "note": note, "extra": extra or {}}
    if against:
        out["against"] = dict(against, **summary(against["runs"]))
        pairs = ratio_of or [a / b for a, b in zip(ours["runs"], against["runs"])]
        out["ratio"] = summary(pairs)
    return out


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="feedd-cycle-")
        os.chmod(self.work, 0o755)
        self.corpus = Corpus(args.corpus)
        self.pg = Postgres(self.work, args.conninfo)
        self.nginx = Nginx(self.work, self.corpus)
        cycle_world.check_304(self.corpus, self.nginx)
        self.feedd = Feedd(args.feedd, self.work, self.pg,
                           f"  max_per_host: {MAX_PER_HOST}\n  max_concurrent: {CONNECTIONS}\n")
        self.templates = {}
        self.rows = []
        load = os.getloadavg()
        self.setup = (f"{len(HOSTS)} loopback hosts on one nginx ({self.nginx.port}), max_per_host {MAX_PER_HOST}, "
                      f"max_concurrent {CONNECTIONS}, nice {args.nice}, load at start {load[0]:.1f}")

    def urls(self, n):
        return [self.corpus.url(i, self.nginx.port) for i in range(n)]

    def template(self, n, table=None):
        """A database holding the first n corpus feeds, all due, and table - n
        more (never fetched) due tomorrow; cloned for every run."""
        table = table or n
        key = f"tmpl_{n}_{table}"
        if key not in self.templates:
            self.pg.fresh(key)
            self.feedd.import_urls(key, self.urls(n))
            # The others in one statement (`feeds import` of 99,000 feeds took
            # over 15 minutes); the table's triggers keep feed_hosts right.
            hosts = "ARRAY[" + ",".join(f"'{h}'" for h in HOSTS) + "]"
            self.pg.sql(key, f"INSERT INTO feeds (url, next_check_at) SELECT 'http://' || ({hosts})[1 + i % {len(HOSTS)}]"
                             f" || ':{self.nginx.port}/nd/' || i || '.xml', now() + interval '1 day'"
                             f" FROM generate_series(0, {table - n - 1}) AS i")
            self.templates[key] = True
        return key

    def fresh(self, db, n, table=None):
        self.pg.fresh(db, self.template(n, table))

    def make_due(self, db):
        self.pg.sql(db, "UPDATE feeds SET next_check_at = now()")
        self.settle(db)

    def settle(self, db):
        """VACUUM ANALYZE before a warm run. The cold run's new entries (48 a
        feed) set off autovacuum, which otherwise lands in the 1-3 s warm run
        or not, at random: warm runs were 3,000-4,400 feeds/s with an
        autovacuum worker running at their start and 6,200-8,000 without."""
        self.pg.sql(db, "VACUUM ANALYZE")

    def log(self, text):
        print(f"  [{time.strftime('%H:%M:%S')}] {text}", flush=True)

    def close(self):
        self.nginx.stop()
        self.pg.close()
        cycle_world.cleanup(self.work)


def cycles(b, n, reps, levels, with_wrk, wrk_seconds):
    """Per rep, per level (order alternating): cold and warm run --once on a
    fresh database, then wrk. Returns {level: {"cold": [..], "warm": [..]}}, wrk."""
    out = {lv: {"cold": [], "warm": [], "counts": [], "cpu_cold": [], "cpu_warm": []} for lv in levels}
    wrk = []
    for rep in range(reps):
        for level in (levels if rep % 2 == 0 else levels[::-1]):
            db = "cycle"
            b.fresh(db, n)
            secs, _, log = b.feedd.run_once(db, level)
            out[level]["cold"].append(n / secs)
            b.make_due(db)
            wsecs, _, wlog = b.feedd.run_once(db, level)
            out[level]["warm"].append(n / wsecs)
            out[level]["counts"].append((stopped_counts(log), stopped_counts(wlog)))
            out[level]["cpu_cold"].append(round(cycle_world.cpu_of(log) / secs, 3))
            out[level]["cpu_warm"].append(round(cycle_world.cpu_of(wlog) / wsecs, 3))
            b.log(f"rep {rep + 1} {level}: cold {n / secs:.0f} feeds/s (CPU {out[level]['cpu_cold'][-1]:.2f} of the "
                  f"wall), warm {n / wsecs:.0f} feeds/s (CPU {out[level]['cpu_warm'][-1]:.2f}); failed "
                  f"{stopped_counts(log).get('failed', '?')}, 304s {stopped_counts(wlog).get('not_modified', '?')}")
            if with_wrk and level == levels[0]:
                wrk.append(wrk_conditional(b.work, b.corpus, n, b.nginx, CONNECTIONS, wrk_seconds))
                b.log(f"rep {rep + 1} wrk: {wrk[-1]:.0f} requests/s")
    return out, wrk


def cycle_rows(b, n, reps, want, wrk_seconds):
    levels = ["info", "warning"] if "logging" in want else ["info"]
    res, wrk = cycles(b, n, reps, levels, "warm" in want, wrk_seconds)
    info = res["info"]
    per_feed_bytes, per_feed_entries = b.corpus.sizes(n)
    counts = info["counts"][0]
    note = f"{n} feeds, fresh database per run; {b.setup}"
    if "cold" in want:
        b.rows.append(row("cold cycle, 10,000 feeds", {"what": "run --once, empty database", "unit": "feeds/s",
                                                       "runs": info["cold"]}, None, {"op": ">=", "value": 0.8},
                          "higher", note, {"feeds": n, "bytes_per_feed": per_feed_bytes,
                                           "entries_per_feed": per_feed_entries, "first_run": counts[0],
                                           "feedd_cpu_per_wall": info["cpu_cold"]}))
    if "warm" in want:
        b.rows.append(row("warm cycle, all 304", {"what": "second run --once (all 304)", "unit": "feeds/s",
                                                  "runs": info["warm"]},
                          {"what": f"wrk, same conditional requests, {CONNECTIONS} connections",
                           "unit": "requests/s", "runs": wrk}, {"op": ">=", "value": 0.25}, "higher", note,
                          {"feeds": n, "first_run": counts[1], "feedd_cpu_per_wall": info["cpu_warm"]}))
    if "logging" in want:
        for phase in ("cold", "warm"):
            b.rows.append(row(f"logging cost, {phase}", {"what": f"{phase} run --once, log.level info",
                                                         "unit": "feeds/s", "runs": info[phase]},
                              {"what": f"{phase} run --once, log.level warning", "unit": "feeds/s",
                               "runs": res["warning"][phase]}, None, "higher",
                              f"reported, no target; log to a file; {note}"))


def rss_rows(b, due, table, reps):
    small, big = [], []
    for rep in range(reps):
        for size in ((table, due) if rep % 2 else (due, table)):
            b.fresh("rss", due, size)
            _, rss, _ = b.feedd.run_once("rss")
            (big if size == table else small).append(rss / 1024)
            b.log(f"rep {rep + 1} rss: {size} in the table: {rss / 1024:.1f} MiB")
    b.rows.append(row(f"peak RSS, {due:,} vs {table:,} feeds in the table",
                      {"what": f"run --once, {due} due of {table} in the table", "unit": "MiB", "runs": big},
                      {"what": f"run --once, {due} due of {due} in the table", "unit": "MiB", "runs": small},
                      {"op": "<=", "value": 1.1}, "lower",
                      f"interpretation: the same {due} due feeds (cold, fresh database per run), the other "
                      f"{table - due} in the table not due until tomorrow; peak RSS from /usr/bin/time; {b.setup}"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_row(b, n, window, reps):
    """`feedd run` with every feed's next check in the future."""
    b.fresh("idle", n)
    b.pg.sql("idle", "UPDATE feeds SET next_check_at = now() + interval '1 day'")
    log = open(os.path.join(b.work, "idle.log"), "w")
    p = subprocess.Popen([b.feedd.binary, "--config", b.feedd.config("idle"), "run"], stdout=subprocess.DEVNULL,
                         stderr=log, preexec_fn=cycle_world.niced)
    runs = []
    try:
        time.sleep(3)  # start-up: migrations, connections, the first claim
        for rep in range(reps):
            before, t0 = cpu_seconds(p.pid), time.monotonic()
            time.sleep(window)
            runs.append(100 * (cpu_seconds(p.pid) - before) / (time.monotonic() - t0))
            b.log(f"idle window {rep + 1}: {runs[-1]:.3f} % of a core")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        log.close()
    b.rows.append(row(f"idle CPU, nothing due, {window:g} s", {"what": "feedd run, utime+stime from /proc",
                                                               "unit": "% of a core", "runs": runs},
                      None, {"op": "<", "value": 0.5}, "lower",
                      f"{n} feeds, none due for a day; {reps} consecutive {window:g}-s windows of one daemon "
                      f"after 3 s of start-up; {b.setup}"))


def peers_rows(b, n, reps, candidates):
    urls = b.urls(n)
    threads, tried = cycle_peers.best_newsboat(b.work, urls, candidates)
    nb = cycle_peers.Newsboat(b.work, urls, threads)
    col = cycle_peers.Collector(b.work, b.pg, "collector", urls)
    sides = {k: [] for k in ("feedd_cold", "feedd_warm", "nb_cold", "nb_warm", "col_cold", "col_warm")}
    counts = {}
    for rep in range(reps):
        b.fresh("peers", n)
        nb.fresh()
        col.fresh()
        sides["feedd_cold"].append(n / b.feedd.run_once("peers")[0])
        sides["nb_cold"].append(n / nb.reload())
        secs, counts["collector_cold"] = col.reload()
        sides["col_cold"].append(n / secs)
        b.make_due("peers")
        b.settle(col.db)  # the collector's warm run gets the same
        sides["feedd_warm"].append(n / b.feedd.run_once("peers")[0])
        sides["nb_warm"].append(n / nb.reload())
        secs, counts["collector_warm"] = col.reload()
        sides["col_warm"].append(n / secs)
        b.log(f"rep {rep + 1} peers: " + ", ".join(f"{k} {v[-1]:.0f}" for k, v in sides.items()))
    counts["newsboat_items"] = nb.items()
    note = (f"first {n} corpus feeds, same nginx; newsboat reload-threads {threads} (best cold of "
            f"{', '.join(f'{t}: {r:.0f}/s' for t, r in tried.items())}); collector: 32 urllib threads, "
            f"queue 32, feedparser, psycopg2, commit per feed; each side run alternately; {b.setup}")
    extra = {"counts": counts, "newsboat_threads": threads}

    def side(key, what):
        return {"what": what, "unit": "feeds/s", "runs": sides[key]}

    b.rows.append(row("peers: cold vs newsboat", side("feedd_cold", "feedd run --once, cold"),
                      side("nb_cold", "newsboat -x reload, cold"), {"op": ">=", "value": 6}, "higher", note, extra))
    b.rows.append(row("peers: warm vs newsboat", side("feedd_warm", "feedd run --once, warm"),
                      side("nb_warm", "newsboat -x reload, warm"), {"op": ">=", "value": 100}, "higher", note))
    b.rows.append(row("peers: warm vs Python collector", side("feedd_warm", "feedd run --once, warm"),
                      side("col_warm", "bench/peers/collector.py, warm"), {"op": ">=", "value": 3}, "higher",
                      note))
    b.rows.append(row("peers: cold vs Python collector", side("feedd_cold", "feedd run --once, cold"),
                      side("col_cold", "bench/peers/collector.py, cold"), None, "higher",
                      "shown, no target; " + note))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feedd", required=True)
    ap.add_argument("--corpus", required=True, help="bench/corpus.py's output directory (manifest.json)")
    ap.add_argument("--conninfo", default="", help="a PostgreSQL server to create databases on")
    ap.add_argument("--json", required=True)
    ap.add_argument("--smoke", action="store_true", help="small sizes, one run each, 5-s idle window")
    ap.add_argument("--only", default=",".join(ROWS))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--nice", type=int, default=0)
    ap.add_argument("--feeds", type=int, default=10000, help="feeds of the cold and warm cycles")
    ap.add_argument("--peer-feeds", type=int, default=1000)
    ap.add_argument("--newsboat-threads", default="8,32,64", help="reload-threads to try, the best is used")
    args = ap.parse_args()
    want = set(args.only.split(","))
    if not want <= set(ROWS):
        ap.error(f"--only takes {','.join(ROWS)}")
    cycle_world.NICENESS = args.nice
    reps = 1 if args.smoke else args.reps
    b = Bench(args)
    have = len(b.corpus.feeds)
    n = min(100 if args.smoke else args.feeds, have)
    try:
        print(f"cycle.py: {b.setup}; corpus {have} feeds", flush=True)
        if want & {"cold", "warm", "logging"}:
            cycle_rows(b, n, reps, want, 1 if args.smoke else 5)
        if "rss" in want:
            rss_rows(b, min(50 if args.smoke else 1000, have), 1000 if args.smoke else 100000, reps)
        if "peers" in want:
            threads = [int(t) for t in args.newsboat_threads.split(",")]
            peers_rows(b, min(50 if args.smoke else args.peer_feeds, have), reps, threads[:1] if args.smoke
                       else threads)
        if "idle" in want:
            idle_row(b, min(100, have), 5 if args.smoke else 60, reps)
    finally:
        b.close()
    with open(args.json, "w") as f:
        json.dump(b.rows, f, indent=1)
    for r in b.rows:
        ratio = r["ratio"]["median"] if r["ratio"] else r["ours"]["median"]
        print(f"{r['row']:<48} {ratio:10.3f}  target {r['target']}")


if __name__ == "__main__":
    main()
