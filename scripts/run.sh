#!/usr/bin/env bash
# The main job: create (or upgrade) the three databases in data/, seed them
# with the sample data, and check them, with the emf program. Its exit status
# is the check's: 0 when all three are healthy.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build/emf seed
build/emf check
