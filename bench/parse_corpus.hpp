#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace feedd::bench {

// The parse row of bench/run (issue 12) over a corpus written by
// bench/corpus.py (DIR/manifest.json): feedd's parse() against the model
// ceiling, raw pugixml shown, `repetitions` alternating passes; prints a
// summary and, when json_path is not empty, writes the row there. Reads the
// first `limit` feeds of the manifest (0: all). Returns the exit status.
int run_manifest_corpus(const std::filesystem::path& dir, std::size_t limit, std::size_t repetitions,
                        const std::string& json_path);

}  // namespace feedd::bench
