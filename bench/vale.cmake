# VALE and pipe benchmark (issue #3): never in the default test set.
add_executable(nmlab-bench-vale bench_vale.c)
target_compile_options(nmlab-bench-vale PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(nmlab-bench-vale PRIVATE PkgConfig::JANSSON nm_shim_plain)
add_test(NAME bench.vale COMMAND nmlab-bench-vale --json ${CMAKE_BINARY_DIR}/bench-vale.json)
set_tests_properties(bench.vale PROPERTIES LABELS bench TIMEOUT 1800)
