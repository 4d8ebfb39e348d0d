# Runs the real npusim binary and checks its exact exit code (ctest can only check 0 / non-0).
#   cmake -DCMD=<npusim> [-DARGS=a|b|c] -DEXPECT=<code> [-DEXPECT_ERR=<text>]
#         [-DWRITE=<file> -DWRITE_TEXT=<text>] -P cli_exit_code.cmake
# ARGS is '|'-separated because add_test would split a ';'-list into separate arguments.
# EXPECT_ERR must appear in stderr, so the exit code comes from the failure meant.
# WRITE/WRITE_TEXT create an input file first (e.g. a malformed config) so no fixture is checked in.
if(NOT DEFINED CMD OR NOT DEFINED EXPECT)
  message(FATAL_ERROR "cli_exit_code.cmake: CMD and EXPECT are required")
endif()
if(DEFINED WRITE)
  file(WRITE "${WRITE}" "${WRITE_TEXT}\n")
endif()
set(args "")
if(DEFINED ARGS AND NOT ARGS STREQUAL "")
  string(REPLACE "|" ";" args "${ARGS}")
endif()
list(JOIN args " " shown)
execute_process(COMMAND "${CMD}" ${args} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code STREQUAL EXPECT)
  message(FATAL_ERROR "npusim ${shown}: exit code ${code}, expected ${EXPECT}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED EXPECT_ERR)
  string(FIND "${err}" "${EXPECT_ERR}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "npusim ${shown}: stderr lacks \"${EXPECT_ERR}\"\nstderr:\n${err}")
  endif()
endif()
message(STATUS "npusim ${shown}: exit code ${code} as expected\n${err}")
