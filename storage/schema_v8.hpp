#pragma once

#include <array>

// Version 8: an unchanged document writes no entry (storage/store_many.cpp,
// issue 12).
//
// feeds.entries_hash is the store path's digest of the entries of the last
// stored document (every field the upsert writes, in order); when the next
// document's digest is the same, its entries are not sent to the database
// at all, only the feed row is finished. entries_hashed_at is when the
// entries were last upserted in full: after a day the digest is not
// trusted and the upsert runs again, so that the tombstones of entries the
// feed still carries are seen (retention's daily refresh of last_seen_at)
// and a digest collision or a row changed by hand costs at most a day. NULL
// (every feed after the upgrade): no digest, the next store upserts.
namespace feedd::storage {

inline constexpr std::array version_8 = {
    "ALTER TABLE feeds ADD COLUMN entries_hash text, ADD COLUMN entries_hashed_at timestamptz",
    "COMMENT ON COLUMN feeds.entries_hash IS"
    " 'digest of the entries of the last stored document; equal within a day of entries_hashed_at: not upserted'",
    "COMMENT ON COLUMN feeds.entries_hashed_at IS 'when the entries were last upserted in full'",
};

}  // namespace feedd::storage
