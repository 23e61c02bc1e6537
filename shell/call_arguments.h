// The arguments the shell passes to one of emf's SQL functions (or binds to
// a query): each text or an integer. Viewed, not copied: a braced list such
// as {target.kind} lives until the end of the call's full expression, which
// is as long as the call uses it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <variant>

namespace emf::shell {

using CallArgument = std::variant<std::string_view, std::int64_t>;
using CallArguments = std::initializer_list<CallArgument>;

}  // namespace emf::shell
