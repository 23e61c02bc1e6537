// The health check; see check.h.
#include "check.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "db.h"
#include "expected_schema.h"
#include "history.h"
#include "json.h"
#include "migrations.h"

namespace emf {

namespace {

// The version whose schema the live one should match: the applied one (what
// is pending is reported as pending, not as missing objects), or the latest
// for a kind that is not installed.
int version_to_compare(const KindStatus& status) {
  if (!status.installed) return status.latest;
  return std::min(status.version, status.latest);
}

void check_history(const std::vector<AppliedMigration>& applied, KindStatus& status) {
  for (const MigrationStatus& migration : migration_statuses(applied, status.kind)) {
    const std::string label = fmt::format("{:03}_{}", migration.version, migration.name);
    switch (migration.state) {
      case MigrationStatus::State::pending:
        status.pending.push_back(migration.version);
        break;
      case MigrationStatus::State::modified:
        status.objects.push_back(ObjectReport{
            "migration", label, ObjectStatus::modified,
            fmt::format("applied with checksum {}, but sql/{}/{} now has {}", migration.checksum,
                        kind_name(status.kind), migration.file_name, migration.expected_checksum),
            "its file changed after it was applied"});
        break;
      case MigrationStatus::State::newer:
        status.objects.push_back(ObjectReport{
            "migration", label, ObjectStatus::extra,
            fmt::format("applied by a newer emf; this one knows versions up to {}", status.latest),
            "applied by a newer emf"});
        break;
      case MigrationStatus::State::applied:
        break;
    }
  }
}

// Names that some kind expects (at its latest or its applied version): they
// are never anybody's "extra" object.
std::set<std::string> known_names(const std::vector<KindStatus>& statuses) {
  std::set<std::string> names = {"emf_schema_history"};
  for (Kind kind : kAllKinds) {
    for (const SchemaObject& object : expected_schema(kind, latest_version(kind)).objects) {
      names.insert(lower_name(object.name));
    }
  }
  for (const KindStatus& status : statuses) {
    for (const SchemaObject& object :
         expected_schema(status.kind, std::max(1, version_to_compare(status))).objects) {
      names.insert(lower_name(object.name));
    }
  }
  return names;
}

// The kind an extra object belongs to: the kind of the table it is built on
// when that is one of the kinds checked, else the first kind checked.
KindStatus* owner_of(const SchemaObject& object, std::vector<KindStatus>& statuses) {
  const std::string table = lower_name(object.table);
  for (KindStatus& status : statuses) {
    const SchemaSnapshot& expected = expected_schema(status.kind, latest_version(status.kind));
    const SchemaObject* owner = expected.find(table);
    if (owner != nullptr && owner->type == "table") return &status;
  }
  for (Kind kind : kAllKinds) {
    const SchemaObject* owner = expected_schema(kind, latest_version(kind)).find(table);
    if (owner != nullptr && owner->type == "table") return nullptr;  // a kind not checked
  }
  return statuses.empty() ? nullptr : &statuses.front();
}

}  // namespace

CheckReport check_schema(sqlite3* db, std::string_view schema, std::optional<Kind> kind) {
  CheckReport report;
  report.schema = std::string(schema);
  report.journal_mode = journal_mode(db, schema);
  report.foreign_keys = foreign_keys_enabled(db);

  const std::vector<Kind> kinds = kind ? std::vector<Kind>{*kind} : installed_kinds(db, schema);
  for (Kind each : kinds) {
    KindStatus status;
    status.kind = each;
    status.latest = latest_version(each);
    const std::vector<AppliedMigration> applied = read_history(db, schema, each);
    status.installed = !applied.empty();
    status.version = applied.empty() ? 0 : applied.back().version;
    check_history(applied, status);
    report.kinds.push_back(std::move(status));
  }

  const SchemaSnapshot live = read_schema(db, schema);
  for (KindStatus& status : report.kinds) {
    for (const SchemaObject& expected :
         expected_schema(status.kind, version_to_compare(status)).objects) {
      status.objects.push_back(compare_object(expected, live.find(expected.name)));
    }
  }
  const std::set<std::string> known = known_names(report.kinds);
  for (const SchemaObject& object : live.objects) {
    if (known.contains(lower_name(object.name))) continue;
    if (KindStatus* owner = owner_of(object, report.kinds)) {
      const std::string detail = fmt::format("not part of {}", kind_name(owner->kind));
      owner->objects.push_back(
          ObjectReport{object.type, object.name, ObjectStatus::extra, detail, detail});
    }
  }

  for (KindStatus& status : report.kinds) {
    status.ok =
        status.installed && status.pending.empty() && status.version <= status.latest &&
        std::none_of(status.objects.begin(), status.objects.end(), [](const ObjectReport& o) {
          return o.status == ObjectStatus::missing || o.status == ObjectStatus::changed ||
                 o.status == ObjectStatus::modified;
        });
    report.ok = report.ok && status.ok;
  }
  return report;
}

std::string check_report_json(sqlite3* db, const CheckReport& report) {
  std::vector<json::Value> kinds;
  for (const KindStatus& status : report.kinds) {
    std::vector<json::Value> objects;
    for (const ObjectReport& object : status.objects) {
      objects.push_back(
          json::Raw{json::object(db, {{"type", object.type},
                                      {"name", object.name},
                                      {"status", status_name(object.status)},
                                      {"detail", json::text_or_null(object.detail)},
                                      {"summary", json::text_or_null(object.summary)}})});
    }
    std::vector<json::Value> pending(status.pending.begin(), status.pending.end());
    kinds.push_back(
        json::Raw{json::object(db, {{"kind", kind_name(status.kind)},
                                    {"installed", status.installed},
                                    {"ok", status.ok},
                                    {"version", status.version},
                                    {"latest", status.latest},
                                    {"pending", json::Raw{json::array(db, pending)}},
                                    {"objects", json::Raw{json::array(db, objects)}}})});
  }
  return json::object(db, {{"ok", report.ok},
                           {"schema", report.schema},
                           {"kinds", json::Raw{json::array(db, kinds)}},
                           {"journal_mode", report.journal_mode},
                           {"foreign_keys", report.foreign_keys}});
}

}  // namespace emf
