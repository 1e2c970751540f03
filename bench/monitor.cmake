# Monitor cost (issue #18): never in the default test set.
add_executable(nmlab-bench-monitor bench_monitor.c)
target_compile_options(nmlab-bench-monitor PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(nmlab-bench-monitor PRIVATE PkgConfig::JANSSON nm_shim_plain)
add_test(NAME bench.monitor COMMAND nmlab-bench-monitor --json ${CMAKE_BINARY_DIR}/bench-monitor.json)
set_tests_properties(bench.monitor PROPERTIES LABELS bench TIMEOUT 900)
