#include "stream.hpp"

#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include "mark.hpp"

namespace feedd::config {
namespace {

// Remembers where each document starts and ignores its content.
class document_starts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

bool same_place(const YAML::Mark& a, const YAML::Mark& b) { return a.pos == b.pos; }

}  // namespace

std::optional<stream_problem> check_single_document(std::string_view yaml) {
  std::istringstream in{std::string(yaml)};
  YAML::Parser parser(in);
  document_starts handler;
  // Two documents are already one too many; a third tells a real second
  // document from a parser that no longer advances.
  constexpr int enough = 3;
  try {
    for (int i = 0; i < enough && parser.HandleNextDocument(handler); ++i) {
    }
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
  const auto& starts = handler.starts;
  for (std::size_t i = 1; i < starts.size(); ++i) {
    if (same_place(starts[i - 1], starts[i])) {
      return stream_problem{at(starts[i]), "invalid YAML: unexpected character"};
    }
  }
  if (starts.size() > 1) {
    return stream_problem{at(starts[1]), "expected one YAML document, found a second one (after ---)"};
  }
  return std::nullopt;
}

}  // namespace feedd::config
