#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "feedd/expected.hpp"
#include "feedd/storage/claims.hpp"

// Many claims finished per round trip (issue 12): the store thread's cost
// per feed was one transaction each, a 304 as dear as a new feed. Each
// function finishes its items as their single-claim counterparts in
// claims.hpp would, lease token by lease token: a claim whose lease was
// lost, or whose finish already landed (a retry after a lost answer), is
// told apart per item and leaves the others alone. Results are in the
// order of the items.
namespace feedd::storage {

struct not_modified_finish {
  const claim* c = nullptr;
  http_meta meta;
  std::chrono::seconds next_in{0};  // no adapt: adaptive 304s read their arrivals one by one
};

struct failed_finish {
  const claim* c = nullptr;
  std::optional<int> status;
  std::string error;
  std::chrono::seconds next_in{0};
  bool gone = false;
};

struct fetched_finish {
  const claim* c = nullptr;
  const feed* parsed = nullptr;
  http_meta meta;
  next_check next;
};

// One UPDATE over arrays (its own transaction).
expected<std::vector<store_stats>, db_error> finish_not_modified_batch(database& db,
                                                                       const std::vector<not_modified_finish>& items);
// One UPDATE over arrays (its own transaction).
expected<std::vector<store_stats>, db_error> finish_failed_batch(database& db, const std::vector<failed_finish>& items);
// One transaction for every item: each feed is finished in the transaction
// that stores its entries, as finish_fetched does. An error (say one feed's
// entry refused, kind::content) rolls back the whole batch; the caller
// finishes its feeds one by one then, so that one bad feed costs no other.
expected<std::vector<store_stats>, db_error> finish_fetched_batch(database& db, const std::vector<fetched_finish>& items);

}  // namespace feedd::storage
