#pragma once

#include <string>

#include "support/process.hpp"

namespace feedd::test {

// A PostgreSQL server of one test's own (scripts/pg-cluster in a fresh
// directory), for tests that stop and start the server under a running
// feedd; the shared cluster serves every other test at the same time and
// must stay up. Stopped and removed when the object goes away.
class private_cluster {
 public:
  // initdb and start; throws when either fails. max_connections stays
  // with every start.
  explicit private_cluster(int max_connections = 100);
  private_cluster(const private_cluster&) = delete;
  private_cluster& operator=(const private_cluster&) = delete;
  ~private_cluster();

  // libpq conninfo without dbname, like pg_conninfo().
  const std::string& conninfo() const { return conninfo_; }
  // Its directory: the cluster is in data/, the socket in run/.
  const std::filesystem::path& dir() const { return dir_.path(); }

  // pg_ctl stop -m fast and start again; false (with the output added to
  // the test's failure) when pg-cluster failed.
  bool stop();
  bool start();

 private:
  run_result pg_cluster(const std::string& command) const;

  temp_dir dir_;
  std::string conninfo_;
  int max_connections_;
};

}  // namespace feedd::test
