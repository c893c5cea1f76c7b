#include "entity_repair.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "ascii.hpp"
#include "byte_scan.hpp"
#include "entities.hpp"
#include "numeric_references.hpp"
#include "utf8.hpp"
#include "xml.hpp"

namespace feedd::parsers::detail {
namespace {

// XML 1.0 §2.2 Char, minus the C0 controls and U+FFFE/U+FFFF that our text
// sanitizer removes anyway.
bool is_xml_char(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

bool is_xml_predefined(std::string_view name) {
  return name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos";
}

void append_reference(std::string& out, char32_t code_point) {
  out += "&#";
  out += std::to_string(static_cast<std::uint32_t>(code_point));
  out += ';';
}

// Bit i set where text[pos + i] is '&', for the 64 bytes from pos (fewer
// at the end). Feeds have a '&' every few dozen bytes (&lt; in escaped
// HTML): visiting them from a mask costs no search, and no mispredicted
// branch, per '&'.
std::uint64_t ampersands(std::string_view text, std::size_t pos) {
  const auto in_block = [](const char* bytes) {
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < lanes::block_vectors; ++i) {
      const lanes::vector v = lanes::load(bytes + i * lanes::size);
      bits |= std::uint64_t{lanes::mask(v == lanes::splat('&'))} << (i * lanes::size);
    }
    return bits;
  };
  const std::size_t left = text.size() - pos;
  if (left >= lanes::block) return in_block(text.data() + pos);
  // The last 64 bytes of the text, those before pos shifted out.
  if (text.size() >= lanes::block) return in_block(text.data() + text.size() - lanes::block) >> (lanes::block - left);
  char padded[lanes::block] = {};
  std::memcpy(padded, text.data() + pos, left);
  return in_block(padded);
}

// What the markup at text[pos] == '<' spans, for the repair: a CDATA
// section, a comment or a processing instruction is not parsed for
// references (XML 1.0 §2.5, §2.6, §2.7) and ends at its terminator (or
// the end); a tag ends at the first '>' outside its quoted attribute
// values, which may hold '<' (pugixml takes them) and whose references
// are parsed. Anything else is one '<'.
struct markup_span {
  std::size_t end = 0;  // one past it
  bool unparsed = false;
};

bool starts_tag(char c) { return is_name_start(c) || c == '/'; }

markup_span scan_markup(std::string_view text, std::size_t pos) {
  if (pos + 1 >= text.size()) return {pos + 1, false};
  if (starts_tag(text[pos + 1])) {
    for (std::size_t at = pos + 1;;) {
      // Not find_first_of, which calls memchr for each byte of the tag.
      at += byte_scan::find_first_of<'"', '\'', '>'>(text.substr(at));
      if (at == text.size()) return {text.size(), false};
      if (text[at] == '>') return {at + 1, false};
      const std::size_t close = text.find(text[at], at + 1);
      if (close == std::string_view::npos) return {text.size(), false};
      at = close + 1;
    }
  }
  const std::string_view rest = text.substr(pos);
  std::string_view terminator;
  if (rest.starts_with("<![CDATA[")) {
    terminator = "]]>";
  } else if (rest.starts_with("<!--")) {
    terminator = "-->";
  } else if (rest.starts_with("<?")) {
    terminator = "?>";
  } else {
    return {pos + 1, false};
  }
  const std::size_t end = text.find(terminator, pos);
  return {end == std::string_view::npos ? text.size() : end + terminator.size(), true};
}

// What to do with the '&' at the start of rest: keep `length` bytes as
// they are, or (repair) replace them by "&amp;" (bare), by a numeric
// reference to `target`, or by nothing.
struct reference_fix {
  std::size_t length = 1;
  bool repair = false;
  bool bare = false;
  std::optional<char32_t> target;
};

// The five references XML predefines (§4.6), by far the most common.
[[gnu::always_inline]] inline std::size_t predefined_length(std::string_view rest) {
  if (rest.size() < 4) return 0;
  switch (rest[1]) {
    case 'l':
      return rest.starts_with("&lt;") ? 4 : 0;
    case 'g':
      return rest.starts_with("&gt;") ? 4 : 0;
    case 'a':
      return rest.starts_with("&amp;") ? 5 : rest.starts_with("&apos;") ? 6 : 0;
    case 'q':
      return rest.starts_with("&quot;") ? 6 : 0;
    default:
      return 0;
  }
}

[[gnu::noinline]] reference_fix check_reference(std::string_view rest) {
  if (const std::size_t length = predefined_length(rest); length > 0) return {length, false, false, {}};
  // A reference is "&name;", "&#digits;" or "&#xhex;" (XML 1.0 §4.1).
  std::size_t j = 1;
  if (j < rest.size() && rest[j] == '#') {
    const numeric_reference reference = read_numeric_reference(rest);
    if (reference.length > 0 && reference.terminated) {
      const std::size_t length = reference.length + 1;
      const char32_t target = numeric_reference_target(reference.value);
      if (target == reference.value && is_xml_char(target)) return {length, false, false, {}};
      // pugixml would emit the raw value ("&#0;" even cuts the text).
      return {length, true, false, is_xml_char(target) ? std::optional<char32_t>{target} : std::nullopt};
    }
  } else if (j < rest.size() && ascii::is_alpha(rest[j])) {
    while (j < rest.size() && ascii::is_alnum(rest[j])) ++j;
    if (j < rest.size() && rest[j] == ';') {
      const std::string_view name = rest.substr(1, j - 1);
      const std::optional<char32_t> html = is_xml_predefined(name) ? std::nullopt : find_html_entity(name);
      // Predefined, or a well-formed reference to an entity we do not
      // know: pugixml keeps the latter as literal text.
      if (!html) return {j + 1, false, false, {}};
      return {j + 1, true, false, html};
    }
  }
  return {1, true, true, {}};
}

// The CDATA sections, comments and processing instructions before a '&',
// whose '&' is no reference: found only when a '&' needs repairing, as
// most feeds have none. Every search starts where the last one ended, so
// all of them together are linear in the document size.
class unparsed_sections {
 public:
  explicit unparsed_sections(std::string_view text) : text_(text) {}

