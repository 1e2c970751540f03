# CSB synchronisation (issue #4): core/csb*.c, shim/csb_kloop.c (part of
# every shim library: the top level globs shim/*.c).

nm_add_test(csb SOURCES test_csb.c LABELS unit
            GROUPS init suppress index hostile opts)

# The mutant switches of core/csb*.c (NM_CSB_MUTANTS) exist only in these
# test libraries: the whole core over the simulator backend, whose step hook
# lets a test inject interleavings and emulate TSO store buffers.
foreach(v IN LISTS NM_VARIANTS)
  if(v STREQUAL "tsan")
    continue()
  endif()
  nm_add_backend(nm_sim_csbmut ${v} DEFINE NM_OS_BACKEND_SIM
                 INCLUDE ${CMAKE_SOURCE_DIR}/sim/backend
                 SOURCES ${CMAKE_SOURCE_DIR}/sim/backend/nm_os_sim.c)
  target_compile_definitions(nm_sim_csbmut_${v} PUBLIC NM_CSB_MUTANTS)
endforeach()
nm_add_test(csb_model SOURCES test_csb_model.c BACKEND sim_csbmut LABELS unit model
            GROUPS order interleave mutants)

# The kloop with real threads; the short stress runs in the default set
# (and under TSan), 100 million frames per mode under ctest -L stress.
nm_add_test(csb_kloop SOURCES test_csb_kloop.c LABELS unit
            GROUPS lifecycle watchdog stress_eventfd stress_busywait stress_direct
            TSAN_GROUPS lifecycle watchdog stress_eventfd stress_busywait stress_direct)
nm_add_test(csb_stress SOURCES test_csb_kloop.c LABELS stress
            GROUPS long_eventfd long_busywait)
foreach(t long_eventfd long_busywait)
  if(TEST stress.csb_stress.${t}.asan)
    set_tests_properties(stress.csb_stress.${t}.asan PROPERTIES TIMEOUT 3600)
  endif()
  set_tests_properties(stress.csb_stress.${t} PROPERTIES TIMEOUT 1800)
endforeach()
