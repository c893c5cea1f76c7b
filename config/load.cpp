#include <algorithm>
#include <cerrno>
#include <fstream>
#include <system_error>

#include "document.hpp"
#include "feedd/config/config.hpp"

namespace feedd::config {
namespace {

namespace fs = std::filesystem;

// A configuration file is a few kilobytes; anything this large is the wrong
// file, and reading it whole would only waste memory.
constexpr std::size_t max_file_size = 1 << 20;

expected<config, std::vector<problem>> finish(document doc) {
  if (doc.problems.empty()) return std::move(doc.value);
  // Walk order is already file order except for combinations, which are
  // found last; operators read top to bottom.
  std::stable_sort(doc.problems.begin(), doc.problems.end(),
                   [](const problem& a, const problem& b) { return a.line < b.line; });
  return unexpected{std::move(doc.problems)};
}

std::string errno_text(int error) { return std::generic_category().message(error); }

// Opening a FIFO blocks until someone writes to it, and a device or socket
// never ends: only a regular file (or a link to one) is read. Empty when
// the file is one.
std::string not_regular(const fs::file_status& status) {
  switch (status.type()) {
    case fs::file_type::regular: return {};
    case fs::file_type::directory: return "is a directory, not a file";
    case fs::file_type::fifo: return "is a FIFO (named pipe), not a regular file";
    case fs::file_type::socket: return "is a socket, not a regular file";
    case fs::file_type::character:
    case fs::file_type::block: return "is a device, not a regular file";
    default: return "is not a regular file";
  }
}

expected<std::string, std::string> read_text(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) return unexpected{std::string("no such file")};
  if (ec) return unexpected{"cannot read: " + ec.message()};
  if (auto wrong = not_regular(status); !wrong.empty()) return unexpected{std::move(wrong)};
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected{"cannot read: " + errno_text(errno != 0 ? errno : EACCES)};
  std::string text(max_file_size + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return unexpected{"cannot read: " + errno_text(errno != 0 ? errno : EIO)};
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_file_size) return unexpected{std::string("is larger than 1MiB; is this the right file?")};
  return text;
}

// Files named in the configuration must be there when the daemon starts;
// finding out at check-config time beats finding out at the first fetch.
void check_readable(document& doc, std::string_view key, const std::string& file) {
  if (file.empty() || doc.failed.contains(key)) return;
  std::error_code ec;
  const auto status = fs::status(file, ec);
  std::string wrong;
  if (status.type() == fs::file_type::not_found) {
    wrong = "no such file: " + quote(file);
  } else if (ec) {
    wrong = "cannot read " + quote(file) + ": " + ec.message();
  } else if (auto kind = not_regular(status); !kind.empty()) {
    wrong = quote(file) + " " + kind;
  } else {
    errno = 0;
    std::ifstream in(file, std::ios::binary);
    if (!in) wrong = "cannot read " + quote(file) + ": " + errno_text(errno != 0 ? errno : EACCES);
  }
  if (!wrong.empty()) doc.add(std::string(key), doc.where(key), std::move(wrong));
}

}  // namespace

expected<config, std::vector<problem>> load_string(std::string_view yaml, std::string_view version) {
  return finish(read_document(yaml, version));
}

expected<config, std::vector<problem>> load_file(const fs::path& path, std::string_view version) {
  // The path is echoed in every problem; a terminal must not act on it.
  const std::string name = printable(path.string());
  auto text = read_text(path);
  if (!text) return unexpected{std::vector<problem>{problem{name, 0, 0, std::move(text.error())}}};
  document doc = read_document(*text, version);
  // A credential name is resolved only inside the service (read_password).
  if (doc.value.database.password_file.rfind('/', 0) == 0)
    check_readable(doc, "database.password_file", doc.value.database.password_file);
  check_readable(doc, "fetch.ca_file", doc.value.fetch.ca_file);
  // Problems with the document as a whole are about this file.
  for (auto& p : doc.problems) {
    if (p.key.empty()) p.key = name;
  }
  return finish(std::move(doc));
}

}  // namespace feedd::config
