// Compares one expected object with what a live schema has under its name,
// and says what differs in words a person can act on.
#pragma once

#include <string>
#include <string_view>

#include "schema_snapshot.h"

namespace emf {

enum class ObjectStatus { ok, missing, changed, extra, modified };

std::string_view status_name(ObjectStatus status);

struct ObjectReport {
  std::string type;  // table, index, trigger, view or migration
  std::string name;
  ObjectStatus status = ObjectStatus::ok;
  std::string detail;   // every difference, one phrase each; empty when ok
  std::string summary;  // in a few words: "3 column types, 1 default differ"
};

// Where two normalised SQL texts part: "`live text...`, expected `expected
// text...`", a few words of each from the first difference.
std::string first_difference(std::string_view expected, std::string_view live);

// live is null when the schema has no object of that name.
ObjectReport compare_object(const SchemaObject& expected, const SchemaObject* live);

}  // namespace emf
