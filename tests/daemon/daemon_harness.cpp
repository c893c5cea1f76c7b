#include "daemon_harness.hpp"

#include <gtest/gtest.h>

#include "support/paths.hpp"

namespace feedd::test {

daemon_harness::daemon_harness(const std::string& label) : db_(label), config_(dir_.path() / "feedd.yaml") {
  write_config();
}

void daemon_harness::write_config(const std::string& fetch_yaml, const std::string& other_yaml) {
  std::string yaml = "database:\n  url: \"" + db_.conninfo() + "\"\n"
                     "fetch:\n  block_private_addresses: false\n  max_per_host: 16\n  timeout: 10s\n  connect_timeout: 2s\n" +
                     fetch_yaml + other_yaml;
  write_file(config_, yaml);
}

run_result daemon_harness::feedd(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {feedd_binary().string(), "--config", config_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, timeout);
}

process daemon_harness::start(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::vector<std::string> argv = {feedd_binary().string(), "--config", config_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return process({argv, {}, {"JOURNAL_STREAM", "NOTIFY_SOCKET"}, "", log});
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
  auto r = feedd({"feeds", "import", file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

std::map<std::string, int> hits(const std::string& hits_url) {
  // fakefeed's /hits answers {"path": count, ...}; python parses it back
  // into "path count" lines, which keeps a JSON library out of the tests.
  auto r = run({"/usr/bin/python3", "-c",
                "import json,sys,urllib.request\n"
                "d=json.load(urllib.request.urlopen(sys.argv[1], timeout=10))\n"
                "[print(k, v) for k, v in d.items()]",
                hits_url},
               std::chrono::seconds(20));
  std::map<std::string, int> out;
  std::size_t pos = 0;
  while (pos < r.out.size()) {
    auto nl = r.out.find('\n', pos);
    std::string line = r.out.substr(pos, nl - pos);
    pos = nl == std::string::npos ? r.out.size() : nl + 1;
    auto sp = line.rfind(' ');
    if (sp != std::string::npos) out[line.substr(0, sp)] = std::stoi(line.substr(sp + 1));
  }
  return out;
}

}  // namespace feedd::test
