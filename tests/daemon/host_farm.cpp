#include "host_farm.hpp"

#include <chrono>
#include <csignal>
#include <stdexcept>
#include <thread>

#include "daemon_harness.hpp"
#include "support/paths.hpp"

namespace feedd::test {
namespace {

process::options launch(const std::filesystem::path& dir, const std::vector<host_farm::host>& hosts, int entries) {
  process::options p;
  p.argv = {"/usr/bin/python3", (source_dir() / "tests/support/hostfarm.py").string(), "--ready-file",
            (dir / "ready").string(), "--entries", std::to_string(entries)};
  for (const auto& h : hosts) p.argv.insert(p.argv.end(), {"--listen", h.address + "@" + std::to_string(h.delay_ms)});
  p.stderr_file = dir / "stderr";
  return p;
}

}  // namespace

host_farm::host_farm(const std::vector<host>& hosts, int entries) : server_(launch(dir_.path(), hosts, entries)) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && server_.running()) {
    auto ready = nlohmann::json::parse(read_file(dir_.path() / "ready"), nullptr, false);
    if (ready.is_object()) {
      control_ = ready.at("control").get<int>();
      hosts_ = ready.at("hosts").get<std::vector<std::string>>();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("hostfarm.py did not start: " + read_file(dir_.path() / "stderr"));
}

host_farm::~host_farm() {
  server_.signal(SIGTERM);
  server_.wait_for(std::chrono::seconds(2));  // then the process guard sends SIGKILL
}

std::string host_farm::url(std::size_t index, const std::string& name) const {
  return "http://" + hosts_.at(index) + "/f/" + name + ".xml";
}

nlohmann::json host_farm::stats() const { return nlohmann::json::parse(http_get(control_, "/stats"), nullptr, false); }

void host_farm::publish(int generation) const {
  if (http_get(control_, "/generation?n=" + std::to_string(generation)) != "ok\n") {
    throw std::runtime_error("hostfarm.py did not take generation " + std::to_string(generation));
  }
}

}  // namespace feedd::test
