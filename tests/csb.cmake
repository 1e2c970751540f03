# CSB synchronisation (issue #4): core/csb*.c, shim/csb_kloop.c (part of
# every shim library: the top level globs shim/*.c).

nm_add_test(csb SOURCES test_csb.c LABELS unit)

# The mutant switches of core/csb*.c (NM_CSB_MUTANTS) exist only in these
# test libraries: the whole core over the simulator backend, whose step hook
# lets a test inject interleavings and emulate TSO store buffers.
nm_add_backends(nm_sim_csbmut VARIANTS ${NM_SIM_VARIANTS}
                DEFINE NM_OS_BACKEND_SIM INCLUDE ${CMAKE_SOURCE_DIR}/sim/backend
                SOURCES ${CMAKE_SOURCE_DIR}/sim/backend/nm_os_sim.c)
foreach(v IN LISTS NM_SIM_VARIANTS)
  target_compile_definitions(nm_sim_csbmut_${v} PUBLIC NM_CSB_MUTANTS)
endforeach()
nm_add_test(csb_model SOURCES test_csb_model.c BACKEND sim_csbmut LABELS unit model)

# The kloop with real threads; the short stress runs in the default set
# (and under TSan: groups tagged "tsan"), 100 million frames per mode
# under ctest -L stress (stress.csb_kloop.long_*, tagged "stress").
nm_add_test(csb_kloop SOURCES test_csb_kloop.c LABELS unit)

# The kloop's START/STOP decision (core/csb_kloop_ctl.c), both orders, and
# its lost-STOP mutant (zoo case 20): over the mutant-enabled core.
nm_add_test(csb_kloop_ctl SOURCES test_csb_kloop_ctl.c BACKEND sim_csbmut LABELS unit)
