#pragma once

#include <array>

// Version 7: retention (storage/retention.cpp, README "Retention").
//
// entry_tombstones remembers the identity of each purged entry -- the
// feed and the key the upsert uses (entries.guid, already hashed when
// long) -- so that an entry still present in its feed is not inserted
// again on the next fetch (the upsert skips keys found here). last_seen_at
// is when a fetch last brought that key again (moved forward at most once a
// day, so that a feed full of purged entries does not rewrite its
// tombstones on every fetch); a tombstone unseen for
// retention::tombstone_unseen_limit is dropped. Tombstones go with their
// feed (ON DELETE CASCADE).
//
// entries_feed_age_idx orders a feed's entries by the age retention reads
// ("newest": published_at, else first_seen_at; id breaks ties), so that a
// purge finds its few hundred victims without sorting the feed, and the
// dry run counts old entries by a range scan.
namespace feedd::storage {

inline constexpr std::array version_7 = {
    "CREATE TABLE entry_tombstones ("
    " feed_id bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
    " guid text NOT NULL,"
    " purged_at timestamptz NOT NULL DEFAULT now(),"
    " last_seen_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (feed_id, guid))",

    "COMMENT ON TABLE entry_tombstones IS"
    " 'entries purged by retention: not stored again while their feed still carries them'",
    "COMMENT ON COLUMN entry_tombstones.last_seen_at IS"
    " 'last fetch that carried the entry (updated at most daily); dropped when unseen for 30 days'",

    "CREATE INDEX entry_tombstones_last_seen_idx ON entry_tombstones (last_seen_at)",

    "CREATE INDEX entries_feed_age_idx ON entries (feed_id, (coalesce(published_at, first_seen_at)), id)",
};

}  // namespace feedd::storage
