#pragma once

#include <cstdint>

namespace feedd::daemon {

// Requests the fetch module sent on a connection kept open from an earlier
// request (HTTP/1.1 keep-alive), since the process started; /metrics reads
// it at each scrape. Process-wide, as the fetch pool's connections are; any
// thread.
void count_connection_reused();
std::int64_t connections_reused();

}  // namespace feedd::daemon
