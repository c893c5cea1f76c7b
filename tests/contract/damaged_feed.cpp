#include "damaged_feed.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

namespace feedd::contract {
namespace {

class choice_reader {
 public:
  explicit choice_reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  // 0 .. n-1 (n > 0).
  std::size_t below(std::size_t n) {
    std::size_t value = 0;
    for (std::size_t range = 1; range < n; range *= 256) value = value * 256 + next_byte();
    return value % n;
  }

  bool chance(std::size_t one_in) { return below(one_in) == 0; }

 private:
  std::uint8_t next_byte() { return next_ < bytes_.size() ? bytes_[next_++] : 0; }

  std::span<const std::uint8_t> bytes_;
  std::size_t next_ = 0;
};

struct end_tag {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string name;
  std::optional<std::size_t> entry;  // whose markup it is in
};

// The document and where each of its end tags is.
class writer {
 public:
  void start(std::string_view name, std::string_view attributes = {}) {
    out_ += '<';
    out_ += name;
    if (!attributes.empty()) {
      out_ += ' ';
      out_ += attributes;
    }
    out_ += '>';
  }

  void end(std::string_view name) {
    end_tags_.push_back({out_.size(), name.size() + 3, std::string{name}, entry_});
    out_ += "</";
    out_ += name;
    out_ += '>';
  }

  void element(std::string_view name, std::string_view text, std::string_view attributes = {}) {
    start(name, attributes);
    out_ += text;
    end(name);
  }

  void raw(std::string_view markup) { out_ += markup; }
  void in_entry(std::optional<std::size_t> entry) { entry_ = entry; }

  std::string& text() { return out_; }
  std::vector<end_tag>& end_tags() { return end_tags_; }

