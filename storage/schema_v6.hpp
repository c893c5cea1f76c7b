#pragma once

#include <array>

namespace feedd::storage {

// Version 6: what an OPML outline carries besides its URL, so that feeds
// export and import keep it (README "Managing feeds"). feeds.title,
// site_url and "interval" exist since version 1; the folder is new. A
// plain nullable column: adding it rewrites no row.
constexpr std::array version_6 = {
    "ALTER TABLE feeds ADD COLUMN category text",
    "COMMENT ON COLUMN feeds.category IS 'OPML folder, nested folders joined by \"/\"; NULL: none'",
};

}  // namespace feedd::storage
