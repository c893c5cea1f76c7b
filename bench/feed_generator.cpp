#include "feed_generator.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <string_view>

namespace feedd::bench {
namespace {

constexpr std::array<std::string_view, 24> words{
    "feed",  "parser", "release", "kernel", "update", "weekly",  "notes",  "café",
    "naïve", "über",   "日本語",  "données", "Ελληνικά", "podcast", "episode", "security",
    "fix",   "daemon", "storage", "queue",  "reader",  "archive", "summary", "news"};

constexpr std::array<std::string_view, 7> days{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

class writer {
 public:
  explicit writer(std::uint64_t seed) : random_(seed) {}

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>{0, n - 1}(random_); }

  std::string sentence(std::size_t min_words, std::size_t max_words) {
    std::string out;
    const auto n = min_words + pick(max_words - min_words + 1);
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) out += ' ';
      out += words[pick(words.size())];
    }
    return out;
  }

  // A paragraph of HTML, as publishers put into descriptions.
  std::string html(std::size_t paragraphs) {
    std::string out;
    for (std::size_t p = 0; p < paragraphs; ++p) {
      out += "<p>" + sentence(20, 60) + " <a href=\"https://example.org/" + std::to_string(pick(100000)) +
             "?a=1&amp;b=2\">" + sentence(1, 4) + "</a> &amp; <em>" + sentence(2, 6) + "</em> &#8212; " +
             sentence(10, 30) + ".</p>\n";
    }
    return out;
  }

  static std::string escaped(std::string_view text) {
    std::string out;
    for (const char c : text) {
      if (c == '<') out += "&lt;";
      else if (c == '>') out += "&gt;";
      else if (c == '&') out += "&amp;";
      else out += c;
    }
    return out;
  }

  std::string rfc822_date() {
    char text[64];
    std::snprintf(text, sizeof text, "%s, %02zu %s %zu %02zu:%02zu:%02zu +0000", days[pick(7)].data(), 1 + pick(28),
                  months[pick(12)].data(), 2015 + pick(10), pick(24), pick(60), pick(60));
    return text;
  }

  std::string iso_date() {
    char text[64];
    std::snprintf(text, sizeof text, "%zu-%02zu-%02zuT%02zu:%02zu:%02zuZ", 2015 + pick(10), 1 + pick(12), 1 + pick(28),
                  pick(24), pick(60), pick(60));
    return text;
  }

 private:
  std::mt19937_64 random_;
};

std::string rss_item(writer& w, std::size_t n) {
  std::string out = "<item>\n<title>" + writer::escaped(w.sentence(3, 10)) + "</title>\n";
  out += "<link>https://example.org/posts/" + std::to_string(n) + "</link>\n";
  out += "<guid isPermaLink=\"false\">urn:example:" + std::to_string(n) + "</guid>\n";
  out += "<pubDate>" + w.rfc822_date() + "</pubDate>\n<dc:creator>" + w.sentence(2, 2) + "</dc:creator>\n";
  out += "<category>" + w.sentence(1, 2) + "</category><category>" + w.sentence(1, 1) + "</category>\n";
  out += "<description>" + writer::escaped(w.html(1)) + "</description>\n";
  if (w.pick(2) == 0) out += "<content:encoded><![CDATA[" + w.html(2 + w.pick(4)) + "]]></content:encoded>\n";
  if (w.pick(4) == 0) {
    out += "<enclosure url=\"https://cdn.example.org/e" + std::to_string(n) +
           ".mp3\" length=\"12345678\" type=\"audio/mpeg\"/>\n";
  }
  return out + "</item>\n";
}

