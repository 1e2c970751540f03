# The run itself and the ports' geometry (sim_world, sim_app, devices,
# links): scenario-level regression tests.

# Frames bigger than the old fixed 2048-byte port buffers cross every
# datapath whole when buf_size allows them (issue 17 item 1).
add_test(NAME sim.world.big_frames
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/big_frames.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set_tests_properties(sim.world.big_frames PROPERTIES LABELS "sim;unit" TIMEOUT 120
                     ENVIRONMENT "${NMSIM_TEST_ENV}")
