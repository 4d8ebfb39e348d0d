#!/bin/sh
# Every doctest case must be one ctest test that runs it. doctest_discover_tests registers one
# ctest entry per case and runs it with --test-case=NAME, but CMake splits a name at ';' into
# two entries that each match no case, so such a case passed in ctest without ever running
# (five did, one of them failing). Fails naming each case whose name ctest cannot carry.
status=0
for bin in "$@"; do
  names=$("$bin" --list-test-cases --no-colors 2>&1) || { echo "$bin: cannot list its test cases"; exit 1; }
  bad=$(printf '%s\n' "$names" | grep -v '^\[doctest\]' | grep -v '^====' | grep ';')
  if [ -n "$bad" ]; then
    printf '%s\n' "$bad" | while IFS= read -r n; do
      echo "$(basename "$bin"): test case \"$n\" has ';' in its name: ctest would run nothing for it; use ',' or ':'"
    done
    status=1
  fi
done
exit $status
