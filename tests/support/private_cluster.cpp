#include "support/private_cluster.hpp"

#include <chrono>
#include <stdexcept>

#include <gtest/gtest.h>

#include "support/paths.hpp"

namespace feedd::test {

run_result private_cluster::pg_cluster(const std::string& command) const {
  // No fsync: a test cluster holds nothing worth a disk flush.
  return run({(source_dir() / "scripts" / "pg-cluster").string(), command, dir_.path().string()},
             std::chrono::seconds(120),
             {{"FEEDD_PG_FSYNC", "off"}, {"FEEDD_PG_MAX_CONNECTIONS", std::to_string(max_connections_)}});
}

private_cluster::private_cluster(int max_connections)
    : conninfo_("host=" + (dir_.path() / "run").string() + " port=5432 user=postgres"),
      max_connections_(max_connections) {
  if (const auto started = pg_cluster("start"); started.exit_code != 0) {
    throw std::runtime_error("private cluster: " + started.err);
  }
}

private_cluster::~private_cluster() { pg_cluster("stop"); }

bool private_cluster::stop() {
  const auto stopped = pg_cluster("stop");
  if (stopped.exit_code != 0) ADD_FAILURE() << "pg-cluster stop: " << stopped.err;
  return stopped.exit_code == 0;
}

bool private_cluster::start() {
  const auto started = pg_cluster("start");
  if (started.exit_code != 0) ADD_FAILURE() << "pg-cluster start: " << started.err;
  return started.exit_code == 0;
}

}  // namespace feedd::test
