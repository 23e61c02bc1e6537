// emf_repair(); see repair.h.
#include "repair.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <set>

#include "check.h"
#include "db.h"
#include "expected_schema.h"
#include "history.h"
#include "json.h"
#include "migrations.h"
#include "rebuild.h"
#include "sql_text.h"

namespace emf {

namespace {

// video_metrics_latest (metrics 004) is derived from video_metrics: for each
// (video_id, platform), the id of its latest snapshot, as the migration
// fills it.
std::string latest_from_snapshots(const std::string& schema) {
  return fmt::format(
      "SELECT m.id, m.video_id, m.platform FROM {0}.video_metrics AS m "
      "WHERE NOT EXISTS (SELECT 1 FROM {0}.video_metrics AS newer "
      "WHERE newer.video_id = m.video_id AND newer.platform = m.platform "
      "AND newer.timestamp > m.timestamp)",
      schema);
}

// Whether its rows differ from what the snapshots give: a hand edit of emf's
// table, which emf_check (it reads no rows) cannot see.
bool latest_differs(sqlite3* db, std::string_view schema) {
  const std::string s = quote_identifier(schema);
  const std::string held =
      fmt::format("SELECT snapshot_id, video_id, platform FROM {}.video_metrics_latest", s);
  const std::string derived = latest_from_snapshots(s);
  return query_int(db, fmt::format("SELECT EXISTS ({0} EXCEPT {1}) OR EXISTS ({1} EXCEPT {0})",
                                   held, derived)) != 0;
}

void refill_latest(sqlite3* db, std::string_view schema) {
  const std::string s = quote_identifier(schema);
  exec(db, fmt::format("DELETE FROM {0}.video_metrics_latest; "
                       "INSERT INTO {0}.video_metrics_latest (snapshot_id, video_id, platform) {1}",
                       s, latest_from_snapshots(s)));
}

}  // namespace

RepairReport repair_kind(sqlite3* db, Kind kind, std::string_view schema) {
  RepairReport report{kind, std::string(schema), {}, {}, {}};
  // Found before the write transaction: then refilled without comparing again
  // (a refill of rows that already agree changes nothing).
  bool latest_stale = false;
  const auto problems = [&](const CheckReport& check) {
    std::vector<ObjectReport> found;
    for (const ObjectReport& object : check.kinds.front().objects) {
      if (object.status == ObjectStatus::missing || object.status == ObjectStatus::changed) {
        found.push_back(object);
      }
    }
    return found;
  };
  {
    // A newer emf's schema is not this one's to put back.
    refuse_newer(kind, read_history(db, schema, kind));
    const CheckReport check = check_schema(db, schema, kind);
    const KindStatus& status = check.kinds.front();
    if (!status.installed || !status.pending.empty()) {
      throw Error(
          fmt::format("{} is not initialised and up to date in schema {}; run "
                      "emf_init('{}') first",
                      kind_name(kind), schema, kind_name(kind)));
    }
    for (const ObjectReport& object : status.objects) {
      if (object.status == ObjectStatus::modified) {
        throw Error(fmt::format("migration {} was modified after it was applied: {}", object.name,
                                object.detail));
      }
    }
    if (problems(check).empty()) {
      latest_stale = kind == Kind::metrics && latest_differs(db, schema);
      if (!latest_stale) return report;
    }
  }

  const ChecksEnforced checks_enforced(db);
  // Foreign keys go off only for a rebuild: recreating an index, a trigger
  // or a view works inside the caller's transaction as it is.
  std::optional<ForeignKeysOff> foreign_keys_off;
  const std::vector<ObjectReport> found = problems(check_schema(db, schema, kind));
  if (std::any_of(found.begin(), found.end(), [](const ObjectReport& object) {
        return object.type == "table" && object.status == ObjectStatus::changed;
      })) {
    foreign_keys_off.emplace(db, "emf_repair");
  }
  WriteTransaction transaction(db, "emf_repair");
  const SchemaSnapshot live = read_schema(db, schema);
  const SchemaSnapshot& expected = expected_schema(kind, latest_version(kind));
  const std::vector<ObjectReport> to_fix = problems(check_schema(db, schema, kind));
  const auto broken = [&](const std::string& name) {
    return std::any_of(to_fix.begin(), to_fix.end(), [&](const ObjectReport& o) {
      return lower_name(o.name) == lower_name(name);
    });
  };

  Rebuild rebuild(db, std::string(schema));
  Misfits misfits;
  for (const SchemaObject& table : expected.objects) {
    if (table.type != "table") continue;
    if (live.find(table.name) == nullptr) {
      exec(db, statement_in_schema(table.sql, schema));
      report.recreated.push_back(table.name);
    } else if (broken(table.name) && rebuild.rebuild_table(table.sql, misfits)) {
      report.rebuilt.push_back(table.name);
    }
  }
  // emf's indexes: on rebuilt tables all of them (they went with the table);
  // elsewhere the missing and changed ones. Views and triggers: all of them
  // when a rebuild set every one aside, else the missing and changed ones.
  const auto rebuilt = [&](const std::string& table) {
    return std::any_of(report.rebuilt.begin(), report.rebuilt.end(), [&](const std::string& name) {
      return lower_name(name) == lower_name(table);
    });
  };
  // Replacing a view drops the triggers on it: set them all aside first.
  for (const SchemaObject& object : expected.objects) {
    if ((object.type == "view" || object.type == "trigger") && broken(object.name)) {
      rebuild.set_aside();
    }
  }
  for (const SchemaObject& object : expected.objects) {
    if (object.type == "table") continue;
    const bool recreate =
        broken(object.name) || (object.type == "index" ? rebuilt(object.table) : rebuild.started());
    if (!recreate) continue;
    exec(db, fmt::format("DROP {} IF EXISTS {}.{}", object.type, quote_identifier(schema),
                         quote_identifier(object.name)));
    if (object.type == "index") {
      create_index_or_diagnose(db, schema, object.sql, misfits);
    } else {
      exec(db, statement_in_schema(object.sql, schema));
    }
    if (broken(object.name)) report.recreated.push_back(object.name);
  }
  if (!misfits.empty()) {
    throw misfits.refusal(fmt::format("cannot repair {}", kind_name(kind)), "emf_repair");
  }
  // video_metrics_latest (metrics 004) is derived from video_metrics by its
  // triggers: recreated, or with a trigger that was missing, or beside a
  // rebuilt video_metrics, it is filled again from the snapshots, as the
  // migration fills it; otherwise when its rows differ from theirs.
  const auto derived_touched = [&](const std::vector<std::string>& names) {
    return std::any_of(names.begin(), names.end(), [](const std::string& name) {
      const std::string lower = lower_name(name);
      return lower == "video_metrics" || lower.starts_with("video_metrics_latest");
    });
  };
  if (kind == Kind::metrics && (latest_stale || derived_touched(report.recreated) ||
                                derived_touched(report.rebuilt) || latest_differs(db, schema))) {
    refill_latest(db, schema);
    report.refilled.emplace_back("video_metrics_latest");
  }
  // The user's own views, triggers and indexes come back as they were.
  rebuild.finish();
  transaction.commit();
  return report;
}

std::string repair_report_json(sqlite3* db, const RepairReport& report) {
  std::vector<json::Value> rebuilt(report.rebuilt.begin(), report.rebuilt.end());
  std::vector<json::Value> recreated(report.recreated.begin(), report.recreated.end());
  std::vector<json::Value> refilled(report.refilled.begin(), report.refilled.end());
  return json::object(db, {{"kind", kind_name(report.kind)},
                           {"schema", report.schema},
                           {"rebuilt", json::Raw{json::array(db, rebuilt)}},
                           {"recreated", json::Raw{json::array(db, recreated)}},
                           {"refilled", json::Raw{json::array(db, refilled)}}});
}

}  // namespace emf
