#include "fake_server.hpp"

#include <chrono>
#include <csignal>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "support/paths.hpp"

namespace feedd::test {
namespace {

constexpr auto startup_limit = std::chrono::seconds(10);

process::options launch(const std::filesystem::path& dir, const fake_server::options& opts) {
  process::options p;
  p.argv = {"/usr/bin/python3", (source_dir() / "tests/support/fakefeed.py").string(), "--port-file",
            (dir / "port").string(), "--bind", opts.bind};
  if (!opts.root.empty()) p.argv.insert(p.argv.end(), {"--root", opts.root.string()});
  if (!opts.tls_cert.empty()) p.argv.insert(p.argv.end(), {"--tls-cert", opts.tls_cert.string()});
  if (!opts.tls_key.empty()) p.argv.insert(p.argv.end(), {"--tls-key", opts.tls_key.string()});
  if (!opts.log.empty()) p.argv.insert(p.argv.end(), {"--log", opts.log.string()});
  if (opts.tls_legacy_only) p.argv.emplace_back("--tls-legacy-only");
  if (!opts.require_sni.empty()) p.argv.insert(p.argv.end(), {"--require-sni", opts.require_sni});
  p.stderr_file = dir / "stderr";
  return p;
}

process::options launch_proxy(const std::filesystem::path& dir, const fake_proxy::options& opts) {
  process::options p;
  p.argv = {"/usr/bin/python3", (source_dir() / "tests/support/fakeproxy.py").string(), "--port-file",
            (dir / "port").string()};
  if (!opts.auth.empty()) p.argv.insert(p.argv.end(), {"--auth", opts.auth});
  if (!opts.upstream.empty()) p.argv.insert(p.argv.end(), {"--upstream", opts.upstream});
  p.stderr_file = dir / "stderr";
  return p;
}

// The port the script writes once it listens; throws when it does not come
// up within startup_limit.
std::uint16_t wait_for_port(const std::filesystem::path& dir, process& server, const std::string& name) {
  const auto deadline = std::chrono::steady_clock::now() + startup_limit;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = read_file(dir / "port");
    if (!text.empty() && text.back() == '\n') return static_cast<std::uint16_t>(std::stoi(text));
    if (!server.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error(name + " did not start: " + read_file(dir / "stderr"));
}

// Closes the descriptor on every path out of get().
struct socket_fd {
  int fd;
  ~socket_fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

fake_server::fake_server() : fake_server(options{}) {}

fake_server::fake_server(const options& opts)
    : tls_(!opts.tls_cert.empty()), bind_(opts.bind), server_(launch(dir_.path(), opts)) {
  port_ = wait_for_port(dir_.path(), server_, "fakefeed.py");
}

fake_proxy::fake_proxy(const options& opts) : server_(launch_proxy(dir_.path(), opts)) {
  port_ = wait_for_port(dir_.path(), server_, "fakeproxy.py");
}

fake_proxy::~fake_proxy() {
  server_.signal(SIGTERM);
  server_.wait_for(std::chrono::seconds(2));  // then the process guard sends SIGKILL
}

fake_server::~fake_server() {
  server_.signal(SIGTERM);
  server_.wait_for(std::chrono::seconds(2));  // then the process guard sends SIGKILL
}

std::string fake_server::url(std::string_view path) const {
  return std::string(tls_ ? "https" : "http") + "://" + bind_ + ":" + std::to_string(port_) + std::string(path);
}

std::string fake_server::get(std::string_view path) const { return loopback_get(port_, path, bind_); }

std::string loopback_get(std::uint16_t port, std::string_view path, const std::string& host) {
  socket_fd s{::socket(AF_INET, SOCK_STREAM, 0)};
  if (s.fd < 0) return {};
  timeval limit{5, 0};
  ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return {};
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return {};
  const std::string request = "GET " + std::string(path) + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
  if (::send(s.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return {};
  std::string reply;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(s.fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  const auto body = reply.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : reply.substr(body + 4);
}

}  // namespace feedd::test
