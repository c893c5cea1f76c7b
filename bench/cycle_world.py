"""The parts bench/cycle.py runs its rows on: the corpus served by nginx
over several loopback addresses, wrk against that nginx, a PostgreSQL
server to make databases on, and `feedd` runs timed from start to exit.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from email.utils import formatdate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
NICENESS = 0


def niced():
    if NICENESS:
        os.nice(NICENESS)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        return s.getsockname()[1]


class Corpus:
    """bench/corpus.py's manifest: the files and their content types."""

    def __init__(self, directory):
        self.dir = os.path.abspath(directory)
        with open(os.path.join(self.dir, "manifest.json")) as f:
            self.manifest = json.load(f)
        self.feeds = self.manifest["feeds"]
        # One nginx location per content type: /t<k>/<path> serves <path>
        # with that type, so every file gets the type its manifest names.
        self.types = sorted({f["content_type"] for f in self.feeds})

    def path(self, i):
        feed = self.feeds[i]
        return f"/t{self.types.index(feed['content_type'])}/{feed['path']}"

    def url(self, i, port):
        return f"http://{HOSTS[i % len(HOSTS)]}:{port}{self.path(i)}"

    def validators(self, i):
        """The ETag and Last-Modified nginx sends for feed i (from the file's
        size and mtime, as ngx_http_static_module makes them)."""
        st = os.stat(os.path.join(self.dir, self.feeds[i]["path"]))
        mtime = int(st.st_mtime)
        return f'"{mtime:x}-{st.st_size:x}"', formatdate(mtime, usegmt=True)

    def sizes(self, n):
        chosen = self.feeds[:n]
        return (sum(f["bytes"] for f in chosen) / n, sum(f["entries"] for f in chosen) / n)


class Nginx:
    """Debian's nginx serving the corpus, run in the foreground from a
    config of our own in `work`."""

    def __init__(self, work, corpus, workers=2):
        self.port = free_port()
        self.dir = os.path.join(work, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        listen = "".join(f"    listen {h}:{self.port} reuseport;\n" for h in HOSTS)
        locations = "".join(
            f"    location /t{k}/ {{ alias {corpus.dir}/; types {{ }} default_type \"{t}\"; }}\n"
            for k, t in enumerate(corpus.types))
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = (f"{user}worker_processes {workers};\ndaemon off;\npid {self.dir}/nginx.pid;\n"
                f"error_log {self.dir}/error.log warn;\nevents {{ worker_connections 4096; }}\n"
                "http {\n    access_log off;\n    sendfile on;\n    tcp_nopush on;\n"
                "    keepalive_requests 1000000;\n    keepalive_timeout 120s;\n"
                "    open_file_cache max=200000 inactive=10m;\n    open_file_cache_valid 10m;\n"
                f"    client_body_temp_path {self.dir}/body;\n    proxy_temp_path {self.dir}/proxy;\n"
                f"    fastcgi_temp_path {self.dir}/fastcgi;\n    uwsgi_temp_path {self.dir}/uwsgi;\n"
                f"    scgi_temp_path {self.dir}/scgi;\n"
                f"  server {{\n{listen}{locations}  }}\n}}\n")
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.process = subprocess.Popen(["nginx", "-c", self.conf, "-p", self.dir, "-e", f"{self.dir}/error.log"],
                                        preexec_fn=niced, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection((HOSTS[-1], self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        sys.exit("nginx did not start:\n" + open(os.path.join(self.dir, "error.log")).read()[-2000:])

    def stop(self):
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


WRK_LUA = """
local paths = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do
    local p, etag, lm = line:match("([^\\t]+)\\t([^\\t]+)\\t([^\\t]+)")
    paths[#paths + 1] = {p, {["If-None-Match"] = etag, ["If-Modified-Since"] = lm}}
  end
  i = math.random(#paths)
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i][1], paths[i][2])
end
"""


def wrk_conditional(work, corpus, n, nginx, connections, seconds):
    """wrk against every host at once, cycling over the same n paths with the
    same If-None-Match/If-Modified-Since feedd sends: requests/s, summed."""
    script = os.path.join(work, "conditional.lua")
    with open(script, "w") as f:
        f.write(WRK_LUA)
    procs = []
    for h, host in enumerate(HOSTS):
        listing = os.path.join(work, f"paths-{h}.tsv")
        with open(listing, "w") as f:
            for i in range(h, n, len(HOSTS)):
                etag, modified = corpus.validators(i)
                f.write(f"{corpus.path(i)}\t{etag}\t{modified}\n")
        per_host = max(1, connections // len(HOSTS))
        procs.append(subprocess.Popen(
            ["wrk", "-t1", f"-c{per_host}", f"-d{seconds}s", "-s", script, f"http://{host}:{nginx.port}/",
             "--", listing], stdout=subprocess.PIPE, text=True, preexec_fn=niced))
    total = 0.0
    for p in procs:
        out, _ = p.communicate(timeout=seconds + 60)
        m = re.search(r"Requests/sec:\s+([\d.]+)", out)
        if p.returncode != 0 or not m or "Non-2xx" in out:
            sys.exit("wrk failed or saw answers other than 304:\n" + out)
        total += float(m.group(1))
    return total


def check_304(corpus, nginx):
    """One conditional GET with the validators wrk sends: nginx must say 304."""
    import urllib.request
    etag, modified = corpus.validators(0)
    req = urllib.request.Request(corpus.url(0, nginx.port), headers={"If-None-Match": etag,
                                                                    "If-Modified-Since": modified})
    try:
        urllib.request.urlopen(req, timeout=10)
    except urllib.error.HTTPError as e:
        if e.code == 304:
            return
    sys.exit("nginx did not answer 304 to the validators computed from the file")


class Postgres:
    """Databases on a server: the one --conninfo names, else a private
    cluster started here (scripts/pg-cluster)."""

    def __init__(self, work, conninfo):
        self.cluster = None
        if not conninfo:
            self.cluster = os.path.join(work, "pg")
            out = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "start", self.cluster], check=True,
                                 capture_output=True, text=True).stdout
            conninfo = out.strip().splitlines()[-1]
            if NICENESS:
                with open(os.path.join(self.cluster, "data", "postmaster.pid")) as f:
                    subprocess.run(["renice", "-n", str(NICENESS), "-p", f.readline().strip()], check=True,
                                   capture_output=True)
        # Later keywords win in a libpq conninfo: "<server> dbname=X" names X.
        self.server = re.sub(r"\bdbname=\S+", "", conninfo).strip()

    def conninfo(self, db):
        return f"{self.server} dbname={db}"

    def sql(self, db, statement):
        return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-d", self.conninfo(db), "-c",
                               statement], check=True, capture_output=True, text=True).stdout.strip()

    def fresh(self, db, template=None):
        self.sql("postgres", f"DROP DATABASE IF EXISTS {db}")
        self.sql("postgres", f"CREATE DATABASE {db}" + (f" TEMPLATE {template}" if template else ""))

    def close(self):
        if self.cluster:
            subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "stop", self.cluster], capture_output=True)


