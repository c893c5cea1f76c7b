#include "process_stats.hpp"

#include <fstream>

#include <dirent.h>
#include <unistd.h>

namespace feedd::daemon {
namespace {

std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return -1;
  return resident * ::sysconf(_SC_PAGESIZE);
}

// Entries of /proc/self/fd but ".", ".." and the one opendir itself holds.
std::int64_t open_descriptors() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  std::int64_t n = 0;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    const dirent* e = ::readdir(dir);
    if (e == nullptr) break;
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n > 0 ? n - 1 : 0;
}

}  // namespace

process_stats read_process_stats() { return {resident_bytes(), open_descriptors()}; }

}  // namespace feedd::daemon
