# Simulator benchmarks (issue 5), label bench: never in the default set.
# The plain variant always exists (NM_VARIANTS starts with it).
add_executable(nmlab-bench-sim-engine bench_sim_engine.c)
target_compile_options(nmlab-bench-sim-engine PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(nmlab-bench-sim-engine PRIVATE nm_simcore_plain)
add_test(NAME bench.sim_engine COMMAND nmlab-bench-sim-engine
         --json ${CMAKE_BINARY_DIR}/bench-sim-engine.json)
set_tests_properties(bench.sim_engine PROPERTIES LABELS bench TIMEOUT 600)
add_executable(nmlab-bench-sim-costs bench_sim_costs.c)
target_compile_options(nmlab-bench-sim-costs PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(nmlab-bench-sim-costs PRIVATE Threads::Threads)
add_test(NAME bench.sim_costs COMMAND nmlab-bench-sim-costs
         --json ${CMAKE_BINARY_DIR}/bench-sim-costs.json)
set_tests_properties(bench.sim_costs PROPERTIES LABELS bench TIMEOUT 600)
add_executable(nmlab-bench-sim-model bench_sim_model.c)
target_compile_options(nmlab-bench-sim-model PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(nmlab-bench-sim-model PRIVATE nm_simcore_plain)
add_test(NAME bench.sim_model COMMAND nmlab-bench-sim-model
         --json ${CMAKE_BINARY_DIR}/bench-sim-model.json)
set_tests_properties(bench.sim_model PROPERTIES LABELS bench TIMEOUT 600)
