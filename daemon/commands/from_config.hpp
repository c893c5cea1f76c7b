#pragma once

#include "feedd/config/config.hpp"
#include "fetcher.hpp"
#include "log.hpp"
#include "scheduler.hpp"

// The configuration as each module's own plain values: the modules never see
// config:: types they do not need (STYLE §1, "a thin adapter reads config").
namespace feedd::daemon {

log_level log_level_of(config::log_level level);
// The logger `run` writes with: log.level and log.format.
logger logger_of(const config::log_settings& settings);
// The proxies come from fetch.proxy when set, else from the environment:
// http_proxy then HTTP_PROXY, https_proxy then HTTPS_PROXY; no_proxy then
// NO_PROXY applies to either (curl's order).
fetch_options fetch_options_of(const config::fetch_settings& f);
scheduler_limits scheduler_limits_of(const config::fetch_settings& f);

}  // namespace feedd::daemon
