// The generated reference of docs/schema.md: each kind's schema as emf_init
// creates it at its latest version (on a private in-memory database), read
// back from sqlite_schema and SQLite's pragmas and written as Markdown with
// one Mermaid diagram per kind. Used by the emf_schema_doc program (`make
// schema-doc`) and by the test that fails when docs/schema.md is stale.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace emf::schema_doc {

// The generated part sits between these two lines of docs/schema.md.
inline constexpr std::string_view kBeginMarker = "<!-- BEGIN GENERATED: emf schema-doc -->";
inline constexpr std::string_view kEndMarker = "<!-- END GENERATED -->";
// The heading the generated part is placed under when a document has none.
inline constexpr std::string_view kSectionHeading = "## Reference (generated)";

// The Markdown that belongs between the markers (ends with a newline).
// Throws std::runtime_error when a kind cannot be created.
std::string generate();

// The text between the marker lines of a document (what generate() wrote
// there), or nullopt when the document has no pair of markers.
std::optional<std::string> marked_part(std::string_view document);

// The document with the text between its markers replaced by `generated`;
// a document without markers gets the heading and the marked part appended
// at its end. Everything outside the markers stays byte for byte.
std::string with_marked_part(std::string_view document, std::string_view generated);

}  // namespace emf::schema_doc
