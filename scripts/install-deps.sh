#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages that building and testing emf
# need, and only those that are missing. Safe to run again. With --coverage,
# also what `make coverage` needs; with --fuzz, what `make fuzz` needs.
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
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

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
