"""bench/run's table: the rows every program wrote, the cold cycle's ceiling
computed from the parse and store rows, and machine facts (issue 12)."""

import datetime
import os
import platform
import statistics
import subprocess

# What each program must produce: a row whose name starts with one of these.
EXPECTED = {
    "parse": ["parse"],
    "store": ["store new entries", "store unchanged"],
    "cycle": ["cold cycle", "warm cycle", "logging cost", "peak RSS", "idle CPU", "peers: cold vs newsboat",
              "peers: warm vs newsboat", "peers: warm vs Python collector"],
}
# cycle.py's --only names for the rows above, for bench/run --only.
CYCLE_ONLY = {"cold cycle": "cold", "warm cycle": "warm", "logging cost": "logging", "peak RSS": "rss",
              "idle CPU": "idle", "peers": "peers"}


def summary(runs):
    return {"median": statistics.median(runs), "min": min(runs), "max": max(runs), "runs": list(runs)}


def median_of(side):
    if not side:
        return None
    return side["median"] if "median" in side else statistics.median(side["runs"])


def find(rows, prefix):
    return next((r for r in rows if r.get("row", "").startswith(prefix)), None)


def cold_ceiling(rows):
    """The cold cycle's "against": parse + store of its corpus per feed, from
    the parse row's seconds per byte (feedd's own parser, every format) and
    the store-new row's COPY rows/s, for the cycle corpus's bytes and entries
    per feed. Fills the cold row in place; returns why not when it cannot."""
    cold, parse, store = find(rows, "cold cycle"), find(rows, "parse"), find(rows, "store new entries")
    if not cold or cold.get("against"):
        return None
    missing = [name for name, r in (("parse", parse), ("store new entries", store)) if not r]
    if missing:
        return "no ceiling: " + ", ".join(missing) + " not run"
    extra = cold.get("extra") or {}
    per_byte = parse["extra"]["all_formats"]["s_per_byte"]
    copy_rows_s = median_of(store["against"])
    parse_s = per_byte * extra["bytes_per_feed"]
    store_s = extra["entries_per_feed"] / copy_rows_s
    ceiling = 1.0 / (parse_s + store_s)
    cold["against"] = {"what": "parse + store ceiling: feedd's parse (parse row) + COPY of the entries (store new "
                               "entries row) per feed of this corpus", "unit": "feeds/s", "runs": [ceiling],
                       "median": ceiling, "parse_ms_per_feed": 1000 * parse_s, "store_ms_per_feed": 1000 * store_s}
    cold["ratio"] = summary([x / ceiling for x in cold["ours"]["runs"]])
    return None


def met(row):
    target = row.get("target")
    if not target:
        return "-"
    value = row["ratio"]["median"] if row.get("ratio") else median_of(row["ours"])
    op, bound = target["op"], target["value"]
    ok = {">=": value >= bound, "<=": value <= bound, "<": value < bound, ">": value > bound}[op]
    return "yes" if ok else "no"


def number(x):
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"


def side_text(side):
    if not side:
        return "-"
    return f"{number(median_of(side))} {side.get('unit', '')}".strip()


def lines(rows, not_run):
    """The printed table: one line a row, then the rows that did not run."""
    head = ["row", "ours", "against", "ratio median [min-max]", "target", "met"]
    body = []
    for r in rows:
        ratio = r.get("ratio")
        ratio_text = f"{number(ratio['median'])} [{number(ratio['min'])}-{number(ratio['max'])}]" if ratio else "-"
        target = r.get("target")
        body.append([r["row"], side_text(r["ours"]), side_text(r.get("against")), ratio_text,
                     f"{target['op']} {target['value']}" if target else "-", met(r)])
    for name, reason in not_run:
        body.append([name, "not run", reason, "", "", ""])
    widths = [max(len(line[i]) for line in [head] + body) for i in range(len(head))]
    out = [" | ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in [head] + body]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return out


def markdown(rows, not_run):
    """The same table for README's "Performance" section."""
    out = ["| row | ours | against | ratio median [min–max] | target | met |", "|---|---|---|---|---|---|"]
    for r in rows:
        ratio = r.get("ratio")
        ratio_text = f"{number(ratio['median'])} [{number(ratio['min'])}–{number(ratio['max'])}]" if ratio else "—"
        target = r.get("target")
        out.append(f"| {r['row']} | {side_text(r['ours'])} | {side_text(r.get('against'))} | {ratio_text} | "
                   f"{target['op'] + ' ' + str(target['value']) if target else '—'} | {met(r)} |")
    out += [f"| {name} | not run | {reason} | | | |" for name, reason in not_run]
    return out


def machine(root):
    def run(*args):
        try:
            return subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            memory = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "kernel": platform.release(),
            "postgresql": run("psql", "--version"), "git_commit": run("git", "rev-parse", "HEAD"),
            "git_dirty": bool(run("git", "status", "--porcelain", "--untracked-files=no")),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
