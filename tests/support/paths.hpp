#pragma once

#include <filesystem>
#include <string>

namespace feedd::test {

std::filesystem::path source_dir();  // the checkout
std::filesystem::path shared_dir();  // ../shared beside the checkout; may not exist
std::filesystem::path feedd_binary();
// libpq conninfo of the throwaway cluster, without dbname (FEEDD_TEST_PG overrides).
std::string pg_conninfo();

}  // namespace feedd::test
