"""The soak run's checks, on what soak.py collected: the servers' statistics
and fault log, the database after the daemon stopped, its log and the
/proc samples."""

import datetime
import json
import re

FAULTS = ("timeout", "reset", "5xx", "429")
LOG_FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')


def parse_log(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        fields = {}
        for key, value in LOG_FIELD.findall(line):
            fields[key] = value[1:-1] if value.startswith('"') else value
        if fields:
            yield fields


def error_class(error):
    if "timed out" in error:
        return "timeout"
    if re.search(r"http: 429\b", error):
        return "429"
    if re.search(r"http: 5\d\d\b", error):
        return "5xx"
    if "reset" in error or "end of stream" in error or "connection" in error or "eof" in error.lower():
        return "reset"
    return "other"


def read_log(path):
    """Counts of events, fetch errors by class (and samples of each), database events."""
    events, errors, samples, database, stopped = {}, {}, {}, [], None
    new_total, earlier_try = 0, 0
    for f in parse_log(path):
        event = f.get("event", "")
        key = f"{event}:{f.get('level', '')}"
        events[key] = events.get(key, 0) + 1
        if event == "fetch" and "new" in f:
            new_total += int(f["new"])
        if event == "fetch" and f.get("stored") == "earlier_try":
            earlier_try += 1
        if event == "fetch" and "error" in f:
            kind = error_class(f["error"])
            errors[kind] = errors.get(kind, 0) + 1
            samples.setdefault(kind, {})
            samples[kind][f["error"]] = samples[kind].get(f["error"], 0) + 1
        elif event.startswith("database") or event in ("lease_lost",):
            database.append({k: f[k] for k in f if k in ("time", "level", "event", "step", "try", "error", "backoff_ms",
                                                           "down_ms", "ms")})
        elif event == "stopped":
            stopped = f
    return {"events": events, "fetch_errors": errors, "new_entries_logged": new_total,
            "stored_on_earlier_try": earlier_try, "error_texts": samples, "database": database,
            "stopped": stopped}


def slope(points):
    """Least-squares slope of (t, y)."""
    n = len(points)
    if n < 2:
        return None
    mt = sum(t for t, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (y - my) for t, y in points) / den if den else None


def resources(samples, warmup):
    after = [s for s in samples if s["t"] >= warmup] or samples
    out = {"samples": len(samples), "warmup_s": warmup, "series": samples}
    for key, unit in (("rss_kib", "kib_per_min"), ("fds", "fds_per_min")):
        values = [s[key] for s in samples]
        s = slope([(x["t"] / 60.0, x[key]) for x in after])
        out[key] = {"first": values[0] if values else None, "last": values[-1] if values else None,
                    "max": max(values) if values else None, "first_after_warmup": after[0][key] if after else None,
                    unit: round(s, 3) if s is not None else None}
    return out


def entries(soak, served):
    """Every entry served in a complete 200 stored once, under its own feed."""
    rows = soak.database_rows("SELECT f.url, e.guid, count(*) OVER (PARTITION BY e.guid) FROM entries e "
                              "JOIN feeds f ON f.id = e.feed_id")
    expected = {f"soak/{name}/{j}" for name, js in served["published"].items() for j in js}
    stored, duplicates, foreign = set(), 0, 0
    for url, guid, copies in rows:
        if int(copies) > 1:
            duplicates += 1
        stored.add(guid)
        if url.rsplit("/", 1)[-1][:-4] != guid.split("/")[1]:
            foreign += 1
    missing = sorted(expected - stored)
    unexpected = sorted(stored - expected)
    return {"expected": len(expected), "stored_rows": len(rows), "stored_distinct": len(stored),
            "duplicate_rows": duplicates, "missing": len(missing), "missing_sample": missing[:20],
            "not_published": len(unexpected), "not_published_sample": unexpected[:20], "under_other_feed": foreign}


def feeds(soak, feeds_count):
    p = soak.p
    # A good fetch comes back within the interval, a failing feed within its
    # backoff (+10 % jitter), a paused host within Retry-After; plus a lease
    # for a claim that waited and a minute for a loaded machine.
    bound = 1.1 * max(p["interval"], p["backoff_max"], p["retry_after"]) + p["lease"] + 60
    rows = soak.database_rows(
        "SELECT id, url, extract(epoch FROM next_check_at - now())::int, "
        "coalesce(extract(epoch FROM now() - last_checked_at)::int, -1), error_count, disabled, "
        "coalesce(claimed_by, ''), lease_until IS NOT NULL, coalesce(lease_until > now(), false), "
        "coalesce(moved_to, '') FROM feeds ORDER BY id")
    stuck, leased, held_live, disabled, moved, failing = [], 0, 0, 0, 0, 0
    worst_next, worst_age = None, None
    for fid, url, next_in, age, errors, dis, claimed_by, has_lease, live, _ in rows:
        next_in, age = int(next_in), int(age)
        worst_next = next_in if worst_next is None else max(worst_next, next_in)
        worst_age = age if worst_age is None else max(worst_age, age)
        leased += has_lease == "t" or claimed_by != ""
        held_live += live == "t"
        disabled += dis == "t"
        moved += "/moved/" in url
        failing += int(errors) > 0
        if dis == "t" or next_in > bound or age < 0 or age > bound:
            stuck.append({"id": fid, "url": url, "next_in_s": next_in, "last_check_age_s": age, "errors": errors})
    return {"feeds": len(rows), "imported": feeds_count, "bound_s": round(bound), "stuck": len(stuck),
            "stuck_sample": stuck[:20], "max_next_check_in_s": worst_next, "max_last_check_age_s": worst_age,
            "claimed_after_exit": leased, "lease_live_after_exit": held_live, "disabled": disabled,
            "moved": moved, "failing_at_end": failing}


def faults_during_outages(soak, served):
    """Faults the server answered while PostgreSQL was down, by kind."""
    out = {}
    try:
        lines = [json.loads(line) for line in open(soak.fault_log)]
    except OSError:
        return out
    for o in soak.outages:
        for f in lines:
            if o["stop_requested"] <= f["t"] <= o["started"]:
                out[f["kind"]] = out.get(f["kind"], 0) + 1
    return out


def accounting(served, log):
    """Faults the servers answered against fetch errors the daemon logged, per kind.
    The daemon retries a request once on a new connection when a kept-alive one
    fails before any answer (a reset there may just be an idle close), so a
    reset on a reused connection is one fetch with two resets; every other
    fault is one request, one fetch, one logged error."""
    rows = {}
    for kind, injected in served["faults"].items():
        reused = served["faults_on_reused_connections"][kind]
        expected = injected - reused if kind == "reset" else injected
        logged = log["fetch_errors"].get(kind, 0)
        rows[kind] = {"injected": injected, "on_reused_connection": reused, "expected_logged": expected,
                      "logged": logged, "difference": logged - expected}
    rows["429"]["host_paused_logged"] = log["events"].get("host_paused:info", 0)
    rows["other_errors_logged"] = log["fetch_errors"].get("other", 0)
    return rows


def epoch(iso):
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def outages(soak, log):
    """Each outage with the daemon's database lines during it and how long after
    PostgreSQL was back the daemon reconnected."""
    out = []
    for o in soak.outages:
        lines = [d for d in log["database"] if "time" in d and o["stop_requested"] <= epoch(d["time"])]
        after = [d for d in lines if d["event"] == "database_reconnected" and epoch(d["time"]) >= o["started"] - 5]
        during = [d for d in lines if epoch(d["time"]) <= (epoch(after[0]["time"]) if after else float("inf"))]
        out.append({**o, "log_lines": len(during), "errors": sorted({d.get("error", "")[:120] for d in during} - {""}),
                    "steps": sorted({d.get("step", "") for d in during}),
                    "reconnected_s_after_start": round(epoch(after[0]["time"]) - o["started"], 1) if after else None})
    return out


def check(soak, ended):
    served = ended["served"]
    log = read_log(soak.log)
    report = {
        "setup": {"feeds": soak.args.feeds, "minutes": soak.args.minutes, "profile": soak.p,
                  "work": soak.work, "nice": soak.args.nice, "started_at": soak.started_at, "ended_at": soak.ended_at},
        "exit_code": ended["exit_code"], "stop_s": ended["stop_s"],
        "server": {"faults": served["faults"], "answers": served["answers"],
                   "faults_during_pg_outages": faults_during_outages(soak, served)},
        "logged": log,
        "entries": entries(soak, served),
        "feed_state": feeds(soak, soak.args.feeds),
        "resources": resources(soak.samples, soak.p["warmup"]),
        "pg_outages": outages(soak, log),
        "faults_vs_logged": accounting(served, log),
        "moved_feeds_logged": log["events"].get("feed_moved:info", 0),
        "moved_feeds_served_301": len(served["moved"]),
    }
    e, f = report["entries"], report["feed_state"]
    # Every entry stored was logged as new by the fetch that stored it (a retry
    # after a lost COMMIT answer logs stored=earlier_try instead).
    report["entries"]["logged_new"] = log["new_entries_logged"]
    report["entries"]["logged_stored_on_earlier_try"] = log["stored_on_earlier_try"]
    counted = all(v["difference"] == 0 for k, v in report["faults_vs_logged"].items() if k in FAULTS)
    report["passed"] = (report["exit_code"] == 0 and counted and report["faults_vs_logged"]["other_errors_logged"] == 0
                        and e["missing"] == 0 and e["duplicate_rows"] == 0
                        and e["not_published"] == 0 and e["under_other_feed"] == 0 and f["stuck"] == 0
                        and f["lease_live_after_exit"] == 0 and f["feeds"] == f["imported"])
    return report


def show(r):
    e, f, res = r["entries"], r["feed_state"], r["resources"]
    print(f"\nsoak: {r['setup']['feeds']} feeds, {r['setup']['minutes']} min; daemon exit {r['exit_code']} "
          f"after SIGTERM ({r['stop_s']} s)")
    print(f"  entries: expected {e['expected']}, stored {e['stored_distinct']} ({e['stored_rows']} rows), "
          f"missing {e['missing']}, duplicate rows {e['duplicate_rows']}, not published {e['not_published']}, "
          f"under another feed {e['under_other_feed']}; logged new {e['logged_new']} "
          f"(+{e['logged_stored_on_earlier_try']} fetches logged stored=earlier_try)")
    print(f"  server answers {r['server']['answers']}")
    print("  faults injected vs fetch errors logged:")
    for kind, row in r["faults_vs_logged"].items():
        print(f"    {kind}: {row}")
    print(f"  faults while PostgreSQL was down {r['server']['faults_during_pg_outages']}")
    print(f"  feeds moved (logged feed_moved) {r['moved_feeds_logged']}, now at /moved/ {f['moved']}, "
          f"answered 301 {r['moved_feeds_served_301']}")
    for key, unit in (("rss_kib", "kib_per_min"), ("fds", "fds_per_min")):
        x = res[key]
        print(f"  {key}: first {x['first']}, after warm-up {x['first_after_warmup']}, last {x['last']}, "
              f"max {x['max']}, slope after {res['warmup_s']} s: {x[unit]} {unit}")
    print(f"  feeds: {f['feeds']} (imported {f['imported']}), stuck {f['stuck']} (bound {f['bound_s']} s), "
          f"latest next check in {f['max_next_check_in_s']} s, oldest last check {f['max_last_check_age_s']} s ago, "
          f"claimed after exit {f['claimed_after_exit']}, disabled {f['disabled']}, failing {f['failing_at_end']}")
    for o in r["pg_outages"]:
        print(f"  PostgreSQL down {o['down_s']} s: {o['log_lines']} database log lines, steps {o['steps']}, "
              f"reconnected {o['reconnected_s_after_start']} s after it was back; errors {o['errors']}")
    print(f"  log events {r['logged']['events']}")
    print("  passed" if r["passed"] else "  FAILED")
