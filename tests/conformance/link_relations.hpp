#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// feedparser lists every <link> of the feed or of an entry, whatever its
// rel; feedd keeps only the alternate one (and rel="enclosure" as
// enclosures). To know which kind a "links[n]" expectation names, the test
// reads the document itself.
namespace feedd::conformance {

// rel of the n-th <link> child (any namespace, document order) of the
// channel/feed (entry empty) or of the entry-th <item>/<entry>; "alternate"
// when absent; nullopt when there is no such link or the XML does not load.
std::optional<std::string> link_relation(std::string_view document, std::optional<std::size_t> entry, std::size_t n);

}  // namespace feedd::conformance
