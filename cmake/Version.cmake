# Generates version_info.cpp with the project version and the git commit on every build,
# rewriting it only when the text changes so an unchanged tree does not relink.
set(NPUSIM_VERSION_CPP ${CMAKE_BINARY_DIR}/generated/version_info.cpp)
add_custom_target(npusim_version_gen
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
          -DOUT=${NPUSIM_VERSION_CPP}
          -DVERSION=${PROJECT_VERSION}
          -P ${CMAKE_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${NPUSIM_VERSION_CPP}
  COMMENT "Recording npusim version and git commit")
