#include "from_config.hpp"

#include <algorithm>
#include <cstdlib>

namespace feedd::daemon {

log_level log_level_of(config::log_level level) {
  switch (level) {
    case config::log_level::debug: return log_level::debug;
    case config::log_level::info: return log_level::info;
    case config::log_level::warning: return log_level::warning;
    case config::log_level::error: return log_level::error;
  }
  return log_level::info;
}

logger logger_of(const config::log_settings& settings) {
  // pick_style reads the spelling of the YAML file ("auto", "text", "json").
  return logger(log_level_of(settings.level), pick_style(config::to_string(settings.format)));
}

namespace {

std::string environment(const char* lower, const char* upper) {
  for (const char* name : {lower, upper}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return {};
}

}  // namespace

fetch_options fetch_options_of(const config::fetch_settings& f) {
  fetch_options o;
  o.connect_timeout = f.connect_timeout;
  o.timeout = f.timeout;
  o.max_body = f.max_body;
  o.max_redirects = f.max_redirects;
  o.user_agent = f.user_agent;
  o.tls_verify = f.tls_verify;
  o.ca_file = f.ca_file;
  o.block_private_addresses = f.block_private_addresses;
  o.http_proxy = f.proxy.empty() ? environment("http_proxy", "HTTP_PROXY") : f.proxy;
  o.https_proxy = f.proxy.empty() ? environment("https_proxy", "HTTPS_PROXY") : f.proxy;
  o.no_proxy = environment("no_proxy", "NO_PROXY");
  // A lookup thread per fetch that may wait on one, but a handful is plenty
  // for names that answer; more only help with many hanging at once.
  o.lookup_threads = static_cast<std::size_t>(std::clamp(f.max_concurrent, 2, 16));
  // A host's next fetches start together as its last ones end, so it keeps
  // as many connections as it may fetch at once; with only two, 14 of 16
  // fetches per host opened and closed a connection each, and that was most
  // of the fetch side's CPU in the warm cycle (bench/README.md). In all no
  // more than may be in flight, so descriptors stay bounded as before.
  o.max_idle_per_origin = static_cast<std::size_t>(std::max(1, f.max_per_host));
  o.max_idle_connections = static_cast<std::size_t>(std::max(f.max_concurrent, f.max_per_host));
  return o;
}

scheduler_limits scheduler_limits_of(const config::fetch_settings& f) {
  return {f.max_concurrent, f.max_per_host, f.timeout, f.host_delay};
}

}  // namespace feedd::daemon
