#!/usr/bin/env bash
# One-step set-up for npusim on Debian: installs the missing Debian packages (apt-get, with
# sudo when not root), configures and builds (Release), then does what was asked.
#
#   ./setup.sh run [npusim run options]   build, then run the SD 1.5 pipeline on the expedera-8k preset
#   ./setup.sh test                       build, then run the whole test suite (ctest)
#   ./setup.sh build                      build only
#
# BUILD_DIR (default: build) and JOBS (default: nproc) may be set in the environment; every
# build links NPUSIM_BIN_DIR/npusim (default /usr/local/bin) to the built binary and the Python
# module into /usr/bin/python3's site directory (NPUSIM_PY_DIR to choose another), so
# `python3 -c "import npusim"` works.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
PACKAGES=(cmake g++ make pkg-config git libsystemc-dev libboost-graph-dev libyaml-cpp-dev doctest-dev
          libbenchmark-dev libonnx-dev libprotobuf-dev protobuf-compiler python3 python3-matplotlib
          python3-dev pybind11-dev python3-pybind11 python3-pandas)

install_missing() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#PACKAGES[@]} Debian packages present"
    return
  fi
  echo "setup: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$BUILD_DIR" -j"$JOBS"
  link_npusim
  link_python_module
}

# Puts `npusim` on PATH: a symlink NPUSIM_BIN_DIR/npusim (default /usr/local/bin, with sudo when
# not writable) to this build, so README examples run from any directory. Best effort: without
# the rights it says how to do it instead of failing the set-up.
link_npusim() {
  local bin_dir=${NPUSIM_BIN_DIR:-/usr/local/bin} target
  target="$(pwd)/$BUILD_DIR/tools/npusim"
  local sudo=""
  if [ ! -w "$bin_dir" ] && [ -d "$bin_dir" ] && [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
    sudo="sudo -n"
  fi
  if $sudo mkdir -p "$bin_dir" 2>/dev/null && $sudo ln -sfn "$target" "$bin_dir/npusim" 2>/dev/null; then
    echo "setup: $bin_dir/npusim -> $target"
  else
    echo "setup: could not link $bin_dir/npusim; add $(pwd)/$BUILD_DIR/tools to PATH instead" >&2
  fi
}

# Puts the Python module where Debian's python3 finds it: a symlink in the first site directory
# (/usr/local/lib/python3.X/dist-packages). Best effort, like link_npusim.
link_python_module() {
  local module py_dir sudo=""
  module=$(ls "$(pwd)/$BUILD_DIR"/python/npusim.*.so 2>/dev/null | head -n 1 || true)
  [ -n "$module" ] || return 0
  py_dir=${NPUSIM_PY_DIR:-$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null || true)}
  [ -n "$py_dir" ] || return 0
  if [ ! -w "$py_dir" ] && [ -d "$py_dir" ] && [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
    sudo="sudo -n"
  fi
  if $sudo mkdir -p "$py_dir" 2>/dev/null && $sudo ln -sfn "$module" "$py_dir/$(basename "$module")" 2>/dev/null; then
    echo "setup: $py_dir/$(basename "$module") -> $module"
  else
    echo "setup: could not link the Python module; use PYTHONPATH=$(dirname "$module")" >&2
  fi
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    install_missing
    build
    "$BUILD_DIR/tools/npusim" run --hw expedera-8k --model sd15 "$@"
    ;;
  test)
    install_missing
    build
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$JOBS"
    ;;
  build)
    install_missing
    build
    ;;
  *)
    echo "usage: ./setup.sh [run|test|build]" >&2
    exit 2
    ;;
esac
