// docs/schema.md's generated reference: it is what the generator writes from
// the embedded schema now (else it is stale: `make schema-doc`), and it names
// every table, index, trigger and view that emf_init of the built extension
// creates, so that nothing can be left out of it silently.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "schema_doc.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace doc = emf::schema_doc;

const std::string kSchemaMd = std::string(EMF_SOURCE_DIR) + "/docs/schema.md";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) result.push_back(line);
  return result;
}

// Where the two texts part, for the failure message: the first line that
// differs, with both versions of it.
std::string first_difference(const std::string& generated, const std::string& documented) {
  const std::vector<std::string> want = lines(generated), have = lines(documented);
  std::size_t i = 0;
  while (i < want.size() && i < have.size() && want[i] == have[i]) ++i;
  auto line = [](const std::vector<std::string>& all, std::size_t i) {
    return i < all.size() ? "\"" + all[i] + "\"" : std::string("(end)");
  };
  return "line " + std::to_string(i + 1) + " of the generated part: docs/schema.md has " +
         line(have, i) + ", the schema gives " + line(want, i);
}

// The part of the reference under a heading that begins with `heading`, up
// to the next heading of the same level.
std::string section(const std::string& text, const std::string& heading) {
  const std::size_t begin = text.find("\n" + heading);
  if (begin == std::string::npos) return "";
  const std::size_t end = text.find("\n### ", begin + 1);
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

TEST(SchemaDoc, DocsSchemaMdIsUpToDate) {
  const std::string document = read_file(kSchemaMd);
  const std::optional<std::string> documented = doc::marked_part(document);
  ASSERT_TRUE(documented) << kSchemaMd << " has no generated reference between "
                          << doc::kBeginMarker << " and " << doc::kEndMarker
                          << ": run `make schema-doc`";
  const std::string generated = doc::generate();
  // Not EXPECT_EQ: two whole documents side by side would hide the line.
  EXPECT_TRUE(*documented == generated)
      << "docs/schema.md is stale: its generated reference is not what the embedded schema "
         "gives. Run `make schema-doc` (or `cmake --build <build> --target schema-doc`) and "
         "commit docs/schema.md. First difference: "
      << first_difference(generated, *documented);
}

TEST(SchemaDoc, NamesEveryObjectTheExtensionCreates) {
  const std::string generated = doc::generate();
  const std::string history = section(generated, "### Every kind");
  ASSERT_FALSE(history.empty());
  for (const std::string kind : {"trends", "metrics", "image_library"}) {
    SCOPED_TRACE(kind);
    const std::string reference = section(generated, "### " + kind + " ");
    ASSERT_FALSE(reference.empty()) << "no section for " << kind;
    Db db;  // the built libemf.so
    db.exec("SELECT emf_init('" + kind + "')");
    // SQLite's own objects (sqlite_sequence, the automatic indexes of
    // UNIQUE and PRIMARY KEY constraints) aside.
    const auto objects = db.rows(
        "SELECT type, name, tbl_name FROM sqlite_schema "
        "WHERE substr(name, 1, 7) <> 'sqlite_' ORDER BY rowid");
    ASSERT_GE(objects.size(), 3u);
    for (const auto& object : objects) {
      const std::string &type = object[0], &name = object[1], &table = object[2];
      // Tables under their own heading; indexes, triggers and views as the
      // first cell of a row of their table.
      const std::string shown =
          type == "table" ? "#### Table `" + name + "`" : "| `" + name + "` |";
      const std::string& where = table == "emf_schema_history" ? history : reference;
      EXPECT_NE(where.find(shown), std::string::npos)
          << "the generated reference does not show the " << type << " " << name;
    }
  }
}

TEST(SchemaDoc, DiagramsLeaveOutTheHistoryTable) {
  const std::string generated = doc::generate();
  for (const std::string kind : {"trends", "metrics", "image_library"}) {
    const std::string reference = section(generated, "### " + kind + " ");
    const std::size_t begin = reference.find("```mermaid\nerDiagram\n");
    ASSERT_NE(begin, std::string::npos) << kind;
    const std::string diagram = reference.substr(begin, reference.find("```\n", begin + 3) - begin);
    EXPECT_EQ(diagram.find("emf_schema_history"), std::string::npos) << kind;
  }
}

TEST(SchemaDoc, UpdatingRewritesOnlyTheMarkedPart) {
  const std::string begin(doc::kBeginMarker), end(doc::kEndMarker);
  const std::string before = "# Title\n\nHand-written.\n\n## Reference (generated)\n\n";
  const std::string after = "\n\nAfter.\n";
  const std::string document = before + begin + "\nold\n" + end + after;
  const std::string updated = doc::with_marked_part(document, "new\n");
  EXPECT_EQ(updated, before + begin + "\nnew\n" + end + after);
  EXPECT_EQ(doc::marked_part(updated), "new\n");

  // Without markers: the section is appended, then updated in place.
  const std::string appended = doc::with_marked_part("# Title\n", "new\n");
  EXPECT_EQ(appended, "# Title\n\n## Reference (generated)\n\n" + begin + "\nnew\n" + end + "\n");
  EXPECT_EQ(doc::with_marked_part(appended, "new\n"), appended);
  EXPECT_EQ(doc::marked_part("# Title\n"), std::nullopt);
}

}  // namespace
}  // namespace emf::test
