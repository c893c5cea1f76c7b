#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "feedd/model.hpp"
#include "feedd/storage/claims.hpp"
#include "feedd/storage/database.hpp"
#include "feedd/storage/feeds.hpp"
#include "support/test_database.hpp"

// Shared set-up for the storage tests: a connection to a fresh, migrated
// database and small feed documents.
namespace feedd::test {

using namespace std::chrono_literals;

inline storage::database open_database(const test_database& t) {
  auto db = storage::database::open({t.conninfo(), "", "feedd-test"});
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(db).value();
}

inline storage::database open_migrated(const test_database& t) {
  auto db = open_database(t);
  auto version = storage::migrate(db);
  if (!version) throw std::runtime_error(version.error().message);
  return db;
}

inline std::int64_t add(storage::database& db, const std::string& url) {
  auto added = storage::add_feed(db, url, std::nullopt);
  if (!added) throw std::runtime_error(added.error().message);
  if (added->already_exists) throw std::runtime_error(url + " already exists");
  return added->row.id;
}

// Claims `feed_id` if it is due and returns the claim (feed_id 0: not
// claimed); other due feeds are released again.
inline storage::claim claim_feed(storage::database& db, std::int64_t feed_id) {
  auto claims = storage::claim_due(db, {1000, 1000, 300s, "test"});
  if (!claims) throw std::runtime_error(claims.error().message);
  storage::claim found;
  for (const auto& c : *claims) {
    if (c.feed_id == feed_id) {
      found = c;
    } else if (auto r = storage::release(db, c); !r) {
      throw std::runtime_error(r.error().message);
    }
  }
  return found;
}

// Claims every due feed (up to 10), by feed id.
inline std::map<std::int64_t, storage::claim> claim_all_due(storage::database& db) {
  auto claims = storage::claim_due(db, {10, 10, 300s, "test"});
  if (!claims) throw std::runtime_error(claims.error().message);
  std::map<std::int64_t, storage::claim> by_id;
  for (const auto& c : *claims) by_id[c.feed_id] = c;
  return by_id;
}

inline entry make_entry(const std::string& guid) {
  entry e;
  e.guid = guid;
  e.url = "https://example.com/" + guid;
  e.title = "Title " + guid;
  e.author = "Author";
  e.summary = "Summary of " + guid;
  e.content = "<p>Content of " + guid + "</p>";
  e.published_at = timestamp{std::chrono::seconds{1'700'000'000}};
  e.categories = {"one", "two"};
  e.enclosures = {enclosure{"https://example.com/" + guid + ".mp3", "audio/mpeg", 1234}};
  return e;
}

inline feed make_feed(int entries) {
  feed f;
  f.title = "Example";
  f.site_url = "https://example.com/";
  for (int i = 0; i < entries; ++i) f.entries.push_back(make_entry("g" + std::to_string(i)));
  return f;
}

inline storage::http_meta ok_meta() { return storage::http_meta{200, "\"v1\"", "Tue, 14 Nov 2023 22:13:20 GMT", "", ""}; }

}  // namespace feedd::test
