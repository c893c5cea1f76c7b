#!/usr/bin/env python3
"""End-to-end throughput and memory of `feedd run --once`.

Generates N RSS 2.0 / Atom / RSS 1.0 feeds (20 entries, ~10 KB each), serves
them with tests/support/fakefeed.py on 127.0.0.1, and runs
`/usr/bin/time -v feedd run --once` against a private PostgreSQL cluster:
first on an empty database (every entry new), then again with every feed due
(every answer a 304). Repeats on fresh databases and prints medians of
feeds/s and peak RSS.

    bench/run_once_bench.py --feedd build/feedd [--feeds 1000] [--repeat 3]
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def feed(i, entries=20):
    kind = i % 3
    items = []
    for j in range(entries):
        n = f"{i}-{j}"
        text = f"Entry {n} " + "lorem ipsum dolor sit amet " * 12
        if kind == 0:
            items.append(f"<item><title>Title {n}</title><link>https://example.org/{n}</link>"
                         f"<guid>urn:{n}</guid><pubDate>Tue, 02 Jan 2024 03:04:05 +0000</pubDate>"
                         f"<description>{text}</description><category>c{j % 4}</category></item>")
        elif kind == 1:
            items.append(f"<entry><id>urn:{n}</id><title>Title {n}</title><link href=\"https://example.org/{n}\"/>"
                         f"<updated>2024-01-02T03:04:05Z</updated><summary>{text}</summary></entry>")
        else:
            items.append(f"<item rdf:about=\"https://example.org/{n}\"><title>Title {n}</title>"
                         f"<link>https://example.org/{n}</link><description>{text}</description>"
                         f"<dc:date>2024-01-02T03:04:05Z</dc:date></item>")
    body = "".join(items)
    if kind == 0:
        return f"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {i}</title><link>https://example.org/</link>{body}</channel></rss>"
    if kind == 1:
        return f"<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Feed {i}</title><id>urn:f{i}</id>{body}</feed>"
    return ("<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
            "xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
            f"<channel rdf:about=\"https://example.org/\"><title>Feed {i}</title><link>https://example.org/</link></channel>{body}</rdf:RDF>")


def psql(sock, db, sql):
    cmd = ["psql", "-h", sock, "-p", "5432", "-U", "postgres", "-d", db, "-tAc", sql]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def start_fakefeed(root, work):
    """tests/support/fakefeed.py serving `root` on 127.0.0.1: (process, port)."""
    port_file = os.path.join(work, "port")
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "support", "fakefeed.py"),
                               "--root", root, "--port-file", port_file])
    for _ in range(100):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.1)
    return server, open(port_file).read().strip()


def write_opml(work, urls):
    """An OPML file in `work` listing `urls`; returns its path."""
    opml = os.path.join(work, "feeds.opml")
    with open(opml, "w") as f:
        f.write("<opml version=\"2.0\"><body>")
        for url in urls:
            f.write(f"<outline xmlUrl=\"{url}\"/>")
        f.write("</body></opml>")
    return opml


def xact_commit(sock, db):
    """Transactions committed in `db` so far (pg_stat_database; a backend
    reports its counts when it exits, so read after feedd has exited)."""
    time.sleep(1.0)
    return int(psql(sock, db, f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{db}'"))


_last_commits = {}


def commits_per_feed(sock, db, feeds):
    """Committed transactions per feed since the previous call for `db`."""
    now = xact_commit(sock, db)
    before = _last_commits.get(db, 0)
    # This read and the UPDATE between runs commit too.
    _last_commits[db] = now + 2
    return (now - before) / feeds


def timed_run(feedd, config):
    r = subprocess.run(["/usr/bin/time", "-v", feedd, "--config", config, "run", "--once"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("feedd failed:\n" + r.stderr[-3000:])
    wall = re.search(r"Elapsed \(wall clock\) time .*: (?:(\d+):)?(\d+):([\d.]+)", r.stderr)
    seconds = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3)))
    rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    stopped = re.search(r"event=stopped (.*)", r.stderr)
    return seconds, rss_kib, stopped.group(1) if stopped else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feedd", default=os.path.join(ROOT, "build", "feedd"))
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="feedd-bench-")
    os.chmod(work, 0o755)
    pgdir = os.path.join(work, "pg")
    server = None
    try:
        root = os.path.join(work, "feeds")
        os.makedirs(root)
        for i in range(args.feeds):
            with open(os.path.join(root, f"f{i}.xml"), "w") as f:
                f.write(feed(i))
        size = sum(os.path.getsize(os.path.join(root, n)) for n in os.listdir(root))
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "start", pgdir], check=True, capture_output=True)
        sock = os.path.join(pgdir, "run")
        server, port = start_fakefeed(root, work)
        opml = write_opml(work, [f"http://127.0.0.1:{port}/feeds/f{i}.xml" for i in range(args.feeds)])

        cold, warm = [], []
        for rep in range(args.repeat):
            db = f"bench{rep}"
            psql(sock, "postgres", f"DROP DATABASE IF EXISTS {db}")
            psql(sock, "postgres", f"CREATE DATABASE {db}")
            config = os.path.join(work, f"feedd{rep}.yaml")
            with open(config, "w") as f:
                f.write(f"database:\n  url: \"host={sock} port=5432 user=postgres dbname={db} {os.environ.get('BENCH_PGOPTS', '')}\"\n"
                        "fetch:\n  block_private_addresses: false\n  max_per_host: 64\n"
                        # --once after an import: every feed due at once, as the measurement assumes.
                        "schedule:\n  first_check_spread: 0s\n")
            subprocess.run([args.feedd, "--config", config, "feeds", "import", "--no-check", opml], check=True, capture_output=True)
            commits_per_feed(sock, db, args.feeds)  # from here on: the runs' commits only
            cold.append(timed_run(args.feedd, config) + (commits_per_feed(sock, db, args.feeds),))
            psql(sock, db, "UPDATE feeds SET next_check_at = now()")
            warm.append(timed_run(args.feedd, config) + (commits_per_feed(sock, db, args.feeds),))

        def report(name, runs):
            secs = statistics.median(r[0] for r in runs)
            rss = statistics.median(r[1] for r in runs)
            xacts = statistics.median(r[3] for r in runs)
            print(f"{name:<28} {args.feeds / secs:>9.0f} feeds/s {secs:>7.2f} s   peak RSS {rss / 1024:>6.1f} MiB"
                  f"   {xacts:.2f} commits/feed   ({runs[0][2]})")
            print("  runs: " + ", ".join(f"{args.feeds / r[0]:.0f}" for r in runs) + " feeds/s")

        print(f"{args.feeds} feeds, {size / 1e6:.1f} MB of XML, {args.repeat} runs each, medians")
        report("run --once, all new", cold)
        report("run --once, all 304", warm)
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "stop", pgdir], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
