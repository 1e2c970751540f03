# What the report shows (sim_report.c): sane figures and escaped names on
# hostile but valid input.
add_test(NAME sim.report_sane
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/report_sane.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios
                 ${CMAKE_CURRENT_SOURCE_DIR}/tests/data)
set_tests_properties(sim.report_sane PROPERTIES LABELS "sim;unit" TIMEOUT 120
                     ENVIRONMENT "${NMSIM_TEST_ENV}")
add_test(NAME sim.loss_warning
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/loss_warning.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/tests/data)
set_tests_properties(sim.loss_warning PROPERTIES LABELS "sim;unit" TIMEOUT 120
                     ENVIRONMENT "${NMSIM_TEST_ENV}")
