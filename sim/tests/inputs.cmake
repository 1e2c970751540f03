# The simulator's two input readers (issue 17): a scenario or trace that is
# not a regular file, oversized or too deeply nested YAML, values too long
# for their field, and records whose lengths would change the run.  Each
# case is one line on stderr and exit status 2, promptly.
set(B ${CMAKE_CURRENT_SOURCE_DIR}/tests/bad)

# A FIFO with no writer, as scenario or trace: refused at once (opening it
# used to block forever).  timeout 10 turns a hang into a failure.
foreach(what scenario trace)
  if(what STREQUAL "scenario")
    set(args "run $d/fifo")
  else()
    set(args "run --trace $d/fifo")
  endif()
  add_test(NAME sim.bad.${what}_fifo
           COMMAND bash -c "d=$(mktemp -d) && trap 'rm -rf $d' EXIT && mkfifo $d/fifo && timeout 10 ${CMAKE_CURRENT_SOURCE_DIR}/tests/expect_bad.sh $<TARGET_FILE:${NMSIM_TEST_BIN}> 'fifo: not a regular file (a FIFO' ${args}")
  set_tests_properties(sim.bad.${what}_fifo PROPERTIES LABELS "sim;unit" TIMEOUT 60
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
endforeach()
nmsim_bad(scenario_directory "bad: not a regular file (a directory" run ${B})
nmsim_bad(trace_directory "bad: not a regular file (a directory" run --trace ${B})

# Bounded YAML: 200k levels of nesting (102 s before) and a 4 MB flat list
# (323 MB before) are refused in one line well within timeout 10.
add_test(NAME sim.bad.scenario_deep_nesting
         COMMAND bash -c "d=$(mktemp -d) && trap 'rm -rf $d' EXIT && { printf 'x: '; printf '%*s' 200000 '' | tr ' ' '['; } > $d/deep.yaml && timeout 10 ${CMAKE_CURRENT_SOURCE_DIR}/tests/expect_bad.sh $<TARGET_FILE:${NMSIM_TEST_BIN}> 'deep.yaml:1: nesting deeper than 16 levels (expected at most 16)' run $d/deep.yaml")
add_test(NAME sim.bad.scenario_huge_list
         COMMAND bash -c "d=$(mktemp -d) && trap 'rm -rf $d' EXIT && { echo 'x:'; yes '  - 1' | head -n 800000; } > $d/big.yaml && timeout 10 ${CMAKE_CURRENT_SOURCE_DIR}/tests/expect_bad.sh $<TARGET_FILE:${NMSIM_TEST_BIN}> 'big.yaml: more than 1048576 bytes (expected at most 1048576 bytes' run $d/big.yaml")
set_tests_properties(sim.bad.scenario_deep_nesting sim.bad.scenario_huge_list
                     PROPERTIES LABELS "sim;unit" TIMEOUT 60 ENVIRONMENT "${NMSIM_TEST_ENV}")

# A capture cut at a 64-byte snap length: replaying 64 of 100 wire bytes
# would change every figure of the run.
nmsim_bad(pcap_short_capture "short-capture.pcap: record 1: 64 of the frame's 100 bytes captured, cut at the file's snap length 64" run --trace ${B}/short-capture.pcap)
