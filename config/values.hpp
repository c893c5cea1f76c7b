#pragma once

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "feedd/config/config.hpp"
#include "fields.hpp"

namespace feedd::config {

// Reads one key's value into out, or says what is wrong with it (without the
// key, which the caller adds).
std::optional<std::string> read_value(const field& f, const YAML::Node& node, config& out);

// "a mapping", "a sequence", "nothing" or the quoted scalar.
std::string describe_node(const YAML::Node& node);

}  // namespace feedd::config
