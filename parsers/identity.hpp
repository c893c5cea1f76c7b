#pragma once

#include <string>
#include <string_view>

namespace feedd::parsers::detail {

// FNV-1a, 64 bit (draft-eastlake-fnv): tiny, byte-order independent and
// fixed by its published constants, so a synthetic guid is the same on every
// run and platform. Not a defence against collisions made on purpose; a
// publisher can pick its guids anyway.
std::string fnv1a64_hex(std::string_view bytes);

// The identity of an entry with neither guid nor link (SPEC, Database:
// "a hash of title and content"): "fnv:" and 16 hex digits over
// title + "\n" + content.
std::string content_hash_guid(std::string_view title, std::string_view content);

}  // namespace feedd::parsers::detail
