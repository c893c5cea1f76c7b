#include "daemon_harness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fake_server.hpp"

#include "support/paths.hpp"

namespace feedd::test {

daemon_harness::daemon_harness(const std::string& label) : db_(label), config_(dir_.path() / "feedd.yaml") {
  write_config();
}

daemon_harness::daemon_harness(const std::string& label, const std::string& cluster)
    : db_(label, cluster), config_(dir_.path() / "feedd.yaml") {
  write_config();
}

void daemon_harness::write_config(const std::string& fetch_yaml, const std::string& other_yaml) {
  // Defaults for tests, each overridable by a "  key: value" line of fetch_yaml.
  std::vector<std::pair<std::string, std::string>> fetch = {
      {"block_private_addresses", "false"}, {"max_per_host", "16"}, {"timeout", "10s"}, {"connect_timeout", "2s"}};
  std::size_t pos = 0;
  while (pos < fetch_yaml.size()) {
    auto nl = fetch_yaml.find('\n', pos);
    std::string line = fetch_yaml.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? fetch_yaml.size() : nl + 1;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(line.find_first_not_of(' '), colon - line.find_first_not_of(' '));
    std::string value = line.substr(line.find_first_not_of(' ', colon + 1));
    bool replaced = false;
    for (auto& [k, v] : fetch)
      if (k == key) v = value, replaced = true;
    if (!replaced) fetch.emplace_back(key, value);
  }
  const std::string& url = database_url_.empty() ? db_.conninfo() : database_url_;
  std::string yaml = "database:\n  url: \"" + url + "\"\n" + database_options_ + "fetch:\n";
  for (const auto& [k, v] : fetch) yaml += "  " + k + ": " + v + "\n";
  write_file(config_, yaml + without_first_check_spread(other_yaml));
}

// Tests import feeds and expect them due at once, and start daemons on
// feeds due now: no spreading unless a test sets first_check_spread itself.
std::string daemon_harness::without_first_check_spread(std::string other_yaml) {
  if (other_yaml.find("first_check_spread:") != std::string::npos) return other_yaml;
  constexpr std::string_view line = "  first_check_spread: 0s\n";
  if (other_yaml.starts_with("schedule:\n")) return other_yaml.insert(10, line);
  if (const auto at = other_yaml.find("\nschedule:\n"); at != std::string::npos) return other_yaml.insert(at + 11, line);
  if (!other_yaml.empty() && !other_yaml.ends_with('\n')) other_yaml += '\n';
  return other_yaml + "schedule:\n" + std::string(line);
}

run_result daemon_harness::feedd(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {feedd_binary().string(), "--config", config_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, timeout);
}

process daemon_harness::start(const std::vector<std::string>& args, const std::filesystem::path& log,
                              const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> argv = {feedd_binary().string(), "--config", config_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> unset;
  for (const char* name : {"JOURNAL_STREAM", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) {
    if (!extra_env.contains(name)) unset.emplace_back(name);
  }
  return process({argv, extra_env, unset, "", log});
}

void daemon_harness::add_feeds(const std::vector<std::string>& urls) {
  std::string opml = "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>t</title></head><body>\n";
  for (const auto& u : urls) {
    std::string escaped;
    for (char c : u) escaped += c == '&' ? std::string("&amp;") : std::string(1, c);
    opml += "<outline type=\"rss\" text=\"x\" xmlUrl=\"" + escaped + "\"/>\n";
  }
  opml += "</body></opml>\n";
  auto file = dir_.path() / "feeds.opml";
  write_file(file, opml);
  // As written: tests add URLs that point nowhere, or at servers whose
  // hit counts they check.
  auto r = feedd({"feeds", "import", "--no-check", file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

std::map<std::string, int> hits(const fake_server& server) {
  std::map<std::string, int> out;
  auto body = nlohmann::json::parse(server.get("/hits"), nullptr, false);
  if (!body.is_object()) {
    ADD_FAILURE() << "fakefeed /hits did not answer JSON";
    return out;
  }
  for (const auto& [path, count] : body.items()) out[path] = count.get<int>();
  return out;
}

namespace {

int loopback_socket(int port, bool connect_to) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = connect_to ? ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr)
                      : ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string http_get(int port, const std::string& path) {
  int fd = loopback_socket(port, true);
  if (fd < 0) return {};
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return {};
  }
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0 && response.size() < (1u << 20);) response.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

int free_port() {
  int fd = loopback_socket(0, false);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::unique_ptr<fake_server> serve_directory(const std::filesystem::path& root) {
  fake_server::options opts;
  opts.root = root;
  return std::make_unique<fake_server>(opts);
}

}  // namespace feedd::test
