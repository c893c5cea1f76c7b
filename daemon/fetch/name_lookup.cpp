#include "name_lookup.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

namespace feedd::daemon {

lookup_answer system_lookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // No AI_ADDRCONFIG: a host with loopback only would find no address even
  // for localhost.
  addrinfo* found = nullptr;
  lookup_answer answer;
  if (const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    answer.error = rc == EAI_SYSTEM ? std::string("system error") : std::string(::gai_strerror(rc));
    answer.no_such_host = rc == EAI_NONAME;
#ifdef EAI_NODATA
    answer.no_such_host = answer.no_such_host || rc == EAI_NODATA;
#endif
    return answer;
  }
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = a->ai_family == AF_INET6 ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr)
                                               : static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr);
    if ((a->ai_family == AF_INET || a->ai_family == AF_INET6) && ::inet_ntop(a->ai_family, raw, text, sizeof text)) {
      answer.addresses.emplace_back(text);
    }
  }
  ::freeaddrinfo(found);
  if (answer.addresses.empty()) answer.error = "no addresses";
  return answer;
}

struct name_lookup::state {
  struct job {
    std::string host;
    std::function<void(lookup_answer)> done;
    std::shared_ptr<std::atomic<bool>> abandoned;
  };

  state(std::size_t max, resolve_function r) : max_threads(max == 0 ? 1 : max), resolve(std::move(r)) {}

  // Runs on a detached thread that owns a reference to this state, so that
  // a thread stuck in getaddrinfo past the owner's end touches nothing freed.
  static void work(const std::shared_ptr<state>& self) {
    std::unique_lock lock(self->mutex);
    for (;;) {
      ++self->idle;
      self->wake.wait(lock, [&] { return self->stopped || !self->jobs.empty(); });
      --self->idle;
      if (self->stopped) break;
      job next = std::move(self->jobs.front());
      self->jobs.pop_front();
      if (next.abandoned && *next.abandoned) continue;
      lock.unlock();
      lookup_answer answer = self->resolve(next.host);
      lock.lock();
      // Under the lock: once the owner has set stopped, nobody is called.
      if (!self->stopped && !(next.abandoned && *next.abandoned)) next.done(std::move(answer));
    }
    --self->threads;
  }

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<job> jobs;
  const std::size_t max_threads;
  const resolve_function resolve;
  std::size_t threads = 0;
  std::size_t idle = 0;
  bool stopped = false;
};

name_lookup::name_lookup(std::size_t max_threads, resolve_function resolve)
    : state_(std::make_shared<state>(max_threads, std::move(resolve))) {}

name_lookup::~name_lookup() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopped = true;
    state_->jobs.clear();
  }
  state_->wake.notify_all();
}

void name_lookup::lookup(std::string host, std::function<void(lookup_answer)> done,
                         std::shared_ptr<std::atomic<bool>> abandoned) {
  bool spawn = false;
  {
    std::lock_guard lock(state_->mutex);
    state_->jobs.push_back({std::move(host), std::move(done), std::move(abandoned)});
    // A new thread only when every thread is busy, which normally means
    // lookups that hang: a quick lookup frees its thread in milliseconds.
    if (state_->idle < state_->jobs.size() && state_->threads < state_->max_threads) {
      ++state_->threads;
      spawn = true;
    }
  }
  if (spawn) std::thread([self = state_] { state::work(self); }).detach();
  state_->wake.notify_one();
}

}  // namespace feedd::daemon
