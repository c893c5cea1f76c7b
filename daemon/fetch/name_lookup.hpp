#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace feedd::daemon {

// What a lookup found: numeric addresses ("192.0.2.1", "2001:db8::1"), or
// an error message when it found none.
struct lookup_answer {
  std::vector<std::string> addresses;
  std::string error;
  // The DNS said the name does not exist (NXDOMAIN, or no address records):
  // an answer about the host, unlike a server that could not be asked.
  bool no_such_host = false;
};

// Resolves a host name, blocking: getaddrinfo (A and AAAA records).
lookup_answer system_lookup(const std::string& host);

// Host name lookups on threads of their own. getaddrinfo cannot be
// interrupted, and Asio runs every lookup of an io_context on a single
// thread (asio #470), so one name whose DNS server never answers would hold
// up every fetch behind it (RELIABILITY N3). Here a lookup that hangs holds
// one thread; threads are started as lookups wait, up to max_threads, and
// the caller stops waiting at its own deadline.
class name_lookup {
 public:
  using resolve_function = std::function<lookup_answer(const std::string& host)>;

  explicit name_lookup(std::size_t max_threads, resolve_function resolve = system_lookup);
  // Stops taking lookups. Threads still inside getaddrinfo are left to
  // finish on their own; they call nobody afterwards.
  ~name_lookup();
  name_lookup(const name_lookup&) = delete;
  name_lookup& operator=(const name_lookup&) = delete;

  // Calls done(answer) on a lookup thread, unless *abandoned is true by then
  // (the caller gave up waiting) or this object is gone.
  void lookup(std::string host, std::function<void(lookup_answer)> done, std::shared_ptr<std::atomic<bool>> abandoned);

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace feedd::daemon
