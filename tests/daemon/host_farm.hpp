#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace feedd::test {

// tests/support/hostfarm.py for the lifetime of the object: generated feeds
// on many loopback addresses (each its own host to feedd), every request
// counted by path and User-Agent, in-flight peaks measured per host.
class host_farm {
 public:
  struct host {
    std::string address;  // 127.0.0.2, ...
    int delay_ms = 0;     // each answer this late
  };

  // Throws std::runtime_error when the server does not come up within 10 s.
  host_farm(const std::vector<host>& hosts, int entries);
  host_farm(const host_farm&) = delete;
  host_farm& operator=(const host_farm&) = delete;
  ~host_farm();

  // "ADDR:PORT" of each host, in the order given.
  const std::vector<std::string>& hosts() const { return hosts_; }
  // http://ADDR:PORT/f/NAME.xml
  std::string url(std::size_t index, const std::string& name) const;
  // hostfarm.py's /stats (see its header); null when it did not answer.
  nlohmann::json stats() const;
  // From now on the feeds publish generation `n`: entries + n - 1 items each.
  void publish(int generation) const;
  pid_t pid() const { return server_.pid(); }

 private:
  temp_dir dir_;
  process server_;
  int control_ = 0;
  std::vector<std::string> hosts_;
};

}  // namespace feedd::test
