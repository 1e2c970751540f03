# The run itself and the ports' geometry (sim_world, sim_app, devices,
# links): scenario-level regression tests.

# Frames bigger than the old fixed 2048-byte port buffers cross every
# datapath whole when buf_size allows them (issue 17 item 1).
add_test(NAME sim.world.big_frames
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/big_frames.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set_tests_properties(sim.world.big_frames PROPERTIES LABELS "sim;unit" TIMEOUT 120
                     ENVIRONMENT "${NMSIM_TEST_ENV}")

# Settings that keep many frames in flight on a link (a long wire, a
# 1 bit/s line, a 65,536-frame queue on a slow line) run clean: the packet
# table grows rather than overwrite live tags (issue 17 item 3).
set(NM_SIM_WORLD_INFLIGHT
  "link_long_delay|--set trace.packets=20000 --set links.l0.delay_ns=1000000"
  "link_1bps|--set trace.packets=20000 --set links.l0.bandwidth_bps=1"
  "link_deep_queue|--set trace.packets=20000 --set links.l0.queue=65536 --set links.l0.bandwidth_bps=100000000")
foreach(case IN LISTS NM_SIM_WORLD_INFLIGHT)
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 args)
  separate_arguments(args UNIX_COMMAND "${args}")
  add_test(NAME sim.world.${name}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/twice.sh
                   $<TARGET_FILE:${NMSIM_TEST_BIN}>
                   ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/two-switch-link.yaml ${args})
  set_tests_properties(sim.world.${name} PROPERTIES LABELS "sim;unit" TIMEOUT 120
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
endforeach()