 private:
  std::string out_;
  std::vector<end_tag> end_tags_;
  std::optional<std::size_t> entry_;
};

constexpr std::string_view words[] = {"alpha", "bravo", "caf\xC3\xA9",  "delta", "echo",  "fox",
                                      "golf",  "hotel", "ind\xC3\xADgo", "juliet", "kilo", "lima"};

std::string phrase(choice_reader& choose, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ' ';
    out += words[choose.below(std::size(words))];
  }
  return out;
}

// What an entry of any format may hold besides its guid and title: markup
// that needs closing, escaped and CDATA HTML, comments, empty elements.
void rss_extras(writer& w, choice_reader& choose, std::size_t k) {
  const std::string url = "https://gen.example/media/" + std::to_string(k);
  if (choose.chance(2)) w.element("description", "&lt;p&gt;" + phrase(choose, 4) + " &amp;amp; more&lt;/p&gt;");
  if (choose.chance(3)) w.element("content:encoded", "<![CDATA[<p>" + phrase(choose, 5) + " <b>bold</b></p>]]>");
  if (choose.chance(3)) w.element("dc:creator", phrase(choose, 2));
  for (std::size_t i = choose.below(3); i > 0; --i) w.element("category", phrase(choose, 1));
  if (choose.chance(3)) {
    w.start("media:content", "url=\"" + url + ".jpg\" medium=\"image\"");
    w.element("media:title", phrase(choose, 2));
    w.end("media:content");
  }
  if (choose.chance(4)) {
    w.start("media:group");
    w.raw("<media:content url=\"" + url + ".mp4\"/>");
    w.element("media:description", phrase(choose, 3));
    w.end("media:group");
  }
  if (choose.chance(4)) w.raw("<enclosure url=\"" + url + ".mp3\" type=\"audio/mpeg\" length=\"1234\"/>");
  if (choose.chance(5)) w.raw("<!-- " + phrase(choose, 2) + " -->");
}

void write_rss(writer& w, choice_reader& choose, std::vector<generated_entry>& entries) {
  w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  w.start("rss", "version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\" "
                 "xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" "
                 "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                 "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"");
  w.start("channel");
  w.element("title", "Generated " + phrase(choose, 2));
  w.element("link", "https://gen.example/");
  if (choose.chance(2)) {
    w.start("image");
    w.element("url", "https://gen.example/logo.png");
    w.element("title", "logo");
    w.end("image");
  }
  if (choose.chance(2)) {
    w.start("itunes:category", "text=\"Technology\"");
    w.raw("<itunes:category text=\"Gadgets\"/>");
    w.end("itunes:category");
  }
  for (std::size_t k = 0; k < entries.size(); ++k) {
    w.in_entry(k);
    w.start("item");
    w.element("title", entries[k].title);
    w.element("link", "https://gen.example/posts/" + std::to_string(k));
    w.element("guid", entries[k].guid, "isPermaLink=\"false\"");
    rss_extras(w, choose, k);
    w.end("item");
    w.in_entry(std::nullopt);
    w.raw("\n");
  }
  w.end("channel");
  w.end("rss");
}

void write_atom(writer& w, choice_reader& choose, std::vector<generated_entry>& entries) {
  w.start("feed", "xmlns=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\"");
  w.element("title", "Generated " + phrase(choose, 2));
  w.raw("<link href=\"https://gen.example/\"/>");
  w.element("id", "urn:gen:feed");
  if (choose.chance(2)) {
    w.start("author");
    w.element("name", phrase(choose, 2));
    w.end("author");
  }
  for (std::size_t k = 0; k < entries.size(); ++k) {
    w.in_entry(k);
    w.start("entry");
    w.element("title", entries[k].title);
    w.raw("<link href=\"https://gen.example/posts/" + std::to_string(k) + "\"/>");
    w.element("id", entries[k].guid);
    w.element("updated", "2024-05-0" + std::to_string(1 + k % 9) + "T10:00:00Z");
    if (choose.chance(2)) w.element("summary", "&lt;p&gt;" + phrase(choose, 4) + "&lt;/p&gt;", "type=\"html\"");
    if (choose.chance(2)) {
      w.start("content", "type=\"xhtml\"");
      w.start("div", "xmlns=\"http://www.w3.org/1999/xhtml\"");
      w.element("p", phrase(choose, 3));
      w.end("div");
      w.end("content");
    }
    if (choose.chance(3)) {
      w.start("author");
      w.element("name", phrase(choose, 2));
      w.end("author");
    }
    if (choose.chance(3)) w.raw("<category term=\"" + phrase(choose, 1) + "\"/>");
    w.end("entry");
    w.in_entry(std::nullopt);
    w.raw("\n");
  }
  w.end("feed");
}

void write_rdf(writer& w, choice_reader& choose, std::vector<generated_entry>& entries) {
  w.start("rdf:RDF", "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
                     "xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"");
  w.start("channel", "rdf:about=\"https://gen.example/\"");
  w.element("title", "Generated " + phrase(choose, 2));
  w.element("link", "https://gen.example/");
  w.start("items");
  w.start("rdf:Seq");
  for (const auto& e : entries) w.raw("<rdf:li rdf:resource=\"" + e.guid + "\"/>");
  w.end("rdf:Seq");
  w.end("items");
  w.end("channel");
  for (std::size_t k = 0; k < entries.size(); ++k) {
    w.in_entry(k);
    w.start("item", "rdf:about=\"" + entries[k].guid + "\"");
    w.element("title", entries[k].title);
    w.element("link", entries[k].guid);
    if (choose.chance(2)) w.element("description", phrase(choose, 5));
    if (choose.chance(2)) w.element("dc:date", "2024-05-01T10:00:00Z");
    if (choose.chance(3)) w.element("dc:subject", phrase(choose, 1));
    w.end("item");
    w.in_entry(std::nullopt);
    w.raw("\n");
  }
  w.end("rdf:RDF");
}

// Which end tag to damage and how, chosen before the document is written
// so that they never fall back to the zeros of exhausted choices.
struct damage_plan {
  damage_kind kind = damage_kind::deleted;
  std::size_t position = 0;  // of 65536, through the document's end tags
  bool unused_name = false;  // renamed to a name nobody uses, or to another end tag's
  std::size_t other = 0;     // that other end tag, of 65536
};

damage_plan plan_damage(choice_reader& choose) {
  damage_plan plan;
  plan.kind = static_cast<damage_kind>(choose.below(3));
  plan.position = choose.below(65536);
  plan.unused_name = choose.chance(2);
  plan.other = choose.below(65536);
  return plan;
}

std::size_t scaled(std::size_t of_65536, std::size_t n) { return of_65536 * n / 65536; }

void damage(damaged_feed& out, writer& w, const damage_plan& plan) {
  const auto& tags = w.end_tags();
  const end_tag& tag = tags[scaled(plan.position, tags.size())];
  std::string& text = w.text();
  const std::string original = text.substr(tag.offset, tag.length);
  out.kind = plan.kind;
  out.damaged = tag.entry;
  const std::string at = " at byte " + std::to_string(tag.offset);
  switch (plan.kind) {
    case damage_kind::deleted:
      text.erase(tag.offset, tag.length);
      out.description = "deleted " + original + at;
      break;
    case damage_kind::duplicated:
      text.insert(tag.offset, original);
      out.description = "duplicated " + original + at;
      break;
    case damage_kind::renamed: {
      // Another end tag's name may close an ancestor early; one nobody
      // uses closes nothing.
      const std::string& other = tags[scaled(plan.other, tags.size())].name;
      const std::string renamed = "</" + (plan.unused_name || other == tag.name ? tag.name + "x" : other) + ">";
      text.replace(tag.offset, tag.length, renamed);
      out.description = "renamed " + original + " to " + renamed + at;
      break;
    }
  }
}

}  // namespace

damaged_feed make_damaged_feed(std::span<const std::uint8_t> choices) {
  choice_reader choose{choices};
  damaged_feed out;
  const std::size_t format = choose.below(3);
  const std::size_t count = 2 + choose.below(11);
  const std::string tag = std::to_string(choose.below(1 << 16));
  const damage_plan plan = plan_damage(choose);
  for (std::size_t k = 0; k < count; ++k) {
    const std::string id = tag + "-" + std::to_string(k);
    out.entries.push_back({format == 2 ? "https://gen.example/posts/" + id : "urn:gen:" + id,
                           "Entry " + std::to_string(k) + " " + phrase(choose, 3)});
  }
  writer w;
  if (format == 0) {
    out.format = "rss2.0";
    write_rss(w, choose, out.entries);
  } else if (format == 1) {
    out.format = "atom1.0";
    write_atom(w, choose, out.entries);
  } else {
    out.format = "rss1.0";
    write_rdf(w, choose, out.entries);
  }
  damage(out, w, plan);
  out.document = std::move(w.text());
  return out;
}

std::vector<std::string> lost_entries(const damaged_feed& generated, const feed& parsed) {
  std::vector<std::string> lost;
  for (std::size_t k = 0; k < generated.entries.size(); ++k) {
    if (generated.damaged == k) continue;
    const auto& expected = generated.entries[k];
    const auto found = std::find_if(parsed.entries.begin(), parsed.entries.end(), [&](const entry& e) {
      return e.guid == expected.guid && e.title == expected.title;
    });
    if (found == parsed.entries.end()) lost.push_back(expected.guid);
  }
  return lost;
}

}  // namespace feedd::contract
