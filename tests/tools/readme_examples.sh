#!/usr/bin/env bash
# Runs the README's examples as written: every ```sh block from "## Using it" on, in one bash
# session opened in the clone, with `npusim` found on PATH and the Python module importable by
# `python3` as ./setup.sh links them. Any failing command fails the test and is named.
#
#   tests/tools/readme_examples.sh SOURCE_DIR NPUSIM_BINARY [PYTHON_MODULE_DIR PYTHON3]
set -euo pipefail
src=${1:?usage: readme_examples.sh SOURCE_DIR NPUSIM_BINARY}
npusim=${2:?usage: readme_examples.sh SOURCE_DIR NPUSIM_BINARY}
bin=$(mktemp -d)
script=$(mktemp)
trap 'rm -rf "$bin" "$script"' EXIT
ln -s "$npusim" "$bin/npusim"
# `python3` is the interpreter the module was built for (Debian's, as on a fresh machine).
if [ -n "${3:-}" ] && [ -n "${4:-}" ]; then
  ln -s "$4" "$bin/python3"
  export PYTHONPATH="$3${PYTHONPATH:+:$PYTHONPATH}"
fi
{
  echo 'set -euo pipefail'
  echo 'trap '\''echo "readme_examples: failed: $BASH_COMMAND" >&2'\'' ERR'
  awk '/^## Using it/ {on = 1} on && /^```sh$/ {block = 1; next} block && /^```$/ {block = 0; next} block' \
    "$src/README.md"
} >"$script"
n=$(grep -c '^ *npusim ' "$script" || true)
[ "$n" -ge 20 ] || { echo "readme_examples: found only $n npusim commands in README.md" >&2; exit 1; }
echo "readme_examples: running $n npusim commands from README.md"
cd "$src"
log="$bin/stderr"
if ! PATH="$bin:$PATH" bash "$script" >/dev/null 2>"$log"; then
  tail -n 5 "$log" >&2
  exit 1
fi
echo "readme_examples: all ran"
