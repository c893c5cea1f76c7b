#pragma once

#include <string_view>

namespace feedd::parsers::detail {

// An RSS author as a name. RSS 2.0 asks for an e-mail address, and feeds
// write "jo@example.com (Jo Smith)", "Jo Smith (jo@example.com)" or
// "Jo Smith <jo@example.com>" (RFC 5322 §3.4 name-addr); the model's author
// is what a reader is shown, so the name wins when there is one and the
// address stays when it is all there is. Anything else is kept as written
// ("Jo (Team)"). The name is a view into text.
std::string_view author_name(std::string_view text);

}  // namespace feedd::parsers::detail
