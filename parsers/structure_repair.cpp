#include "structure_repair.hpp"

#include <limits>
#include <unordered_map>
#include <utility>

#include "ascii.hpp"
#include "markup_scan.hpp"
#include "structure_repair_log.hpp"
#include "xml.hpp"

namespace feedd::parsers::detail {
namespace {

enum class step { done, unfinished, too_deep };

constexpr std::size_t no_container = std::numeric_limits<std::size_t>::max();

class repairer {
 public:
  explicit repairer(std::string_view in) : in_(in) { out_.reserve(in.size() + in.size() / 64 + 64); }

  std::optional<repaired_structure> run() {
    while (pos_ < in_.size()) {
      const std::size_t open = in_.find('<', pos_);
      out_.append(in_.substr(pos_, open == std::string_view::npos ? std::string_view::npos : open - pos_));
      if (open == std::string_view::npos) break;
      pos_ = open;
      const step s = markup();
      if (s == step::too_deep) return std::nullopt;
      if (s == step::unfinished) {
        unfinished_ = true;
        break;
      }
    }
    finish();
    return result();
  }

 private:
  struct open_element {
    std::string_view name;
    std::size_t start = 0;                   // of its start tag in out_
    std::size_t container = no_container;    // nearest element holding entries, this one included
  };

  step markup() {
    const std::string_view rest = in_.substr(pos_);
    if (rest.size() < 2) return step::unfinished;
    if (rest[1] == '/') return end_tag();
    if (is_name_start(rest[1])) return start_tag();
    if (rest.starts_with("<!--")) return copy_until("-->");
    if (rest.starts_with("<![CDATA[")) return copy_until("]]>");
    if (rest[1] == '?') return copy_until("?>");
    if (ascii::starts_with_ignoring_case(rest, "<!DOCTYPE")) return doctype();
    for (const std::string_view opener : {"<!--", "<![CDATA[", "<!DOCTYPE"}) {
      if (opener.starts_with(rest)) return step::unfinished;
    }
    log_.note(structure_fix::stray_lt, pos_, [] { return std::string{}; });
    out_ += "&lt;";
    ++pos_;
    return step::done;
  }

  step copy_until(std::string_view terminator) {
    const std::size_t end = in_.find(terminator, pos_ + 2);
    if (end == std::string_view::npos) return step::unfinished;
    copy_markup(end + terminator.size());
    return step::done;
  }

  // pugixml knows the DOCTYPE only in capitals; HTML pages may write it in
  // any case.
  step doctype() {
    const std::size_t end = doctype_end(in_, pos_ + 9);
    if (end == std::string_view::npos) return step::unfinished;
    if (!in_.substr(pos_).starts_with("<!DOCTYPE")) {
      log_.note(structure_fix::rewritten_tag, pos_, [] { return std::string{"<!DOCTYPE"}; });
      out_ += "<!DOCTYPE";
      pos_ += 9;
    }
    copy_markup(end);
    return step::done;
  }

  void copy_markup(std::size_t end) {
    out_.append(in_.substr(pos_, end - pos_));
    pos_ = end;
    markup_end_ = out_.size();
  }

  step end_tag() {
    const std::size_t at = tag_at_ = pos_;
    std::size_t name_end = at + 2;
    while (name_end < in_.size() && is_name_char(in_[name_end])) ++name_end;
    const std::size_t close = in_.find_first_of("<>", name_end);
    if (close == std::string_view::npos) return step::unfinished;
    const std::string_view name = in_.substr(at + 2, name_end - at - 2);
    pos_ = in_[close] == '>' ? close + 1 : close;
    const auto as_written = [&] { return in_.substr(at, pos_ - at); };
    if (name.empty() || !is_name_start(name[0])) {
      log_.note(structure_fix::stray_end_tag, at, as_written);
      return step::done;
    }
    // pugixml takes nothing but white space between the name and the '>'.
    if (in_[close] == '<' || !ascii::is_blank(in_.substr(name_end, close - name_end))) {
      log_.note(structure_fix::rewritten_tag, at, as_written);
    }
    close_element(name, at);
    markup_end_ = out_.size();
    return step::done;
  }

  void close_element(std::string_view name, std::size_t at) {
    if (!open_.empty() && open_.back().name == name) {
      pop();
      return;
    }
    if (count_of(name) == 0) {
      log_.note(structure_fix::stray_end_tag, at, [&] { return "</" + shown_name(name) + ">"; });
      return;
    }
    while (open_.back().name != name) {
      log_.note(structure_fix::closed_at_end_tag, at,
                [&] { return "<" + shown_name(open_.back().name) + "> at </" + shown_name(name) + ">"; });
      pop();
    }
    pop();
  }

