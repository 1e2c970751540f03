# nm_test.cmake - registering cmocka test binaries, once.
#
# nm_add_test(<unit> SOURCES <test_<unit>.c> ... LABELS <kind> [label...]
#             [BACKEND shim|sim|simcore|sim_csbmut|none]
#             [DEFINES ...] [INCLUDES ...] [LIBS ...]
#             [GROUPS ...] [TSAN_GROUPS ...])
#
# Builds test_<unit>_<variant> for each variant the backend has (shim:
# plain, asan and, if a group is tagged "tsan", tsan; the simulator: plain,
# asan; none: the variant flags only).  After each link the binary is asked
# for its groups (`--list`, tests/nm_test.h) and cmake/nm_discover.cmake
# writes one ctest test per group, read by ctest through the directory's
# TEST_INCLUDE_FILES (as gtest_discover_tests with DISCOVERY_MODE
# POST_BUILD does):
#   <kind>.<unit>.<group>[.<variant>]   labels: LABELS (+ the variant)
# A group tagged "stress" is stress.<unit>.<group>, label stress only.
# The groups are named once, in C.  GROUPS and TSAN_GROUPS (the old
# signature) are optional; when given they are checked against the list
# and a mismatch fails the build.
#
# Naming rule: the unit is the file's stem, tests/test_<unit>.c; the binary
# is test_<unit>_<variant>; cases are test_<unit>_<behaviour>; main() calls
# nm_test_main("<unit>", ...).  The discovery step checks the last.

set(NM_DISCOVER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/nm_discover.cmake)
set(NM_TEST_ENV "NM_LOG_QUIET=1|UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1|TSAN_OPTIONS=halt_on_error=1")

function(nm_add_test unit)
  cmake_parse_arguments(T "" "BACKEND"
    "SOURCES;LABELS;GROUPS;TSAN_GROUPS;DEFINES;INCLUDES;LIBS" ${ARGN})
  if(NOT T_BACKEND)
    set(T_BACKEND shim)
  endif()
  if(NOT T_LABELS)
    message(FATAL_ERROR "nm_add_test(${unit}): LABELS is required")
  endif()
  list(GET T_LABELS 0 kind)
  # The TSan build exists for the shim only, and only when a group asks.
  set(threaded FALSE)
  if(T_TSAN_GROUPS)
    set(threaded TRUE)
  endif()
  foreach(src IN LISTS T_SOURCES)
    get_filename_component(abs ${src} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    # Read at configure time: editing the source re-runs CMake, so a
    # first "tsan" tag brings the TSan binary in.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${abs})
    file(STRINGS ${abs} hits REGEX "NM_TEST_GROUP_TAGGED\\(.*\"[^\"]*tsan")
    if(hits)
      set(threaded TRUE)
    endif()
  endforeach()
  if(T_BACKEND STREQUAL "shim" OR T_BACKEND STREQUAL "none")
    set(variants ${NM_VARIANTS})
  else()
    set(variants ${NM_SIM_VARIANTS})
  endif()
  if(NOT threaded)
    list(REMOVE_ITEM variants tsan)
  endif()
  string(REPLACE ";" "|" groups "${T_GROUPS}")
  string(REPLACE ";" "|" tsan_groups "${T_TSAN_GROUPS}")
  foreach(v IN LISTS variants)
    set(exe test_${unit}_${v})
    add_executable(${exe} ${T_SOURCES})
    target_include_directories(${exe} PRIVATE ${CMAKE_SOURCE_DIR}/tests ${T_INCLUDES})
    target_compile_definitions(${exe} PRIVATE ${T_DEFINES})
    target_compile_options(${exe} PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
    if(T_BACKEND STREQUAL "none")
      nm_variant_flags(${exe} ${v} PRIVATE)
    else()
      target_link_libraries(${exe} PRIVATE nm_${T_BACKEND}_${v})
    endif()
    target_link_libraries(${exe} PRIVATE PkgConfig::CMOCKA ${T_LIBS})
    set(labels ${T_LABELS})
    if(NOT v STREQUAL "plain")
      list(APPEND labels ${v})
    endif()
    string(REPLACE ";" "|" labels "${labels}")
    set(ctest_file ${CMAKE_CURRENT_BINARY_DIR}/${exe}_tests.cmake)
    add_custom_command(TARGET ${exe} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -D EXE=$<TARGET_FILE:${exe}> -D OUT=${ctest_file}
              -D UNIT=${unit} -D KIND=${kind} -D VARIANT=${v} -D LABELS=${labels}
              -D GROUPS=${groups} -D TSAN_GROUPS=${tsan_groups}
              -D ENV=${NM_TEST_ENV} -P ${NM_DISCOVER_SCRIPT}
      BYPRODUCTS ${ctest_file}
      COMMENT "Listing the test groups of ${exe}"
      VERBATIM)
    set(include_file ${CMAKE_CURRENT_BINARY_DIR}/${exe}_include.cmake)
    file(WRITE ${include_file}
      "if(EXISTS \"${ctest_file}\")\n"
      "  include(\"${ctest_file}\")\n"
      "else()\n"
      "  add_test(${kind}.${unit}.NOT_BUILT.${v} ${exe}_NOT_BUILT)\n"
      "endif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})
  endforeach()
endfunction()
