#include "document.hpp"

#include <string>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "fields.hpp"
#include "mark.hpp"
#include "stream.hpp"
#include "suggest.hpp"
#include "values.hpp"

namespace feedd::config {
namespace {

std::string join_names(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::vector<std::string_view> keys_of(std::string_view section) {
  std::vector<std::string_view> names;
  for (const auto& f : fields()) {
    if (f.section == section) names.push_back(f.name);
  }
  return names;
}

// A known key written in the wrong section ("lease" under fetch:), if any.
const field* field_elsewhere(std::string_view name, std::string_view section) {
  for (const auto& f : fields()) {
    if (f.name == name && f.section != section) return &f;
  }
  return nullptr;
}

std::string unknown_section_message(std::string_view name) {
  const auto dot = name.find('.');
  if (dot != std::string_view::npos && find_field(name.substr(0, dot), name.substr(dot + 1)) != nullptr) {
    return "unknown section; write " + std::string(name.substr(dot + 1)) + ": indented under " +
           std::string(name.substr(0, dot)) + ":";
  }
  if (const field* f = field_elsewhere(name, "")) return "unknown section; did you mean " + f->dotted() + "?";
  const auto sections = section_names();
  if (auto guess = closest(name, sections)) return "unknown section; did you mean " + std::string(*guess) + "?";
  return "unknown section; expected one of " + join_names({sections.begin(), sections.end()});
}

std::string unknown_key_message(std::string_view section, std::string_view name) {
  const auto known = keys_of(section);
  if (auto guess = closest(name, known)) {
    return "unknown key; did you mean " + std::string(section) + "." + std::string(*guess) + "?";
  }
  if (const field* f = field_elsewhere(name, section)) return "unknown key; did you mean " + f->dotted() + "?";
  return "unknown key; known keys under " + std::string(section) + ": " + join_names(known);
}

// Returns the name of a mapping key, or adds a problem for a key that is not
// a plain name ("? [a, b]: 1").
std::optional<std::string> key_name(const YAML::Node& key, const std::string& parent, document& doc) {
  if (key.IsScalar()) return key.Scalar();
  doc.add(parent, at(key.Mark()), "keys must be names, got " + describe_node(key));
  return std::nullopt;
}

// yaml-cpp keeps both values of a repeated key and operator[] silently
// returns the first, so an operator's later override would be ignored:
// report the repetition instead.
bool repeated(std::map<std::string, position>& seen, const std::string& name, const std::string& dotted,
              position where, document& doc) {
  const auto [first, inserted] = seen.emplace(name, where);
  if (inserted) return false;
  doc.add(dotted, where, "duplicate key; first written on line " + std::to_string(first->second.line));
  doc.failed.insert(dotted);
  return true;
}

void read_section(const std::string& section, const YAML::Node& node, position section_at, document& doc) {
  // "fetch:" followed only by comments is an empty section, not an error.
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    doc.add(section, section_at, "expected a mapping of keys under " + section + ":, got " + describe_node(node));
    for (const auto& f : fields()) {
      if (f.section == section) doc.failed.insert(f.dotted());
    }
    return;
  }
  std::map<std::string, position> seen;
  for (const auto& item : node) {
    const auto name = key_name(item.first, section, doc);
    if (!name) continue;
    const std::string dotted = section + "." + *name;
    const position where = at(item.first.Mark());
    // Positions come from the key: a null value's own mark points at the
    // next line, an alias's at its anchor.
    const bool again = repeated(seen, *name, dotted, where, doc);
    const field* f = find_field(section, *name);
    if (f == nullptr) {
      doc.add(dotted, where, unknown_key_message(section, *name));
      continue;
    }
    if (auto wrong = read_value(*f, item.second, doc.value)) {
      doc.add(dotted, where, std::move(*wrong));
      doc.failed.insert(dotted);
    } else if (!again) {
      doc.positions.emplace(dotted, where);
    }
  }
}

void read_root(const YAML::Node& root, document& doc) {
  if (root.IsNull()) return;  // an empty file, or only comments
  if (!root.IsMap()) {
    doc.add("", at(root.Mark()),
            "expected a mapping of sections (database:, fetch:, ...) at the top level, got " + describe_node(root));
    return;
  }
  std::map<std::string, position> seen;
  for (const auto& item : root) {
    const auto name = key_name(item.first, "", doc);
    if (!name) continue;
    const position where = at(item.first.Mark());
    repeated(seen, *name, *name, where, doc);
    if (!is_section(*name)) {
      doc.add(*name, where, unknown_section_message(*name));
      continue;
    }
    read_section(*name, item.second, where, doc);
  }
}

}  // namespace

document read_document(std::string_view yaml, std::string_view version) {
  document doc{defaults(version), {}, {}, {}};
  if (auto wrong = check_single_document(yaml)) {
    doc.add("", wrong->where, std::move(wrong->message));
    return doc;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard against stack exhaustion; its message says "bad file".
    doc.add("", at(e.mark), "invalid YAML: nested " + std::to_string(e.depth()) + " levels deep");
    return doc;
  } catch (const YAML::Exception& e) {
    // yaml-cpp stops at the first syntax error, so there is only one to report.
    doc.add("", at(e.mark), "invalid YAML: " + e.msg);
    return doc;
  }
  read_root(root, doc);
  check_combinations(doc);
  return doc;
}

}  // namespace feedd::config
