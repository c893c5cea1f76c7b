#pragma once

#include <array>

// Included by migrations.cpp only: the statements of schema version 5.
namespace feedd::storage::schema {

// Version 5: the read contract (README "Reading entries").
//
// entries.change_xid is the id of the transaction that last inserted or
// updated the row, set by a BEFORE row trigger so that every writer (the
// store thread, a future batching store, another tool) moves it and none
// can set it wrong. A consumer pages by (change_xid, id) and reads only
// rows below its snapshot's xmin: every transaction with a smaller id has
// ended, so no row can later appear behind a cursor (a bigserial or
// changed_at can: a transaction that commits later may hold the smaller
// value). Rows present before this version share the constant '1', below
// every real transaction id: ADD COLUMN with a constant default rewrites no
// row, and SET DEFAULT afterwards changes only the catalog.
//
// feedd_entries_v1 and feedd_entries_since() are what other programs read;
// the tables behind them may change, these keep their columns and meaning.
//
// NOTIFY feedd_entries: one statement-level trigger per operation (a
// trigger with transition tables takes one event), so the cost is per
// statement, not per row, whoever writes and however many feeds one
// transaction holds. Each notification carries at most ~6,000 bytes of
// per-feed counts; a bigger statement sends several parts.
constexpr std::array version_5 = {
    "ALTER TABLE entries ADD COLUMN change_xid xid8 NOT NULL DEFAULT '1'",
    "ALTER TABLE entries ALTER COLUMN change_xid SET DEFAULT pg_current_xact_id()",
    "COMMENT ON COLUMN entries.change_xid IS"
    " 'transaction that last inserted or updated the row (trigger); 1: stored before schema version 5'",

    "CREATE FUNCTION feedd_entry_changed() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
    "BEGIN\n"
    "  NEW.change_xid := pg_current_xact_id();\n"
    "  RETURN NEW;\n"
    "END\n"
    "$body$",
    // The WHEN clause is a C function call per row, the trigger's plpgsql
    // call ~10 times dearer: an INSERT that takes the default (the store
    // path) and a second UPDATE in the same transaction skip it.
    "CREATE TRIGGER entries_change_xid BEFORE INSERT OR UPDATE ON entries FOR EACH ROW"
    " WHEN (NEW.change_xid IS DISTINCT FROM pg_current_xact_id())"
    " EXECUTE FUNCTION feedd_entry_changed()",

    "CREATE INDEX entries_change_idx ON entries (change_xid, id)",

    "CREATE VIEW feedd_entries_v1 AS"
    " SELECT e.id, e.feed_id, f.url AS feed_url, f.title AS feed_title, e.guid, e.url, e.title, e.author, e.summary,"
    "  e.content, e.published_at, e.updated_at, e.first_seen_at, e.changed_at, e.categories, e.change_xid,"
    "  e.change_xid::text || ':' || e.id::text AS cursor"
    " FROM entries e JOIN feeds f ON f.id = e.feed_id",
    "COMMENT ON VIEW feedd_entries_v1 IS"
    " 'stable read contract of feedd entries (README \"Reading entries\"); page with feedd_entries_since()'",

    // BEGIN ATOMIC: names are bound when the function is created, so it
    // works whatever the caller's search_path.
    "CREATE FUNCTION feedd_entries_since(after_xid xid8, after_id bigint, max_rows int)"
    " RETURNS SETOF feedd_entries_v1 LANGUAGE sql STABLE\n"
    "BEGIN ATOMIC\n"
    "  SELECT * FROM feedd_entries_v1\n"
    "  WHERE (change_xid, id) > (after_xid, after_id)\n"
    "    AND change_xid < pg_snapshot_xmin(pg_current_snapshot())\n"
    "  ORDER BY change_xid, id\n"
    "  LIMIT max_rows;\n"
    "END",
    "COMMENT ON FUNCTION feedd_entries_since(xid8, bigint, int) IS"
    " 'entries inserted or updated after the cursor (change_xid, id), oldest first, never past a transaction in flight;"
    " start from (0, 0)'",

    // Per feed: [feed id, new, updated]. Chunks are cut by the running
    // length of those items, so a statement of any size yields payloads of
    // at most ~6,000 bytes (PostgreSQL refuses 8,000).
    "CREATE FUNCTION feedd_entries_stored() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $body$\n"
    "DECLARE\n"
    "  part record;\n"
    "  inserted bool := TG_OP = 'INSERT';\n"
    "BEGIN\n"
    // Most store statements change nothing (an unchanged feed).
    "  PERFORM FROM new_rows LIMIT 1;\n"
    "  IF NOT FOUND THEN\n"
    "    RETURN NULL;\n"
    "  END IF;\n"
    "  FOR part IN\n"
    "    WITH per_feed AS (\n"
    "      SELECT feed_id, count(*) AS n, min(id) AS lo, max(id) AS hi FROM new_rows GROUP BY feed_id),\n"
    "    sized AS (\n"
    "      SELECT *, sum(length(feed_id::text) + length(n::text) + 12) OVER (ORDER BY feed_id) / 6000 AS chunk\n"
    "      FROM per_feed)\n"
    "    SELECT json_agg(json_build_array(feed_id, CASE WHEN inserted THEN n ELSE 0 END,\n"
    "             CASE WHEN inserted THEN 0 ELSE n END) ORDER BY feed_id) AS feeds,\n"
    "           sum(n) AS n, min(lo) AS lo, max(hi) AS hi,\n"
    "           row_number() OVER (ORDER BY chunk) AS part, count(*) OVER () AS parts\n"
    "    FROM sized GROUP BY chunk ORDER BY chunk\n"
    "  LOOP\n"
    "    PERFORM pg_notify('feedd_entries', json_build_object(\n"
    "      'xid', pg_current_xact_id()::text,\n"
    "      'new', CASE WHEN inserted THEN part.n ELSE 0 END,\n"
    "      'updated', CASE WHEN inserted THEN 0 ELSE part.n END,\n"
    "      'ids', json_build_array(part.lo, part.hi),\n"
    "      'part', part.part, 'parts', part.parts,\n"
    "      'feeds', part.feeds)::text);\n"
    "  END LOOP;\n"
    "  RETURN NULL;\n"
    "END\n"
    "$body$",
    "CREATE TRIGGER entries_inserted_notify AFTER INSERT ON entries REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION feedd_entries_stored()",
    "CREATE TRIGGER entries_updated_notify AFTER UPDATE ON entries REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION feedd_entries_stored()",
    "COMMENT ON TRIGGER entries_inserted_notify ON entries IS 'NOTIFY feedd_entries: new entries per feed'",
    "COMMENT ON TRIGGER entries_updated_notify ON entries IS 'NOTIFY feedd_entries: updated entries per feed'",
};

}  // namespace feedd::storage::schema
