# Contention in the report (issue 12, item 3): lock classes and lease
# overlap (vale-4to1, concurrent), preemptions (ptnet-vale-preempt), a
# link shared by two senders with every packet accounted for.
add_test(NAME sim.contention
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/contention.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set_tests_properties(sim.contention PROPERTIES LABELS "sim;unit" TIMEOUT 120
                     ENVIRONMENT "${NMSIM_TEST_ENV}")