  // One past the section holding text[pos], or pos when none does (a '&'
  // in text or in a tag). pos must not decrease from call to call.
  std::size_t skip(std::size_t pos) {
    if (pos < section_end_) return section_end_;
    while (resolved_ < pos) {
      const std::size_t open = text_.find('<', resolved_);
      if (open >= pos) {
        resolved_ = open == std::string_view::npos ? text_.size() : pos;
        break;
      }
      const markup_span span = scan_markup(text_, open);
      resolved_ = span.end;
      if (span.unparsed && span.end > pos) {
        section_end_ = span.end;
        note_numeric_references(text_.substr(open, span.end - open));
        return section_end_;
      }
    }
    return pos;
  }

  // Whether a section skipped so far holds a numeric reference that would
  // be repaired outside one (see repair_entities).
  bool numeric_in_sections() const { return numeric_in_sections_; }

 private:
  void note_numeric_references(std::string_view section) {
    for (std::size_t at = section.find("&#"); at != std::string_view::npos && !numeric_in_sections_;
         at = section.find("&#", at + 2)) {
      numeric_in_sections_ = check_reference(section.substr(at)).repair;
    }
  }

  std::string_view text_;
  std::size_t resolved_ = 0;     // a '<' before this has been seen (and what it opened passed)
  std::size_t section_end_ = 0;  // of the last section found
  bool numeric_in_sections_ = false;
};

// Where the first '&' at or after from that needs a repair is, or npos.
// Only the '&'s are visited, from a mask: the predefined references, most
// of them, are told apart inline; '<' matters only to a '&' that needs a
// repair.
std::size_t next_repair(std::string_view text, std::size_t from, unparsed_sections& unparsed) {
  for (std::size_t pos = from; pos < text.size();) {
    std::size_t next = pos + lanes::block;
    // A reference holds no '&': whatever its length, the next '&' to look
    // at is the next bit.
    std::uint64_t bits = ampersands(text, pos);
    while (bits != 0) {
      const std::size_t i = pos + static_cast<std::size_t>(std::countr_zero(bits));
      bits &= bits - 1;
      if (predefined_length(text.substr(i)) > 0 || !check_reference(text.substr(i)).repair) continue;
      const std::size_t after = unparsed.skip(i);
      if (after == i) return i;
      if (after >= next) {
        next = after;
        break;
      }
      bits &= ~std::uint64_t{0} << (after - pos);
    }
    pos = next;
  }
  return std::string_view::npos;
}

}  // namespace

std::size_t repair_entities(std::string& utf8_xml) {
  bool unsure = false;
  return repair_entities(utf8_xml, unsure);
}

// Nothing is copied until the first repair: most feeds need none.
std::size_t repair_entities(std::string& utf8_xml, bool& numeric_in_sections) {
  const std::string_view text = utf8_xml;
  unparsed_sections unparsed{text};
  std::size_t i = next_repair(text, 0, unparsed);
  numeric_in_sections = unparsed.numeric_in_sections();
  if (i == std::string_view::npos) return 0;
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  std::size_t copied = 0;  // text[0, copied) is in out
  std::size_t repairs = 0;
  for (; i != std::string_view::npos; i = next_repair(text, copied, unparsed)) {
    const reference_fix fix = check_reference(text.substr(i));
    out.append(text.substr(copied, i - copied));
    if (fix.bare) {
      out += "&amp;";
    } else if (fix.target) {
      append_reference(out, *fix.target);
    }
    copied = i + fix.length;
    ++repairs;
  }
  out.append(text.substr(copied));
  numeric_in_sections = unparsed.numeric_in_sections();
  utf8_xml = std::move(out);
  return repairs;
}

}  // namespace feedd::parsers::detail
