#pragma once

#include <string>

namespace feedd::test {

// A new, empty database in the throwaway cluster (or in `cluster`, a libpq
// conninfo without dbname), dropped (with FORCE) when the object goes away.
// Every test that writes gets its own, so tests never see each other's rows.
class test_database {
 public:
  explicit test_database(const std::string& label);
  test_database(const std::string& label, const std::string& cluster);
  test_database(const test_database&) = delete;
  test_database& operator=(const test_database&) = delete;
  ~test_database();

  const std::string& conninfo() const { return conninfo_; }  // libpq keyword/value string
  const std::string& name() const { return name_; }

  // Runs SQL and returns the first column of the first row ("" if none);
  // fails the test on error. For assertions only.
  std::string scalar(const std::string& sql) const;
  void exec(const std::string& sql) const;

 private:
  std::string cluster_;
  std::string name_;
  std::string conninfo_;
};

}  // namespace feedd::test
