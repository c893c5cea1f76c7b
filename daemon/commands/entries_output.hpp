#pragma once

#include <vector>

#include "feedd/storage/read_entries.hpp"

namespace feedd::daemon {

// How `feedd entries` prints: JSON lines, or a table whose header comes
// once. print() is false once standard output is gone (a closed pipe).
class entries_printer {
 public:
  explicit entries_printer(bool json) : json_(json) {}
  bool print(const std::vector<storage::entry_item>& items);

 private:
  bool json_;
  bool header_done_ = false;
};

// Credentials in a link are replaced by "***"; the rest stays usable.
std::string without_credentials(const std::string& url);

}  // namespace feedd::daemon