std::string atom_entry(writer& w, std::size_t n) {
  std::string out = "<entry>\n<title type=\"html\">" + writer::escaped(w.sentence(3, 10)) + "</title>\n";
  out += "<link rel=\"alternate\" href=\"posts/" + std::to_string(n) + "\"/>\n";
  out += "<id>tag:example.org,2024:" + std::to_string(n) + "</id>\n";
  out += "<published>" + w.iso_date() + "</published><updated>" + w.iso_date() + "</updated>\n";
  out += "<author><name>" + w.sentence(2, 2) + "</name></author>\n<category term=\"" + w.sentence(1, 1) + "\"/>\n";
  out += "<summary type=\"html\">" + writer::escaped(w.html(1)) + "</summary>\n";
  if (w.pick(2) == 0) {
    out += "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">" + w.html(2 + w.pick(4)) +
           "</div></content>\n";
  } else {
    out += "<content type=\"html\">" + writer::escaped(w.html(2 + w.pick(4))) + "</content>\n";
  }
  return out + "</entry>\n";
}

std::string rdf_item(writer& w, std::size_t n) {
  const auto link = "https://example.org/posts/" + std::to_string(n);
  std::string out = "<item rdf:about=\"" + link + "\">\n<title>" + writer::escaped(w.sentence(3, 10)) + "</title>\n";
  out += "<link>" + link + "</link>\n<dc:date>" + w.iso_date() + "</dc:date>\n";
  out += "<dc:creator>" + w.sentence(2, 2) + "</dc:creator><dc:subject>" + w.sentence(1, 1) + "</dc:subject>\n";
  out += "<description>" + writer::escaped(w.html(1 + w.pick(3))) + "</description>\n";
  return out + "</item>\n";
}

}  // namespace

generated_feed generate_feed(generated_format format, std::size_t target_bytes, std::uint64_t seed) {
  writer w{seed};
  generated_feed out;
  out.format = format;
  std::string body;
  std::string header;
  std::string footer;
  switch (format) {
    case generated_format::rss20:
      header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
               "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
               "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n<title>" +
               w.sentence(2, 5) + "</title>\n<link>https://example.org/</link>\n<ttl>60</ttl>\n";
      footer = "</channel>\n</rss>\n";
      break;
    case generated_format::atom10:
      header = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" "
               "xml:base=\"https://example.org/blog/\">\n<title>" +
               w.sentence(2, 5) +
               "</title>\n<link href=\"https://example.org/\"/>\n<id>tag:example.org,2024:feed</id>\n<updated>" +
               w.iso_date() + "</updated>\n";
      footer = "</feed>\n";
      break;
    case generated_format::rdf:
      header = "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
               "xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
               "<channel rdf:about=\"https://example.org/\"><title>" +
               w.sentence(2, 5) + "</title><link>https://example.org/</link></channel>\n";
      footer = "</rdf:RDF>\n";
      break;
  }
  // Feeds rarely carry more than a few hundred entries; 1000 is the
  // parser's cap (RELIABILITY M4), and would be measured as dropping.
  constexpr std::size_t max_entries = 900;
  while ((out.entries == 0 || header.size() + body.size() + footer.size() < target_bytes) &&
         out.entries < max_entries) {
    switch (format) {
      case generated_format::rss20: body += rss_item(w, out.entries); break;
      case generated_format::atom10: body += atom_entry(w, out.entries); break;
      case generated_format::rdf: body += rdf_item(w, out.entries); break;
    }
    ++out.entries;
  }
  out.bytes = header + body + footer;
  return out;
}

std::vector<generated_feed> generate_corpus(std::size_t total_bytes, std::uint64_t seed) {
  std::mt19937_64 random{seed};
  std::uniform_real_distribution<double> exponent{std::log(2.0 * 1024), std::log(200.0 * 1024)};
  constexpr std::array<generated_format, 3> formats{generated_format::rss20, generated_format::atom10,
                                                    generated_format::rdf};
  std::vector<generated_feed> corpus;
  std::size_t total = 0;
  constexpr std::size_t max_documents = 100000;
  while (total < total_bytes && corpus.size() < max_documents) {
    const auto size = static_cast<std::size_t>(std::exp(exponent(random)));
    corpus.push_back(generate_feed(formats[corpus.size() % formats.size()], size, random()));
    total += corpus.back().bytes.size();
  }
  return corpus;
}

}  // namespace feedd::bench