  step start_tag() {
    const std::size_t at = tag_at_ = pos_;
    std::size_t name_end = at + 1;
    while (name_end < in_.size() && is_name_char(in_[name_end])) ++name_end;
    const std::string_view name = in_.substr(at + 1, name_end - at - 1);
    const std::size_t end = start_tag_end(in_, name_end);
    if (end == std::string_view::npos) return step::unfinished;
    const bool cut_short = in_[end - 1] != '>';
    const bool self_closing = !cut_short && end - at >= 3 && in_[end - 2] == '/';
    if (pending_root_) resume_root(name);
    if (const std::size_t container = innermost_container(); is_entry(name, container)) {
      while (open_.size() > container + 1) {
        log_.note(structure_fix::closed_before_entry, at,
                  [&] { return "<" + shown_name(open_.back().name) + "> before <" + shown_name(name) + ">"; });
        pop();
      }
    }
    const std::size_t start = out_.size();
    const bool void_element = !self_closing && is_html_void_element(name);
    if (cut_short) log_.note(structure_fix::rewritten_tag, at, [&] { return "<" + shown_name(name); });
    if (void_element) log_.note(structure_fix::closed_void, at, [&] { return "<" + shown_name(name) + ">"; });
    out_.append(in_.substr(at, end - at - (cut_short ? 0 : 1)));
    out_ += void_element ? "/>" : ">";
    pos_ = end;
    markup_end_ = out_.size();
    if (self_closing || void_element) return step::done;
    return push(name, start) ? step::done : step::too_deep;
  }

  // A start tag after the root's end tag: inside the root again, unless it
  // starts a second root of the same name.
  void resume_root(std::string_view name) {
    open_element root = *std::exchange(pending_root_, std::nullopt);
    if (root.name == name) {
      out_ += "</" + std::string{root.name} + ">";
      return;
    }
    log_.note(structure_fix::reopened_root, root_end_at_, [&] { return "</" + shown_name(root.name) + ">"; });
    open_.push_back(root);
    ++counts_[root.name];
  }

  bool push(std::string_view name, std::size_t start) {
    if (open_.size() >= max_repair_depth) return false;
    const std::size_t parent_container = innermost_container();
    const auto local = local_name(name);
    const bool container = local == "rss" || local == "RDF" || local == "feed" ||
                           (local == "channel" && !open_.empty() && local_name(open_.back().name) == "rss");
    open_.push_back({name, start, container ? open_.size() : parent_container});
    ++counts_[name];
    return true;
  }

  void pop() {
    const open_element top = open_.back();
    open_.pop_back();
    --counts_[top.name];
    if (open_.empty()) {
      // Written at the end of input, or dropped if more elements follow.
      pending_root_ = top;
      root_end_at_ = tag_at_;
      return;
    }
    out_ += "</";
    out_ += top.name;
    out_ += '>';
  }

  std::size_t count_of(std::string_view name) const {
    const auto it = counts_.find(name);
    return it == counts_.end() ? 0 : it->second;
  }

  std::size_t innermost_container() const { return open_.empty() ? no_container : open_.back().container; }

  // Entries are the <item>s of RSS and RDF and the <entry>s of Atom, in
  // the container's namespace prefix or none.
  bool is_entry(std::string_view name, std::size_t container) const {
    if (container == no_container) return false;
    const std::string_view holder = open_[container].name;
    const std::string_view local = local_name(name);
    if (local != (local_name(holder) == "feed" ? "entry" : "item")) return false;
    const std::string_view prefix = prefix_of(name);
    return prefix.empty() || prefix == prefix_of(holder);
  }

  void finish() {
    if (unfinished_ || !open_.empty()) {
      end_note_ = unfinished_ ? "an unfinished tag at byte " + std::to_string(pos_) + ", "
                              : "at byte " + std::to_string(in_.size()) + ", ";
      end_note_ += counted("# element[s] open", open_.size());
      if (!open_.empty()) out_.resize(markup_end_);
      for (std::size_t i = 1; i < open_.size(); ++i) {
        if (!is_entry(open_[i].name, open_[i - 1].container)) continue;
        end_note_ += ", the unfinished <" + shown_name(open_[i].name) + "> dropped";
        out_.resize(open_[i].start);
        open_.resize(i);
        break;
      }
      while (!open_.empty()) pop();
    }
    if (pending_root_) out_ += "</" + std::string{pending_root_->name} + ">";
  }

  repaired_structure result() {
    repaired_structure out;
    out.changed = !end_note_.empty() || !log_.empty();
    out.warnings = log_.warnings();
    out.text = std::move(out_);
    out.end_note = std::move(end_note_);
    return out;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::string out_;
  std::size_t markup_end_ = 0;  // in out_, after the last complete markup
  bool unfinished_ = false;
  std::vector<open_element> open_;
  std::unordered_map<std::string_view, std::size_t> counts_;  // open elements by name
  std::optional<open_element> pending_root_;
  std::size_t tag_at_ = 0;       // of the tag being read, in in_
  std::size_t root_end_at_ = 0;  // of the end tag that closed the root
  structure_repair_log log_;
  std::string end_note_;
};

}  // namespace

std::optional<repaired_structure> repair_structure(std::string_view text) { return repairer{text}.run(); }

}  // namespace feedd::parsers::detail
