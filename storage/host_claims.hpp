#pragma once

#include <string>

// Private to storage/ (and its tests and bench): the text of statements
// that must stay index-driven at scale, for EXPLAIN.
namespace feedd::storage {

// The host-aware claim (host_claims.cpp). Parameters: $1 limit, $2
// per-host cap, $3 lease seconds, $4 owner, $5 jsonb {"host:port": held}.
const std::string& host_claim_sql();

// next_due_in's statement (claims.cpp); no parameters.
const char* next_due_in_statement();

}  // namespace feedd::storage
