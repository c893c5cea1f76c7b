#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// Synthetic feeds for the benchmark: deterministic, of realistic shape
// (escaped HTML descriptions, CDATA content, entities, non-ASCII text,
// categories, enclosures, Dublin Core) and of a chosen size.
namespace feedd::bench {

enum class generated_format { rss20, atom10, rdf };

struct generated_feed {
  generated_format format = generated_format::rss20;
  std::string bytes;
  std::size_t entries = 0;
};

// One document of about target_bytes (never below one entry).
generated_feed generate_feed(generated_format format, std::size_t target_bytes, std::uint64_t seed);

// Documents of 2-200 KB (log-uniform), formats in turn, until total_bytes.
std::vector<generated_feed> generate_corpus(std::size_t total_bytes, std::uint64_t seed);

}  // namespace feedd::bench
