// emf_schema_doc: prints the generated reference of docs/schema.md, or, with
// --update FILE, writes it between the markers of FILE (`make schema-doc`),
// or, with --check FILE, exits 1 when FILE's copy is stale.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "schema_doc.h"

namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Through a temporary file beside it and a rename: an interrupted run never
// leaves a half-written document.
void write(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path target = std::filesystem::canonical(path);
  std::filesystem::path temporary = target;
  temporary += ".schema-doc.tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, target);
}

int usage() {
  std::cerr << "usage: emf_schema_doc [--update FILE | --check FILE]\n"
               "  (no option)     print the generated reference\n"
               "  --update FILE   write it between the markers of FILE (appended if absent)\n"
               "  --check FILE    exit 1 when FILE's copy differs\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  namespace doc = emf::schema_doc;
  try {
    if (argc == 1) {
      std::cout << doc::generate();
      return 0;
    }
    if (argc != 3) return usage();
    const std::string_view option = argv[1];
    const std::filesystem::path file = argv[2];
    const std::string document = read(file);
    const std::string generated = doc::generate();
    if (option == "--update") {
      const std::string updated = doc::with_marked_part(document, generated);
      if (updated == document) {
        std::cout << file.string() << " is up to date\n";
      } else {
        write(file, updated);
        std::cout << "updated " << file.string() << "\n";
      }
      return 0;
    }
    if (option == "--check") {
      if (doc::marked_part(document) == generated) return 0;
      std::cerr << file.string() << " is stale: run `make schema-doc`\n";
      return 1;
    }
    return usage();
  } catch (const std::exception& error) {
    std::cerr << "emf_schema_doc: " << error.what() << "\n";
    return 1;
  }
}
