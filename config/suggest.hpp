#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace feedd::config {

// Edit distance where an adjacent transposition counts once ("tiemout" is one
// step from "timeout"), comparing ASCII letters case-insensitively.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate a typo most likely meant: the nearest one within distance 2,
// or else one that the word begins ("max_con" -> "max_concurrent").
std::optional<std::string_view> closest(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace feedd::config
