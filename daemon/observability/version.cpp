#include "version.hpp"

namespace feedd::daemon {

std::string_view version() { return FEEDD_VERSION; }

}  // namespace feedd::daemon
