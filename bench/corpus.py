#!/usr/bin/env python3
"""A deterministic, realistic feed corpus for the benchmarks (issue 12).

    bench/corpus.py --out DIR --feeds N [--seed S]

Writes DIR/feeds/NNNNN.{xml,json} and DIR/manifest.json:
  {"version", "seed", "feeds": [{"path", "format", "encoding", "content_type",
   "bytes", "entries"}], "total_bytes", "total_entries"}
The same seed and N give the same bytes on any machine (Python's str seeding
of random.Random is stable across runs and versions >= 3.2), and feed i does
not depend on N, so a smaller corpus is a prefix of a bigger one.

Shape, after what real feeds look like (the issue's "median ~50 KB, ~45
entries, some over 1 MB"):
- formats: RSS 2.0 55 %, Atom 25 %, RDF (RSS 1.0) 10 %, JSON Feed 10 %;
- entries log-normal around 45 (5..200); sizes log-normal (sigma 0.75,
  4 KB..900 KB; median about 55 KB with each entry's fixed part), and every
  feed whose index is 137 modulo 1,000 a full-content feed of 1.1-3 MB;
- 70 % of the XML feeds carry full content besides a summary, the rest
  summaries only;
- HTML as escaped text and as CDATA (RSS content:encoded), Atom xhtml,
  links and images (relative in a fifth of the feeds), entities and numeric
  character references, now and then a script or iframe the sanitizer must drop;
- text in English, French/German/Spanish, Russian, Greek, Japanese, Chinese
  and Arabic, with emoji; encodings declared in the XML declaration and,
  for about half the feeds, in Content-Type: UTF-8 mostly, ISO-8859-1,
  windows-1252, UTF-16 (LE and BE, with BOM), KOI8-R and Shift_JIS (each
  with text it can represent; the parser reads ISO-8859-1 as windows-1252 and
  Shift_JIS as windows-31j, per WHATWG);
- dates RFC 822 with several zone forms, RFC 3339, W3CDTF; enclosures and
  categories (RSS, Atom link rel=enclosure, dc:subject, JSON attachments).
"""

import argparse
import json
import math
import os
import random
import sys
import time

VERSION = 2

WORDS = {
    "en": "the feed release kernel update weekly notes security fix daemon storage queue reader archive summary "
          "news report patch server network county council market team season review guide video podcast "
          "episode science climate health budget school bridge river election policy research data".split(),
    "fr": "café été déjà réseau données élève forêt château garçon français noël hôpital théâtre".split(),
    "de": "über straße größe müller grün schön mädchen fußball käse zürich bäcker".split(),
    "es": "año niño señor mañana canción educación información economía política corazón".split(),
    "ru": "новости обновление выпуск ядро сеть данные город погода рынок школа наука здоровье "
          "правительство спорт культура история".split(),
    "el": "ειδήσεις ενημέρωση δίκτυο δεδομένα πόλη καιρός αγορά σχολείο επιστήμη υγεία".split(),
    "ja": "日本 東京 ニュース 更新 天気 経済 政治 科学 技術 社会 スポーツ 文化 大学 電車 地震".split(),
    "zh": "新闻 更新 网络 数据 城市 天气 市场 学校 科学 健康 政府 体育 文化 历史".split(),
    "ar": "أخبار تحديث شبكة بيانات مدينة طقس سوق مدرسة علوم صحة حكومة رياضة ثقافة".split(),
    "emoji": "🎉 🚀 ✅ 🔥 📈 🌍 ☕ 🎧".split(),
}
W1252_EXTRA = ["“quoted”", "it’s", "€", "—", "…", "‘single’", "Œuvre", "naïve"]

