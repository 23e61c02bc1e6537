// Kind names; see kinds.h.
#include "kinds.h"

namespace emf {

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::trends:
      return "trends";
    case Kind::metrics:
      return "metrics";
    case Kind::image_library:
      return "image_library";
  }
  return "unknown";
}

std::optional<Kind> parse_kind(std::string_view name) {
  for (Kind kind : kAllKinds) {
    if (kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string valid_kinds_text() {
  return std::string(kind_name(Kind::trends)) + ", " + std::string(kind_name(Kind::metrics)) +
         " or " + std::string(kind_name(Kind::image_library));
}

}  // namespace emf
