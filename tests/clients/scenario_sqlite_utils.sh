#!/bin/bash
# The clients scenario through sqlite-utils, each step a command of its own
# with --load-extension:
#   scenario_sqlite_utils.sh SQLITE_UTILS EXTENSION
# Creates, seeds and checks the three databases in the current folder, then
# does what one pipeline run does, with sqlite-utils' own query, upsert and
# insert commands. Prints key=value lines, the same keys as scenario.sql;
# clients_test.cpp checks them.
set -euo pipefail

sqlite_utils=$1
extension=$2

# sqlite-utils query DB SQL [-p name value]...: the first column of the first row.
value() {
  local db=$1 sql=$2
  shift 2
  "$sqlite_utils" query "$db" "$sql" --load-extension="$extension" --raw "$@"
}
show() {
  local key=$1
  shift
  local result
  result=$(value "$@")
  printf '%s=%s\n' "$key" "$result"
}

for kind in trends metrics image_library; do
  show "$kind.init" "$kind.db" "SELECT emf_init(:kind)" -p kind "$kind"
  show "$kind.seed" "$kind.db" "SELECT emf_seed(:kind)" -p kind "$kind"
  show "$kind.check_ok" "$kind.db" "SELECT json_extract(emf_check(:kind), '\$.ok')" -p kind "$kind"
done

# One statement claims the topic: it reads and writes under one write lock.
topic=$(value trends.db "UPDATE trending_topics SET used_flag = 1
  WHERE id = (SELECT id FROM trending_topics WHERE used_flag = 0
              ORDER BY priority DESC, relevance_score DESC, id LIMIT 1)
  RETURNING topic")
printf 'claimed=%s\n' "$topic"
show unused_topics trends.db "SELECT count(*) FROM trending_topics WHERE used_flag = 0"

# sqlite-utils' upsert: INSERT OR IGNORE of the key, then UPDATE of the rest,
# keyed here on the UNIQUE (video_id, platform, timestamp) rule.
topic_json=$(value trends.db "SELECT json_quote(:topic)" -p topic "$topic")
printf '{"video_id": "emf-0004", "title": "Butcher reviews AI art", "topic": %s,
         "duration_seconds": 41.0, "status": "rendered"}' "$topic_json" |
  "$sqlite_utils" upsert metrics.db video_metadata - --pk video_id --load-extension="$extension"
snapshot() {
  printf '{"video_id": "emf-0004", "platform": "%s", "views": %s, "likes": %s, "timestamp": "%s"}' \
    "$@" |
    "$sqlite_utils" upsert metrics.db video_metrics - --pk video_id --pk platform --pk timestamp \
      --load-extension="$extension"
}
snapshot tiktok 100 10 "2026-11-23 18:00:00.000"
snapshot tiktok 250 30 "2026-11-23 18:00:00.000" # the same poll again
snapshot tiktok 900 120 "2026-11-24 18:00:00.000"
snapshot instagram 40 2 "2026-11-24 18:00:00.000"

show video.snapshots metrics.db "SELECT count(*) FROM video_metrics WHERE video_id = 'emf-0004'"
show video.upserted_views metrics.db "SELECT views FROM video_metrics
  WHERE video_id = 'emf-0004' AND platform = 'tiktok' AND timestamp = '2026-11-23 18:00:00.000'"
show video_metrics.rows metrics.db "SELECT count(*) FROM video_metrics"
show latest.rows metrics.db "SELECT count(*) FROM latest_video_metrics"
show latest.emf-0004 metrics.db "SELECT group_concat(platform || ':' || views, ',')
  FROM (SELECT platform, views FROM latest_video_metrics
        WHERE video_id = 'emf-0004' ORDER BY platform)"
show latest.emf-0004.topic metrics.db "SELECT topic FROM latest_video_metrics
  WHERE video_id = 'emf-0004' AND platform = 'tiktok'"
show latest.top metrics.db "SELECT video_id || '/' || platform || '/' || views
  FROM latest_video_metrics ORDER BY views DESC LIMIT 1"

echo '{"character": "butcher", "emotion": "happy", "pose": "sitting", "source": "generated",
       "file_path": "images/butcher/happy_sitting.png", "quality_score": 0.8}' |
  "$sqlite_utils" insert image_library.db image_library - --load-extension="$extension"
# Picks the least-used best image and records its use in one statement;
# the trigger counts it.
image_id=$(value image_library.db "INSERT INTO image_usage
    (image_id, video_id, scene_number, timestamp)
  SELECT id, 'emf-0004', 1, '2026-11-24T18:30:00Z' FROM image_library
  WHERE character = 'butcher' AND emotion = 'happy'
  ORDER BY usage_count, quality_score DESC, id LIMIT 1
  RETURNING image_id")
show picked image_library.db "SELECT file_path FROM image_library WHERE id = :id" -p id "$image_id"
show picked.usage_count image_library.db "SELECT usage_count FROM image_library WHERE id = :id" \
  -p id "$image_id"
show picked.last_used_at image_library.db "SELECT last_used_at FROM image_library WHERE id = :id" \
  -p id "$image_id"
show image_usage.rows image_library.db "SELECT count(*) FROM image_usage"

for kind in trends metrics image_library; do
  show "$kind.final_check_ok" "$kind.db" "SELECT json_extract(emf_check(:kind), '\$.ok')" \
    -p kind "$kind"
done