# encoding -> (python codec, declared name, languages it can carry, share)
ENCODINGS = [
    ("utf-8", "utf-8", "UTF-8", None, 0.80),
    ("iso-8859-1", "latin-1", "ISO-8859-1", ("en", "fr", "de", "es"), 0.04),
    ("windows-1252", "cp1252", "windows-1252", ("en", "fr", "de", "es", "w1252"), 0.05),
    ("utf-16le", "utf-16-le", "UTF-16", None, 0.02),
    ("utf-16be", "utf-16-be", "UTF-16", None, 0.02),
    ("koi8-r", "koi8_r", "KOI8-R", ("en", "ru"), 0.04),
    ("shift_jis", "cp932", "Shift_JIS", ("en", "ja"), 0.03),
]
FORMATS = [("rss2", 0.55), ("atom", 0.25), ("rdf", 0.10), ("json", 0.10)]
CONTENT_TYPES = {"rss2": "application/rss+xml", "atom": "application/atom+xml",
                 "rdf": "application/rdf+xml", "json": "application/feed+json"}
ZONES = ["+0000", "GMT", "-0500", "+0100", "EST", "PDT", "+0900", "+0530", "UT"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
EPOCH = 1796083200  # 2026-12-01T00:00:00Z: dates are relative to a fixed day, not to now


def weighted(rng, table):
    x = rng.random() * sum(t[-1] for t in table)
    for t in table:
        x -= t[-1]
        if x < 0:
            return t
    return table[-1]


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr_escape(text):
    return xml_escape(text).replace('"', "&quot;")


class Writer:
    """Text and markup for one feed, in the languages its encoding carries."""

    def __init__(self, rng, languages):
        self.rng = rng
        # Most publishers write absolute links; a fifth of the feeds use
        # relative ones, which the parser must resolve.
        self.relative = rng.random() < 0.2
        self.words = []
        for lang in languages:
            self.words += W1252_EXTRA if lang == "w1252" else WORDS[lang]
        if "en" in languages:
            self.words += WORDS["en"] * 2  # mostly English around the other script
        # Sentences are slices of one long run of words: two random draws a
        # sentence instead of one a word keeps 10,000 feeds within a minute.
        self.run = rng.choices(self.words, k=4096)

    def sentence(self, lo, hi):
        rng = self.rng
        start = rng.randrange(4096 - hi)
        return " ".join(self.run[start:start + lo + int(rng.random() * (hi - lo + 1))]).capitalize()

    def paragraph(self, feed_host):
        rng = self.rng
        site = "" if self.relative else f"https://{feed_host}"
        link = f'<a href="{site}/{rng.randrange(10**6)}/story?id={rng.randrange(999)}&amp;ref=rss">{self.sentence(1, 4)}</a>'
        parts = [self.sentence(8, 30), link, "&amp;", f"<em>{self.sentence(2, 5)}</em>", "&#8212;",
                 self.sentence(6, 20) + "."]
        r = rng.random()
        if r < 0.15:
            parts.append(f'<img src="https://{feed_host}/img/{rng.randrange(10**5)}.jpg" alt="{self.sentence(1, 3)}">')
        elif r < 0.18:
            parts.append('<script>track("x")</script><iframe src="https://ads.example/"></iframe>')
        elif r < 0.25:
            parts.append("<blockquote>" + self.sentence(5, 15) + " &copy; &nbsp;&quot;x&quot;</blockquote>")
        return "<p>" + " ".join(parts) + "</p>\n"

    def html(self, chars, feed_host):
        out, n = [], 0
        while n < chars:
            p = self.paragraph(feed_host)
            out.append(p)
            n += len(p)
        return "".join(out)


def when(rng, index):
    """Entry times going back from the fixed epoch, newest first."""
    return EPOCH - index * rng.randint(1800, 86400) - rng.randint(0, 3600)


def rfc822(t, rng):
    tm = time.gmtime(t)
    return (f"{DAYS[tm.tm_wday]}, {tm.tm_mday:02d} {MONTHS[tm.tm_mon - 1]} {tm.tm_year} "
            f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} {rng.choice(ZONES)}")


def rfc3339(t, rng):
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    return s + rng.choice(["Z", "+00:00", ".000Z", "Z"])


def entry_fields(w, rng, i, host, content_chars):
    """The format-neutral content of entry i."""
    t = when(rng, i)
    slug = rng.randrange(10**8)
    f = {"title": w.sentence(3, 10), "link": f"https://{host}/posts/{slug}.html", "guid": f"{host}-{slug}",
         "t": t, "author": w.sentence(1, 2), "categories": [w.sentence(1, 2) for _ in range(rng.randint(0, 4))],
         "summary": w.paragraph(host), "content": w.html(content_chars, host) if content_chars else None,
         "enclosure": None}
    if rng.random() < 0.2:
        f["enclosure"] = (f"https://media.{host}/ep{slug}.mp3", rng.randint(10**6, 10**8), "audio/mpeg")
    return f


def rss2_item(f, rng):
    out = [f"<item><title>{xml_escape(f['title'])}</title><link>{f['link']}</link>",
           f"<guid isPermaLink=\"false\">{f['guid']}</guid><pubDate>{rfc822(f['t'], rng)}</pubDate>",
           f"<dc:creator>{xml_escape(f['author'])}</dc:creator>"]
    out += [f"<category>{xml_escape(c)}</category>" for c in f["categories"]]
    out.append(f"<description>{xml_escape(f['summary'])}</description>")
    if f["content"]:
        out.append(f"<content:encoded><![CDATA[{f['content']}]]></content:encoded>")
    if f["enclosure"]:
        url, length, kind = f["enclosure"]
        out.append(f'<enclosure url="{url}" length="{length}" type="{kind}"/>')
    return "".join(out) + "</item>\n"


def atom_entry(f, rng):
    out = [f"<entry><title type=\"html\">{xml_escape(f['title'])}</title>",
           f"<link rel=\"alternate\" href=\"{f['link']}\"/><id>tag:{f['guid']}</id>",
           f"<updated>{rfc3339(f['t'], rng)}</updated><published>{rfc3339(f['t'] - 60, rng)}</published>",
           f"<author><name>{xml_escape(f['author'])}</name></author>"]
    out += [f'<category term="{attr_escape(c)}"/>' for c in f["categories"]]
    out.append(f"<summary type=\"html\">{xml_escape(f['summary'])}</summary>")
    if f["content"]:
        if rng.random() < 0.3:  # xhtml: the markup inline, entities only of XML's five
            body = f["content"].replace("&nbsp;", "&#160;").replace("&copy;", "&#169;")
            out.append(f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{xhtml(body)}</div></content>')
        else:
            out.append(f"<content type=\"html\">{xml_escape(f['content'])}</content>")
    if f["enclosure"]:
        url, length, kind = f["enclosure"]
        out.append(f'<link rel="enclosure" href="{url}" length="{length}" type="{kind}"/>')
    return "".join(out) + "</entry>\n"


def xhtml(html):
    """Our generated HTML made well-formed XML: void elements closed."""
    out = []
    for piece in html.split("<img "):
        if out:
            end = piece.index(">")
            piece = piece[:end] + "/" + piece[end:]
        out.append(piece)
    return "<img ".join(out).replace('<script>track("x")</script>', "")


def rdf_item(f, rng):
    out = [f"<item rdf:about=\"{f['link']}\"><title>{xml_escape(f['title'])}</title><link>{f['link']}</link>",
           f"<dc:date>{rfc3339(f['t'], rng)}</dc:date><dc:creator>{xml_escape(f['author'])}</dc:creator>"]
    out += [f"<dc:subject>{xml_escape(c)}</dc:subject>" for c in f["categories"]]
    out.append(f"<description>{xml_escape(f['summary'])}</description>")
    if f["content"]:
        out.append(f"<content:encoded><![CDATA[{f['content']}]]></content:encoded>")
    return "".join(out) + "</item>\n"


def json_item(f, rng):
    item = {"id": f["guid"], "url": f["link"], "title": f["title"], "date_published": rfc3339(f["t"], rng),
            "authors": [{"name": f["author"]}], "tags": f["categories"], "summary": f["summary"],
            "content_html": f["content"] or f["summary"]}
    if f["enclosure"]:
        url, length, kind = f["enclosure"]
        item["attachments"] = [{"url": url, "mime_type": kind, "size_in_bytes": length}]
    return item


def document(fmt, declared, w, rng, host, entries):
    title, about = xml_escape(w.sentence(2, 6)), xml_escape(w.sentence(5, 15))
    site = f"https://{host}/"
    decl = f'<?xml version="1.0" encoding="{declared}"?>\n'
    if fmt == "json":
        return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": w.sentence(2, 6),
                           "home_page_url": site, "feed_url": site + "feed.json", "description": w.sentence(5, 15),
                           "items": [json_item(f, rng) for f in entries]}, ensure_ascii=rng.random() < 0.3, indent=1)
    if fmt == "rss2":
        return (decl + '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
                f"<channel><title>{title}</title><link>{site}</link><description>{about}</description>"
                f'<atom:link rel="self" href="{site}feed.xml"/><language>en</language><ttl>60</ttl>\n'
                + "".join(rss2_item(f, rng) for f in entries) + "</channel></rss>\n")
    if fmt == "atom":
        return (decl + '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
                f'<title>{title}</title><subtitle>{about}</subtitle><link rel="alternate" href="{site}"/>'
                f'<link rel="self" href="{site}atom.xml"/><id>tag:{host},2026:feed</id>'
                f"<updated>{rfc3339(EPOCH, rng)}</updated>\n"
                + "".join(atom_entry(f, rng) for f in entries) + "</feed>\n")
    seq = "".join(f'<rdf:li rdf:resource="{f["link"]}"/>' for f in entries)
    return (decl + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
            f'<channel rdf:about="{site}rss"><title>{title}</title><link>{site}</link>'
            f"<description>{about}</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>\n"
            + "".join(rdf_item(f, rng) for f in entries) + "</rdf:RDF>\n")


