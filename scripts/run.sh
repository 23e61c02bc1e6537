#!/usr/bin/env bash
# The main job: create the three databases in data/, seed them with the
# sample data, and print each one's check, through the sqlite3 shell with
# the extension loaded. Run from anywhere; paths are the repository's.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
extension="$root/build/libemf"
data="$root/data"
mkdir -p "$data"

status=0
for kind in trends metrics image_library; do
  echo "== $kind ($data/$kind.db)"
  sqlite3 -bail "$data/$kind.db" \
    ".load $extension" \
    "SELECT emf_init('$kind');" \
    "SELECT emf_seed('$kind');" \
    "SELECT emf_check('$kind');"
  ok=$(sqlite3 "$data/$kind.db" ".load $extension" "SELECT json_extract(emf_check('$kind'), '\$.ok');")
  [ "$ok" = "1" ] || { echo "$kind: check failed" >&2; status=1; }
done
exit $status
