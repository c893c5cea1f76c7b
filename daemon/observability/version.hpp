#pragma once

#include <string_view>

namespace feedd::daemon {

// The build's version (CMake's project version): logged at start, served
// as feedd_build_info, printed by --version.
std::string_view version();

}  // namespace feedd::daemon
