#include "load.hpp"

#include <optional>
#include <string_view>
#include <utility>

#include "ascii.hpp"
#include "structure_repair.hpp"
#include "xml.hpp"

namespace feedd::parsers::detail {
namespace {

// parse_ws_pcdata keeps the whitespace between inline elements of xhtml
// content; parse_doctype stays off so that the DOCTYPE is skipped.
constexpr unsigned parse_flags = pugi::parse_default | pugi::parse_ws_pcdata;
constexpr int max_attempts = 6;

pugi::xml_parse_result load(pugi::xml_document& document, const std::string& text) {
  return document.load_buffer(text.data(), text.size(), parse_flags, pugi::encoding_utf8);
}


// The name of the first start tag, for a useful message when pugixml gives
// up on an HTML page (void elements like <br> are not well-formed XML).
std::string_view first_tag_name(std::string_view text) {
  for (auto open = text.find('<'); open != std::string_view::npos; open = text.find('<', open + 1)) {
    if (open + 1 < text.size() && ascii::is_alpha(text[open + 1])) {
      const auto end = text.find_first_of(" \t\r\n/>", open + 1);
      return text.substr(open + 1, end == std::string_view::npos ? std::string_view::npos : end - open - 1);
    }
  }
  return {};
}

// The roots detect_xml_format may take, an Atom Entry Document's included.
bool has_feed_root(const pugi::xml_document& document) {
  const auto local = local_name(document.document_element().name());
  return local == "rss" || local == "RDF" || local == "feed" || local == "entry";
}

// Servers that print a PHP warning before the feed: the XML declaration may
// only come first (XML 1.0, 2.8), so whatever precedes it is junk.
bool strip_before_declaration(std::string& text, std::vector<std::string>& warnings) {
  const auto declaration = text.find("<?xml");
  if (declaration == std::string::npos || declaration == 0) return false;
  if (declaration + 5 >= text.size() || !ascii::is_xml_space(text[declaration + 5])) return false;
  if (ascii::is_blank(std::string_view{text}.substr(0, declaration))) return false;
  warnings.push_back("xml: skipped " + std::to_string(declaration) + " bytes before the XML declaration");
  text.erase(0, declaration);
  return true;
}

bool drop_doctype(std::string& text, std::vector<std::string>& warnings) {
  const auto start = text.find("<!DOCTYPE");
  if (start == std::string::npos) return false;
  const auto close = text.find('>', start);
  const auto subset = text.find('[', start);
  auto end = close;
  if (subset != std::string::npos && subset < close) {
    const auto subset_end = text.find(']', subset);
    end = subset_end == std::string::npos ? std::string::npos : text.find('>', subset_end);
  }
  if (end == std::string::npos) return false;
  text.erase(start, end + 1 - start);
  warnings.emplace_back("xml: dropped a malformed DOCTYPE");
  return true;
}

// End of the last "</item>" or "</entry>" (any prefix) before limit, or npos.
std::size_t last_item_end(std::string_view text, std::size_t limit) {
  text = text.substr(0, limit);
  for (auto open = text.rfind("</"); open != std::string_view::npos;
       open = open == 0 ? std::string_view::npos : text.rfind("</", open - 1)) {
    const auto name_end = text.find_first_of(" \t\r\n>", open + 2);
    if (name_end == std::string_view::npos) continue;
    const auto local = local_name(text.substr(open + 2, name_end - open - 2));
    if (local != "item" && local != "entry") continue;
    const auto close = text.find_first_not_of(ascii::xml_space, name_end);
    if (close != std::string_view::npos && text[close] == '>') return close + 1;
  }
  return std::string_view::npos;
}

// What was recovered from, for the warnings once the parse succeeds.
struct recovery {
  std::vector<std::string> repairs;  // inside the document
  std::string ending;                // at its end
};

// pugixml refused the text: rewrite its element structure (see
// repair_structure), or nullopt when that changes nothing or gives up.
std::optional<std::string> repair(const std::string& text, recovery& notes) {
  auto repaired = repair_structure(text);
  if (!repaired || !repaired->changed) return std::nullopt;
  notes.repairs = std::move(repaired->warnings);
  if (!repaired->end_note.empty()) {
    notes.ending = "xml: document ends early (" + repaired->end_note + "); kept what came before";
  }
  return std::move(repaired->text);
}

// Where no repair helps (a broken attribute, say): keep the complete items
// before the error and close what is open there.
std::optional<std::string> keep_before(const std::string& text, const pugi::xml_parse_result& failure,
                                       recovery& notes) {
  const auto end = last_item_end(text, static_cast<std::size_t>(failure.offset));
  if (end == std::string::npos) return std::nullopt;
  auto closed = repair_structure(std::string_view{text}.substr(0, end));
  if (!closed) return std::nullopt;
  notes.ending = "xml: " + std::string{failure.description()} + " at byte " + std::to_string(failure.offset) +
                 ", which no repair fixes; kept what came before";
  return std::move(closed->text);
}

bool has_text_before_first_tag(std::string_view text) {
  const auto first_tag = text.find('<');
  return !ascii::is_blank(text.substr(0, first_tag));
}

// text_before_root: has_text_before_first_tag of the text as it was before
// the parse (an in-place parse changes it).
void warn_about_ignored_content(const pugi::xml_document& document, bool text_before_root,
                                std::vector<std::string>& warnings) {
  if (text_before_root) warnings.emplace_back("xml: ignored text before the root element");
  std::size_t roots = 0;
  for (const auto node : document.children()) roots += node.type() == pugi::node_element ? 1 : 0;
  if (roots > 1) {
    warnings.push_back("xml: ignored " + std::to_string(roots - 1) + " elements after the root element");
  }
}

}  // namespace

expected<void, not_a_feed> load_xml(pugi::xml_document& document, std::string text,
                                    std::vector<std::string>& warnings) {
  bool stripped = false;
  bool dropped_doctype = false;
  bool cut = false;
  // pugixml's verdict before the structure repair: what a failure reports.
  std::optional<pugi::xml_parse_result> refused;
  recovery notes;
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    const auto result = load(document, text);
    if (result) {
      if (!has_feed_root(document) && !stripped && strip_before_declaration(text, warnings)) {
        stripped = true;
        continue;
      }
      for (auto& note : notes.repairs) warnings.push_back(std::move(note));
      if (!notes.ending.empty()) warnings.push_back(std::move(notes.ending));
      warn_about_ignored_content(document, has_text_before_first_tag(text), warnings);
      return {};
    }
    if (result.status == pugi::status_no_document_element) {
      return unexpected{not_a_feed{"parse: xml: no root element (empty document)"}};
    }
    if (!stripped && strip_before_declaration(text, warnings)) {
      stripped = true;
      continue;
    }
    if (result.status == pugi::status_bad_doctype && !dropped_doctype && drop_doctype(text, warnings)) {
      dropped_doctype = true;
      continue;
    }
    if (!refused) {
      refused = result;
      if (auto repaired = repair(text, notes)) {
        text = std::move(*repaired);
        continue;
      }
    }
    if (!cut) {
      cut = true;
      if (auto kept = keep_before(text, result, notes)) {
        text = std::move(*kept);
        continue;
      }
    }
    break;
  }
  document.reset();
  if (ascii::iequals(first_tag_name(text), "html")) return unexpected{not_a_feed{"parse: root: <html> is not a feed"}};
  if (!refused) return unexpected{not_a_feed{"parse: xml: not well-formed"}};
  return unexpected{not_a_feed{"parse: xml: " + std::string{refused->description()} + " at byte " +
                               std::to_string(refused->offset)}};
}

expected<bool, not_a_feed> load_xml_in_place(pugi::xml_document& document, std::string& text,
                                             std::vector<std::string>& warnings) {
  // What load_xml's first attempt would look at, read before the parse
  // changes the text.
  const bool text_before_root = has_text_before_first_tag(text);
  const auto result = document.load_buffer_inplace(text.data(), text.size(), parse_flags, pugi::encoding_utf8);
  if (result && has_feed_root(document)) {
    warn_about_ignored_content(document, text_before_root, warnings);
    return true;
  }
  document.reset();
  // The failure load_xml reports at once, without trying a recovery.
  if (!result && result.status == pugi::status_no_document_element) {
    return unexpected{not_a_feed{"parse: xml: no root element (empty document)"}};
  }
  return false;
}

}  // namespace feedd::parsers::detail
