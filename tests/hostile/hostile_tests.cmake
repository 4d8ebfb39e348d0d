# One ctest test per row of the table in tests/hostile/README.md: the real npusim binary must
# exit with code 2 and print the row's message, within the time limit and (in the sanitizer
# build) without a sanitizer report. The table is the test list, so it cannot go stale.
# Rows look like: | n | what | `ARGS` | `MESSAGE` |, where ARGS may use $IN (tests/hostile/inputs)
# and $MODELS (<build>/tests/models, the generated ONNX models), and may start with NAME=VALUE
# words, set in the test's environment (as a shell would).
set(HOSTILE_README ${CMAKE_CURRENT_SOURCE_DIR}/hostile/README.md)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${HOSTILE_README})
file(STRINGS ${HOSTILE_README} HOSTILE_ROWS ENCODING UTF-8 REGEX "^\\| *[0-9]+ *\\|")
set(HOSTILE_COUNT 0)
foreach(row IN LISTS HOSTILE_ROWS)
  if(NOT row MATCHES "^\\| *([0-9]+) *\\|[^|]*\\| *`([^`]+)` *\\| *`([^`]+)` *\\|")
    message(FATAL_ERROR "tests/hostile/README.md: malformed row (want | n | what | `args` | `message` |):\n${row}")
  endif()
  set(n ${CMAKE_MATCH_1})
  set(args ${CMAKE_MATCH_2})
  set(msg ${CMAKE_MATCH_3})
  set(env "")
  while(args MATCHES "^([A-Z_][A-Z0-9_]*=[^ ]*) +(.*)$")
    list(APPEND env "${CMAKE_MATCH_1}")
    set(args "${CMAKE_MATCH_2}")
  endwhile()
  string(REPLACE "$IN" "${CMAKE_CURRENT_SOURCE_DIR}/hostile/inputs" args "${args}")
  string(REPLACE "$MODELS" "${CMAKE_CURRENT_BINARY_DIR}/models" args "${args}")
  string(REPLACE " " "|" args "${args}")
  npusim_cli_exit_test(hostile/${n} 2 "${args}" "-DEXPECT_ERR=${msg}")
  # A hang is a failure too; in the ASan build an allocation over 4 GiB aborts (exit code != 2).
  list(PREPEND env "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:max_allocation_size_mb=4096:allocator_may_return_null=0")
  set_tests_properties(cli_exit/hostile/${n} PROPERTIES TIMEOUT 60 ENVIRONMENT "${env}")
  math(EXPR HOSTILE_COUNT "${HOSTILE_COUNT} + 1")
endforeach()
if(HOSTILE_COUNT LESS 20)
  message(FATAL_ERROR "tests/hostile/README.md: only ${HOSTILE_COUNT} rows parsed; the table's format changed?")
endif()
