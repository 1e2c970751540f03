# The command line (sim/nmsim.c, issue 17): bad arguments are one line and
# exit status 2, outputs that cannot be written one line and exit status 3,
# and no input string reaches gnuplot or a shell as anything but text.
set(S ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set(T ${CMAKE_CURRENT_SOURCE_DIR}/tests)
set(NMSIM $<TARGET_FILE:${NMSIM_TEST_BIN}>)

foreach(t pcap_long_path)
  add_test(NAME sim.${t} COMMAND ${T}/${t}.sh ${NMSIM} ${S})
  set_tests_properties(sim.${t} PROPERTIES LABELS "sim;unit" TIMEOUT 300
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
endforeach()
