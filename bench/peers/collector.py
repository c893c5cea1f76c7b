#!/usr/bin/python3
"""The classic Python threaded feed collector feedd's design descends from,
as a peer for bench/cycle.py (issue 12): a pool of fetch threads with
urllib doing conditional GETs (ETag, Last-Modified), a bounded queue.Queue,
and one thread parsing with feedparser and storing with psycopg2 into
tables of the same shape as feedd's, committing once per feed.

    /usr/bin/python3 bench/peers/collector.py --conninfo "host=... dbname=x" --urls FILE --setup
    /usr/bin/python3 bench/peers/collector.py --conninfo "host=... dbname=x" [--threads 32]

Debian's python3-feedparser and python3-psycopg2 (hence /usr/bin/python3).
Prints one JSON line: feeds, not_modified, failed, entries_new, seconds.
"""

import argparse
import calendar
import json
import queue
import threading
import time
import urllib.error
import urllib.request

import feedparser
import psycopg2

SCHEMA = """
CREATE TABLE IF NOT EXISTS collector_feeds (
    id bigserial PRIMARY KEY, url text NOT NULL UNIQUE, title text, etag text, last_modified text,
    last_status int, last_checked_at timestamptz, next_check_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS collector_entries (
    id bigserial PRIMARY KEY, feed_id bigint NOT NULL REFERENCES collector_feeds ON DELETE CASCADE,
    guid text NOT NULL, title text, link text, summary text, content text, author text,
    published_at timestamptz, updated_at timestamptz, first_seen_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (feed_id, guid));
"""

UPSERT = """
INSERT INTO collector_entries AS e (feed_id, guid, title, link, summary, content, author, published_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (feed_id, guid) DO UPDATE SET title = EXCLUDED.title, link = EXCLUDED.link,
    summary = EXCLUDED.summary, content = EXCLUDED.content, author = EXCLUDED.author,
    published_at = EXCLUDED.published_at, updated_at = EXCLUDED.updated_at
WHERE (e.title, e.link, e.summary, e.content) IS DISTINCT FROM
      (EXCLUDED.title, EXCLUDED.link, EXCLUDED.summary, EXCLUDED.content)
RETURNING (xmax = 0)
"""

DONE = object()


def fetch(url, etag, modified, timeout=30):
    """(status, body, etag, last_modified) of a conditional GET."""
    headers = {"User-Agent": "bench-collector/1"}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as r:
            return r.status, r.read(), r.headers.get("ETag"), r.headers.get("Last-Modified")
    except urllib.error.HTTPError as e:
        return e.code, b"", etag, modified
    except OSError:
        return 0, b"", etag, modified


def fetcher(work, results):
    while True:
        try:
            feed = work.get_nowait()
        except queue.Empty:
            results.put(DONE)
            return
        feed_id, url, etag, modified = feed
        results.put((feed_id,) + fetch(url, etag, modified))


def timestamp(entry, key):
    parsed = entry.get(key + "_parsed")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(parsed))) if parsed else None


def store(cur, feed_id, status, body, etag, modified, counts):
    """One feed, one transaction (the caller commits)."""
    if status == 304:
        counts["not_modified"] += 1
    elif status == 200:
        parsed = feedparser.parse(body)
        for e in parsed.entries:
            guid = e.get("id") or e.get("link") or e.get("title") or ""
            content = e["content"][0].get("value") if e.get("content") else None
            cur.execute(UPSERT, (feed_id, guid, e.get("title"), e.get("link"), e.get("summary"), content,
                                 e.get("author"), timestamp(e, "published"), timestamp(e, "updated")))
            row = cur.fetchone()
            if row and row[0]:
                counts["entries_new"] += 1
        cur.execute("UPDATE collector_feeds SET title = %s WHERE id = %s", (parsed.feed.get("title"), feed_id))
        counts["fetched"] += 1
    else:
        counts["failed"] += 1
    cur.execute("UPDATE collector_feeds SET etag = %s, last_modified = %s, last_status = %s, last_checked_at = now(),"
                " next_check_at = now() + interval '30 minutes' WHERE id = %s", (etag, modified, status, feed_id))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conninfo", required=True)
    ap.add_argument("--urls")
    ap.add_argument("--threads", type=int, default=32)
    ap.add_argument("--queue", type=int, default=32)
    ap.add_argument("--setup", action="store_true", help="create the tables, add the URLs, and exit")
    args = ap.parse_args()

    db = psycopg2.connect(args.conninfo)
    cur = db.cursor()
    if args.setup:
        cur.execute(SCHEMA)
        with open(args.urls) as f:
            cur.executemany("INSERT INTO collector_feeds (url) VALUES (%s) ON CONFLICT DO NOTHING",
                            [(u.strip(),) for u in f if u.strip()])
        db.commit()
        return

    start = time.monotonic()
    # Every run checks every feed, as the cycle does.
    cur.execute("SELECT id, url, etag, last_modified FROM collector_feeds ORDER BY id")
    work = queue.Queue()
    for row in cur.fetchall():
        work.put(row)
    db.commit()
    results = queue.Queue(maxsize=args.queue)
    threads = [threading.Thread(target=fetcher, args=(work, results), daemon=True) for _ in range(args.threads)]
    for t in threads:
        t.start()
    counts = {"fetched": 0, "not_modified": 0, "failed": 0, "entries_new": 0}
    running = len(threads)
    while running:
        item = results.get()
        if item is DONE:
            running -= 1
            continue
        store(cur, *item, counts)
        db.commit()
    counts["seconds"] = time.monotonic() - start
    counts["feeds"] = counts["fetched"] + counts["not_modified"] + counts["failed"]
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
