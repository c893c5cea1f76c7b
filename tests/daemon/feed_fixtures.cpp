#include "feed_fixtures.hpp"

#include <cstdio>
#include <fstream>

namespace feedd::test {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Day d of 2024 at a fixed time, in both notations.
std::string rfc3339(int feed, int entry) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2024-%02d-%02dT%02d:%02d:%02dZ", 1 + feed % 12, 1 + entry % 28, entry % 24, feed % 60, (feed + entry) % 60);
  return buf;
}

std::string rfc822(int feed, int entry) {
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  // Weekday omitted on purpose: RFC 822 makes it optional.
  std::snprintf(buf, sizeof buf, "%02d %s 2024 %02d:%02d:%02d +0000", 1 + entry % 28, months[feed % 12], entry % 24, feed % 60, (feed + entry) % 60);
  return buf;
}

expected_entry make_entry(int feed, int entry, const std::string& format) {
  const std::string n = std::to_string(feed) + "-" + std::to_string(entry);
  expected_entry e;
  e.url = "https://example.org/" + format + "/" + n;
  e.guid = format == "rss1.0" ? e.url : "urn:feedd-test:" + n;
  e.title = "Entry " + n + (entry % 3 == 0 ? " caf\u00e9 & \u00fcber" : "");
  e.author = "Author " + std::to_string(entry % 4);
  e.summary = "Summary of " + n;
  e.content = "<p>Content of <b>" + n + "</b></p>";
  e.published_at = rfc3339(feed, entry);
  e.categories = {"cat" + std::to_string(entry % 5), "shared"};
  if (format != "rss1.0" && entry % 2 == 0) {
    e.enclosure_url = "https://cdn.example.org/" + n + ".mp3";
    e.enclosure_type = "audio/mpeg";
    e.enclosure_length = 1000 + entry;
  }
  return e;
}

std::string rss20(const generated_feed& f, int feed) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                  "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n"
                  "<title>" + escape(f.title) + "</title>\n<link>https://example.org/</link>\n<description>d</description>\n";
  int i = 0;
  for (const auto& e : f.entries) {
    x += "<item>\n<title>" + escape(e.title) + "</title>\n<link>" + escape(e.url) + "</link>\n"
         "<guid isPermaLink=\"false\">" + escape(e.guid) + "</guid>\n<dc:creator>" + escape(e.author) + "</dc:creator>\n"
         "<description>" + escape(e.summary) + "</description>\n"
         "<content:encoded><![CDATA[" + e.content + "]]></content:encoded>\n"
         "<pubDate>" + rfc822(feed, i) + "</pubDate>\n";
    for (const auto& c : e.categories) x += "<category>" + escape(c) + "</category>\n";
    if (!e.enclosure_url.empty())
      x += "<enclosure url=\"" + escape(e.enclosure_url) + "\" type=\"" + e.enclosure_type + "\" length=\"" +
           std::to_string(e.enclosure_length) + "\"/>\n";
    x += "</item>\n";
    ++i;
  }
  return x + "</channel>\n</rss>\n";
}

std::string atom10(const generated_feed& f) {
  std::string x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
                  "<title>" + escape(f.title) + "</title>\n<id>urn:feed:" + f.file + "</id>\n"
                  "<link href=\"https://example.org/\"/>\n<updated>2024-06-01T00:00:00Z</updated>\n";
  for (const auto& e : f.entries) {
    x += "<entry>\n<id>" + escape(e.guid) + "</id>\n<title>" + escape(e.title) + "</title>\n"
         "<link rel=\"alternate\" href=\"" + escape(e.url) + "\"/>\n<author><name>" + escape(e.author) + "</name></author>\n"
         "<published>" + e.published_at + "</published>\n<updated>" + e.published_at + "</updated>\n"
         "<summary>" + escape(e.summary) + "</summary>\n<content type=\"html\">" + escape(e.content) + "</content>\n";
    for (const auto& c : e.categories) x += "<category term=\"" + escape(c) + "\"/>\n";
    if (!e.enclosure_url.empty())
      x += "<link rel=\"enclosure\" href=\"" + escape(e.enclosure_url) + "\" type=\"" + e.enclosure_type + "\" length=\"" +
           std::to_string(e.enclosure_length) + "\"/>\n";
    x += "</entry>\n";
  }
  return x + "</feed>\n";
}

std::string rss10(const generated_feed& f) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" "
                  "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n"
                  "<channel rdf:about=\"https://example.org/\">\n<title>" + escape(f.title) + "</title>\n"
                  "<link>https://example.org/</link>\n<description>d</description>\n</channel>\n";
  for (const auto& e : f.entries) {
    x += "<item rdf:about=\"" + escape(e.url) + "\">\n<title>" + escape(e.title) + "</title>\n<link>" + escape(e.url) + "</link>\n"
         "<description>" + escape(e.summary) + "</description>\n<dc:creator>" + escape(e.author) + "</dc:creator>\n"
         "<dc:date>" + e.published_at + "</dc:date>\n<content:encoded><![CDATA[" + e.content + "]]></content:encoded>\n";
    for (const auto& c : e.categories) x += "<dc:subject>" + escape(c) + "</dc:subject>\n";
    x += "</item>\n";
  }
  return x + "</rdf:RDF>\n";
}

}  // namespace

std::vector<generated_feed> write_feed_fixtures(const std::filesystem::path& root, int count) {
  static const char* formats[] = {"rss2.0", "atom1.0", "rss1.0"};
  std::filesystem::create_directories(root);
  std::vector<generated_feed> feeds;
  for (int i = 0; i < count; ++i) {
    generated_feed f;
    f.format = formats[i % 3];
    f.file = std::string(i % 3 == 0 ? "rss20_" : i % 3 == 1 ? "atom10_" : "rss10_") + std::to_string(i) + ".xml";
    f.title = "Feed " + std::to_string(i) + " (" + f.format + ")";
    const int entries = 1 + (i * 7) % 12;
    for (int j = 0; j < entries; ++j) f.entries.push_back(make_entry(i, j, f.format));
    std::string body = f.format == "rss2.0" ? rss20(f, i) : f.format == "atom1.0" ? atom10(f) : rss10(f);
    std::ofstream(root / f.file, std::ios::binary) << body;
    feeds.push_back(std::move(f));
  }
  return feeds;
}

}  // namespace feedd::test
