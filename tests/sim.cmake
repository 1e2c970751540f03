# Simulator units (issue 5).  Scenario runs (sim.<scenario>) and bad-input
# cases are registered by sim/CMakeLists.txt next to the nmsim binary.
nm_add_test(sim_engine SOURCES test_sim_engine.c BACKEND simcore LABELS unit
            GROUPS queue engine rng)
nm_add_test(sim_trace SOURCES test_sim_trace.c BACKEND simcore LABELS unit
            GROUPS gen io bad)
nm_add_test(sim_scenario SOURCES test_sim_scenario.c BACKEND simcore LABELS unit
            GROUPS parse bad override)
nm_add_test(sim_text SOURCES test_sim_text.c BACKEND simcore LABELS unit
            GROUPS show)
nm_add_test(sim_world SOURCES test_sim_world.c BACKEND simcore LABELS unit
            GROUPS run detect)
nm_add_test(sim_conc SOURCES test_sim_conc.c BACKEND simcore LABELS unit
            GROUPS order lock preempt stacks)
nm_add_test(sim_coro SOURCES test_sim_coro.c BACKEND simcore LABELS unit
            GROUPS switch pool guard)
foreach(v plain asan)
  if(TARGET test_sim_coro_${v})
    target_link_libraries(test_sim_coro_${v} PRIVATE m)
  endif()
endforeach()
# The portable switch (ucontext), forced on this host: the same tests.
foreach(v plain asan)
  if(NOT v IN_LIST NM_VARIANTS)
    continue()
  endif()
  add_executable(test_sim_coro_ucontext_${v} test_sim_coro.c
                 ${CMAKE_SOURCE_DIR}/sim/engine/sim_coro.c)
  target_compile_definitions(test_sim_coro_ucontext_${v} PRIVATE SIM_CORO_UCONTEXT)
  target_include_directories(test_sim_coro_ucontext_${v} PRIVATE
                             ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/sim/engine)
  target_compile_options(test_sim_coro_ucontext_${v} PRIVATE ${NM_WARNINGS}
                         -Wno-missing-prototypes ${NM_FLAGS_${v}})
  target_link_options(test_sim_coro_ucontext_${v} PRIVATE ${NM_FLAGS_${v}})
  target_link_libraries(test_sim_coro_ucontext_${v} PRIVATE PkgConfig::CMOCKA m)
  set(suffix "")
  set(labels unit)
  if(NOT v STREQUAL "plain")
    set(suffix ".${v}")
    list(APPEND labels ${v})
  endif()
  foreach(g switch pool guard)
    add_test(NAME unit.sim_coro_ucontext.${g}${suffix}
             COMMAND test_sim_coro_ucontext_${v} ${g})
    set_tests_properties(unit.sim_coro_ucontext.${g}${suffix} PROPERTIES
      LABELS "${labels}" TIMEOUT 300
      ENVIRONMENT "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
  endforeach()
endforeach()
