#pragma once

#include <string>

#include "app.hpp"

namespace feedd::daemon {

// `feedd entries`: README "Reading entries".
struct entries_options {
  std::string feed;   // URL or id; empty: every feed
  std::string since;  // duration (1h) or timestamp; empty: no bound
  std::string after;  // cursor "xid:id" to page on from; empty: the latest
  int limit = 50;
  bool json = false;
  bool follow = false;
};

int run_entries(const context& ctx, const entries_options& options);

}  // namespace feedd::daemon