class Feedd:
    """`feedd` with a config per database in `work`."""

    def __init__(self, binary, work, pg, fetch_yaml):
        self.binary = os.path.abspath(binary)
        self.work = work
        self.pg = pg
        self.fetch_yaml = fetch_yaml

    def config(self, db, level="info"):
        path = os.path.join(self.work, f"{db}-{level}.yaml")
        with open(path, "w") as f:
            f.write(f"database:\n  url: \"{self.pg.conninfo(db)}\"\n"
                    # --once after an import: every feed due at once.
                    "schedule:\n  first_check_spread: 0s\n"
                    f"log:\n  level: {level}\n  format: text\n"
                    f"fetch:\n  block_private_addresses: false\n{self.fetch_yaml}")
        return path

    def import_urls(self, db, urls):
        opml = os.path.join(self.work, f"{db}.opml")
        with open(opml, "w") as f:
            f.write("<opml version=\"2.0\"><body>")
            f.writelines(f"<outline xmlUrl=\"{u}\"/>" for u in urls)
            f.write("</body></opml>")
        # Setup, not measured: `feeds import` commits every feed, and at a
        # WAL flush each (~5 ms here) 100,000 feeds took over 15 minutes.
        env = dict(os.environ, PGOPTIONS="-c synchronous_commit=off")
        subprocess.run([self.binary, "--config", self.config(db), "feeds", "import", "--no-check", opml], check=True,
                       capture_output=True, env=env)

    def run_once(self, db, level="info", wrap=()):
        """`run --once`: (seconds from start to exit, peak RSS in KiB, its log).
        The log goes to a file, as a daemon's lines go to the journal; its
        last line is /usr/bin/time's (peak RSS, user and system CPU s)."""
        log = os.path.join(self.work, f"{db}-{level}.log")
        with open(log, "w") as out:
            start = time.monotonic()
            p = subprocess.Popen(list(wrap) + ["/usr/bin/time", "-f", "maxrss_kib=%M cpu_user_s=%U cpu_sys_s=%S", self.binary, "--config",
                                               self.config(db, level), "run", "--once"],
                                 stdout=subprocess.DEVNULL, stderr=out, preexec_fn=niced)
            p.wait(timeout=3600)
            seconds = time.monotonic() - start
        text = open(log).read()
        if p.returncode != 0:
            sys.exit(f"feedd run --once failed ({p.returncode}):\n" + text[-3000:])
        rss = re.findall(r"maxrss_kib=(\d+)", text)
        return seconds, int(rss[-1]) if rss else 0, text


def cpu_of(log):
    """feedd's CPU seconds (user + system) from run_once's log."""
    m = re.findall(r"cpu_user_s=([\d.]+) cpu_sys_s=([\d.]+)", log)
    return float(m[-1][0]) + float(m[-1][1]) if m else None


def stopped_counts(log):
    """The counts of the `event=stopped` line (only logged at info)."""
    m = re.search(r"event=stopped (.*)", log)
    return dict(kv.split("=", 1) for kv in m.group(1).split()) if m else {}


def cleanup(work):
    shutil.rmtree(work, ignore_errors=True)
