#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/expected.hpp"
#include "feedd/storage/database.hpp"
#include "pq.hpp"

namespace feedd::storage {

// The state behind a `database`: the options to reconnect with, the libpq
// connection and the secrets no message may repeat.
struct database::impl {
  connect_options options;
  pq::connection conn;
  std::vector<std::string> secrets;
  std::function<void()> waiting_hook;  // see database::while_waiting
  std::chrono::milliseconds waiting_every{0};
  std::vector<std::string> channels;   // LISTENed on; again after each connect()
  bool missed_notifications = false;   // reconnected while listening

  expected<void, db_error> connect();
  expected<void, db_error> listen(const std::string& channel);
  expected<bool, db_error> wait_for_notification(std::chrono::milliseconds timeout);

  // Runs one statement (extended protocol, so exactly one, parameters bound
  // by the server) and waits for its answer at most `deadline`
  // (options.answer_deadline by default); past it the connection is
  // abandoned. Errors are classified by SQLSTATE.
  expected<pq::result, db_error> exec(std::string_view step, const char* sql, const pq::params& params = {},
                                      std::optional<std::chrono::milliseconds> deadline = {});

  // "storage: <step>: <detail>" with every secret masked.
  db_error fail(std::string_view step, db_error::kind what, std::string_view detail,
                std::string sqlstate = {}) const;

 private:
  expected<pq::result, db_error> broken(std::string_view step);
  expected<pq::result, db_error> abandon(std::string_view step, std::chrono::milliseconds deadline);
};

// BEGIN now; ROLLBACK on destruction unless commit() ran, so an early return
// on error leaves the connection usable.
// In a transaction that stores fetched documents, on a session with
// asynchronous commit: this transaction's commit waits for its WAL after
// all, unless the operator turned that off (connect_options::durable_documents).
expected<void, db_error> commit_durably(database::impl& db, std::string_view step);

class transaction {
 public:
  static expected<transaction, db_error> begin(database::impl& db, std::string_view step);
  transaction(transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  transaction& operator=(transaction&&) = delete;
  ~transaction();

  expected<void, db_error> commit(std::string_view step);
  void rollback();

 private:
  explicit transaction(database::impl& db) : db_(&db) {}
  database::impl* db_;
};

}  // namespace feedd::storage
