#include "support/paths.hpp"

#include <cstdlib>

namespace feedd::test {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

std::filesystem::path source_dir() { return env_or("FEEDD_SOURCE_DIR", FEEDD_SOURCE_DIR); }
std::filesystem::path shared_dir() {
  return env_or("FEEDD_SHARED_DIR", (std::string(FEEDD_SOURCE_DIR) + "/../shared").c_str());
}
std::filesystem::path feedd_binary() { return env_or("FEEDD_BINARY", FEEDD_BINARY); }
std::string pg_conninfo() { return env_or("FEEDD_TEST_PG", FEEDD_TEST_PG); }

}  // namespace feedd::test
