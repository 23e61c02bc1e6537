// The files of sql/, embedded at build time by cmake/EmbedSql.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace emf {

struct EmbeddedFile {
  std::string_view path;  // relative to sql/, e.g. "trends/001_initial.sql"
  std::string_view text;
};

// Sorted by path.
const std::vector<EmbeddedFile>& embedded_sql_files();

}  // namespace emf
