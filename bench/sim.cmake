# Simulator benchmarks (issue 5), label bench: never in the default set.
# The plain variant always exists (NM_VARIANTS starts with it).
# engine: events per second; model: concurrent vs step model (issue 12).
foreach(b engine model)
  add_executable(nmlab-bench-sim-${b} bench_sim_${b}.c)
  target_compile_options(nmlab-bench-sim-${b} PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
  target_link_libraries(nmlab-bench-sim-${b} PRIVATE PkgConfig::JANSSON nm_simcore_plain)
  add_test(NAME bench.sim_${b} COMMAND nmlab-bench-sim-${b}
           --json ${CMAKE_BINARY_DIR}/bench-sim-${b}.json)
  set_tests_properties(bench.sim_${b} PROPERTIES LABELS bench TIMEOUT 600)
endforeach()
add_executable(nmlab-bench-sim-costs bench_sim_costs.c)
target_compile_options(nmlab-bench-sim-costs PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
# nm_shim_plain: csum_byte_ps times the core's own vale_csum_sum().
target_link_libraries(nmlab-bench-sim-costs PRIVATE PkgConfig::JANSSON Threads::Threads
                      nm_shim_plain)
add_test(NAME bench.sim_costs COMMAND nmlab-bench-sim-costs
         --json ${CMAKE_BINARY_DIR}/bench-sim-costs.json)
set_tests_properties(bench.sim_costs PROPERTIES LABELS bench TIMEOUT 600)
