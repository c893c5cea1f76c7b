#pragma once

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace feedd::daemon {

// One thread running the event loop while `run` waits for the database at
// start-up, so that /healthz, /readyz and /metrics answer (database down)
// during the wait. Started with the stop signals still blocked, it leaves
// them to the waiting thread. The loop is stopped and made ready to run
// again by io_threads; the server's pending operations wait for it.
class io_while_connecting {
 public:
  explicit io_while_connecting(boost::asio::io_context& io)
      : io_(io), work_(boost::asio::make_work_guard(io)), thread_([&io] { io.run(); }) {}
  io_while_connecting(const io_while_connecting&) = delete;
  io_while_connecting& operator=(const io_while_connecting&) = delete;
  ~io_while_connecting() {
    // First: releasing the last work stops the loop, which restart() below
    // must undo, not io_threads find.
    work_.reset();
    io_.stop();
    thread_.join();
    io_.restart();
  }

 private:
  boost::asio::io_context& io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace feedd::daemon
