# Simulator units (issue 5).  Scenario runs (sim.<scenario>) and bad-input
# cases are registered by sim/CMakeLists.txt next to the nmsim binary.
nm_add_test(sim_engine SOURCES test_sim_engine.c BACKEND simcore LABELS unit)
nm_add_test(sim_trace SOURCES test_sim_trace.c BACKEND simcore LABELS unit)
nm_add_test(sim_scenario SOURCES test_sim_scenario.c BACKEND simcore LABELS unit)
nm_add_test(sim_text SOURCES test_sim_text.c BACKEND simcore LABELS unit)
nm_add_test(sim_world SOURCES test_sim_world.c BACKEND simcore LABELS unit)
nm_add_test(sim_xen_accel SOURCES test_sim_xen_accel.c BACKEND simcore LABELS unit)
nm_add_test(sim_conc SOURCES test_sim_conc.c BACKEND simcore LABELS unit)
nm_add_test(sim_cache SOURCES test_sim_cache.c BACKEND simcore LABELS unit)
nm_add_test(sim_tap SOURCES test_sim_tap.c BACKEND simcore LABELS unit)
nm_add_test(sim_emu SOURCES test_sim_emu.c BACKEND simcore LABELS unit)
nm_add_test(sim_jitter SOURCES test_sim_jitter.c BACKEND simcore LABELS unit)
nm_add_test(sim_coro SOURCES test_sim_coro.c BACKEND simcore LABELS unit)
foreach(v IN LISTS NM_SIM_VARIANTS)
  target_link_libraries(test_sim_coro_${v} PRIVATE m)
endforeach()
# The portable switch (ucontext), forced on this host: the same tests
# (test_sim_coro.c names this build's unit sim_coro_ucontext).
nm_add_test(sim_coro_ucontext SOURCES test_sim_coro.c
            ${CMAKE_SOURCE_DIR}/sim/engine/sim_coro.c BACKEND none LABELS unit
            DEFINES SIM_CORO_UCONTEXT INCLUDES ${CMAKE_SOURCE_DIR}/sim/engine
            LIBS m)
# Every seam allocation of sim_world_build() fails in turn
# (nm_sim_fail_alloc_at): -ENOMEM, one line, nothing left.
nm_add_test(sim_alloc_fail SOURCES test_sim_alloc_fail.c BACKEND simcore LABELS unit
            DEFINES NM_SIM_SCENARIOS="${CMAKE_SOURCE_DIR}/sim/scenarios")
# Offloads (issue 14 item 6): the guest side of the virtio-net header,
# a guest's own segmentation, gathering the switch's segments, and a run
# of the checked-in capture through the switch's segmentation.
nm_add_test(sim_offload SOURCES test_sim_offload.c BACKEND simcore LABELS unit
            DEFINES NM_SIM_TRACES="${CMAKE_SOURCE_DIR}/sim/traces")
