#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <libpq-fe.h>

#include "feedd/model.hpp"

// Shared between store_bench.cpp (the store path and the report) and
// store_bench_copy.cpp (the COPY it is compared with).
namespace feedd::bench {

struct parsed_document {
  feed parsed;
  std::size_t bytes = 0;  // of the document, for the store thread's batch limit
};

// The feeds of one store batch as the daemon forms it: at most
// batch_results results or batch_bytes of documents (store_batch.cpp).
std::vector<std::vector<std::size_t>> store_batches(const std::vector<parsed_document>& docs);

[[noreturn]] void die(const std::string& what);
void exec_or_die(PGconn* c, const std::string& sql);

// The COPY side: a table of the entries table's shape (columns, types,
// defaults, indexes; not its triggers or foreign keys), filled with the
// rows the store path would write, one COPY and commit per store batch.
void create_copy_table(PGconn* c);
// Rows written and seconds taken.
struct timed_rows {
  std::size_t rows = 0;
  double seconds = 0;
};
timed_rows copy_entries(PGconn* c, const std::vector<parsed_document>& docs,
                        const std::vector<std::vector<std::size_t>>& batches);

}  // namespace feedd::bench
