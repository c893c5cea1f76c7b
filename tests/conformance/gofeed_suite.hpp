#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "feedd/model.hpp"
#include "scoreboard.hpp"

// gofeed's translator goldens (corpus/gofeed/testdata/translator/**): each
// XML (or JSON Feed) document beside the JSON of gofeed's unified Feed
// model. Only fields feedd stores are compared; the rest (description,
// image, language, copyright, generator, extensions...) has no counterpart.
namespace feedd::conformance {

// Every stored field of one golden against our feed, one record per field.
void judge_golden(const nlohmann::json& golden, const feed& ours, std::string_view category, std::string_view file,
                  scoreboard& board);

scoreboard run_gofeed_suite(const std::filesystem::path& corpus_dir);

}  // namespace feedd::conformance
