// The three kinds of database emf manages. Each has its own migrations under
// sql/<kind>/; several kinds may share one file, since their names differ.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace emf {

enum class Kind { trends, metrics, image_library };

inline constexpr std::array<Kind, 3> kAllKinds = {Kind::trends, Kind::metrics, Kind::image_library};

std::string_view kind_name(Kind kind);
std::optional<Kind> parse_kind(std::string_view name);
// "trends, metrics or image_library", for error messages.
std::string valid_kinds_text();

}  // namespace emf
