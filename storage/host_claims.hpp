#pragma once

#include <string>

// Private to storage/ (and its tests and bench): the text of the
// host-aware claim statement, for EXPLAIN. Parameters: $1 limit, $2
// per-host cap, $3 lease seconds, $4 owner, $5 jsonb {"host:port": held}.
namespace feedd::storage {

const std::string& host_claim_sql();

}  // namespace feedd::storage