def sizes(rng, index):
    """(target bytes, entries) of feed index."""
    if index % 1000 == 137:
        return rng.randint(1_100_000, 3_000_000), rng.randint(30, 80)
    target = int(min(900_000, max(4_000, 24_000 * math.exp(rng.gauss(0, 0.75)))))
    entries = int(min(200, max(5, round(45 * math.exp(rng.gauss(0, 0.45))))))
    return target, entries


def make_feed(seed, index):
    """(relative path, manifest fields without bytes, encoded bytes) of feed index."""
    rng = random.Random(f"feedd-corpus:{seed}:{index}")
    fmt = weighted(rng, FORMATS)[0]
    encoding, codec, declared, languages, _ = ENCODINGS[0] if fmt == "json" else weighted(rng, ENCODINGS)
    if languages is None:
        languages = ["en"] + rng.sample(["fr", "de", "es", "ru", "el", "ja", "zh", "ar", "emoji"], 2)
    target, count = sizes(rng, index)
    host = f"site{index}.example"
    w = Writer(rng, languages)
    # ~900 bytes of title, links, dates and summary an entry; a third of the
    # feeds carry summaries only, as many real ones do.
    per_entry = max(200, target // count - 900)
    with_content = rng.random() < 0.7 or fmt == "json" or index % 1000 == 137  # the big ones are full-content
    entries = [entry_fields(w, rng, i, host, per_entry if with_content else 0) for i in range(count)]
    text = document(fmt, declared, w, rng, host, entries)
    data = text.encode(codec, errors="xmlcharrefreplace")
    if codec.startswith("utf-16"):
        data = (b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff") + data
    content_type = CONTENT_TYPES[fmt]
    if fmt == "json" or rng.random() < 0.5:  # the other half leave the charset to the document
        content_type += f"; charset={declared.lower()}"
    path = f"feeds/{index:05d}.{'json' if fmt == 'json' else 'xml'}"
    return path, {"path": path, "format": fmt, "encoding": encoding, "content_type": content_type,
                  "entries": count}, data


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--feeds", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "feeds"), exist_ok=True)
    manifest = {"version": VERSION, "seed": args.seed, "feeds": []}
    for index in range(args.feeds):
        path, fields, data = make_feed(args.seed, index)
        with open(os.path.join(args.out, path), "wb") as f:
            f.write(data)
        fields["bytes"] = len(data)
        manifest["feeds"].append(fields)
    manifest["total_bytes"] = sum(f["bytes"] for f in manifest["feeds"])
    manifest["total_entries"] = sum(f["entries"] for f in manifest["feeds"])
    tmp = os.path.join(args.out, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, os.path.join(args.out, "manifest.json"))  # present only when every file is
    return 0


if __name__ == "__main__":
    sys.exit(main())
