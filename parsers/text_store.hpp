#pragma once

#include <deque>
#include <string>
#include <string_view>

namespace feedd::parsers::detail {

// Owner of the text a reader makes (markup written out, runs of text joined,
// names cut out of an address): the raw feed's fields are views into the
// parsed document or into one of these, so that the common field, one run
// of text, is never copied before normalize writes the model. Strings keep
// their place in a deque, and a moved store keeps its strings.
class text_store {
 public:
  std::string_view keep(std::string text) { return kept_.emplace_back(std::move(text)); }

 private:
  std::deque<std::string> kept_;
};

}  // namespace feedd::parsers::detail
