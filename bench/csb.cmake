# nmlab-bench-csb (issue #4): CSB schemes against a no-suppression baseline.
add_executable(nmlab-bench-csb bench_csb.c)
target_include_directories(nmlab-bench-csb PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_compile_options(nmlab-bench-csb PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(nmlab-bench-csb PRIVATE PkgConfig::JANSSON nm_shim_plain)
add_test(NAME bench.csb
         COMMAND nmlab-bench-csb --json ${CMAKE_BINARY_DIR}/bench-csb.json)
set_tests_properties(bench.csb PROPERTIES LABELS bench TIMEOUT 1800)
