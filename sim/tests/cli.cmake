# The command line (sim/nmsim.c, issue 17): bad arguments are one line and
# exit status 2, outputs that cannot be written one line and exit status 3,
# and no input string reaches gnuplot or a shell as anything but text.
set(S ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set(T ${CMAKE_CURRENT_SOURCE_DIR}/tests)
set(NMSIM $<TARGET_FILE:${NMSIM_TEST_BIN}>)

nmsim_bad(cli_seed_space "--seed ' -1': expected a non-negative integer (a decimal integer 0..9223372036854775807)" run --seed " -1")
nmsim_bad(cli_seed_minus "--seed '-1': expected a non-negative integer (a decimal" run --seed=-1)
nmsim_bad(cli_seed_plus "--seed '+1': expected a non-negative integer (a decimal" run --seed +1)
nmsim_bad(cli_seed_hex "--seed '0x10': expected a non-negative integer (a decimal" run --seed 0x10)
nmsim_bad(cli_seed_2p63 "--seed '9223372036854775808': expected a non-negative integer (a decimal integer 0..9223372036854775807)" run --seed 9223372036854775808)
nmsim_bad(cli_seed_2p64 "--seed '18446744073709551616': expected a non-negative integer (a decimal" run --seed 18446744073709551616)
nmsim_bad(cli_json_option "--json '--quiet' looks like an option; write ./--quiet for a file of that name" run --json --quiet)
nmsim_bad(cli_trace_option "--trace '--seed' looks like an option" run --trace --seed 1)
nmsim_bad(cli_plot_extension "--plot 'out.jpg': expected a file name ending in .png, .svg or .pdf" run --plot out.jpg)
nmsim_bad(cli_plot_no_extension "--plot 'out': expected a file name ending in .png, .svg or .pdf" sweep default trace.packets=10,20 --plot out)
nmsim_bad(cli_unknown_long_value "unknown option '--frob=1'" run --frob=1)
nmsim_bad(cli_no_value_eq "--quiet takes no value" run --quiet=1)
nmsim_bad(cli_two_scenarios "unexpected argument 'b.yaml'" run a.yaml b.yaml)
nmsim_bad(sweep_empty_value "sweep 'trace.packets=1,,2': value 2 is empty (expected PARAM=v1,v2,...)" sweep default trace.packets=1,,2)
nmsim_bad(sweep_trailing_comma "sweep 'trace.packets=1,2,': value 3 is empty" sweep default trace.packets=1,2,)
nmsim_bad(sweep_no_param "sweep '=1,2': expected PARAM=v1,v2,..." sweep default =1,2)
nmsim_bad(sweep_pcap_out "--pcap-out is not supported in a sweep" sweep default trace.packets=10,20 --pcap-out d)
# Empty values: as separate arguments ('') and as --opt=.
foreach(opt trace json pcap-out plot set seed)
  add_test(NAME sim.bad.cli_empty_${opt}
           COMMAND ${T}/expect_bad.sh ${NMSIM} "--${opt}: empty value" run --${opt} "")
  set_tests_properties(sim.bad.cli_empty_${opt} PROPERTIES LABELS "sim;unit" TIMEOUT 60
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
  nmsim_bad(cli_empty_eq_${opt} "--${opt}: empty value" sweep default trace.packets=10,20 --${opt}=)
endforeach()

# Outputs: exit status 3 and one line naming the file and the reason.
set(NM_SIM_OUT
  "report_full|standard output: cannot write: No space left on device|/dev/full|run --set trace.packets=1000"
  "json_stdout_full|standard output: cannot write: No space left on device|/dev/full|run --set trace.packets=1000 --json -"
  "json_file_full|/dev/full: cannot write: No space left on device|/dev/null|run --set trace.packets=1000 --json /dev/full"
  "json_no_dir|@TMP@/no/such/s.json: cannot write: No such file or directory|/dev/null|run --set trace.packets=100 --json @TMP@/no/such/s.json"
  "sweep_table_full|standard output: cannot write: No space left on device|/dev/full|sweep default trace.packets=100,200"
  "sweep_json_full|/dev/full: cannot write: No space left on device|/dev/null|sweep default trace.packets=100,200 --json /dev/full"
  "plot_no_dir|@TMP@/no/such/p.svg: cannot write: No such file or directory|/dev/null|run --set trace.packets=100 --quiet --plot @TMP@/no/such/p.svg"
  "help_full|standard output: cannot write: No space left on device|/dev/full|run --help")
foreach(case IN LISTS NM_SIM_OUT)
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 want)
  list(GET parts 2 out)
  list(GET parts 3 args)
  separate_arguments(args UNIX_COMMAND "${args}")
  add_test(NAME sim.out.${name}
           COMMAND ${T}/expect_status.sh 3 "${want}" ${out} ${NMSIM} ${args})
  set_tests_properties(sim.out.${name} PROPERTIES LABELS "sim;unit" TIMEOUT 60
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
endforeach()
# A pcap past the file-size limit (8 KiB; 1000 frames are about 76 KiB).
add_test(NAME sim.out.pcap_fsize
         COMMAND ${T}/expect_status.sh 3 "@TMP@/p/rx.pcap: cannot write: File too large" /dev/null
                 ${NMSIM} run ${S}/host-vale.yaml --set trace.packets=1000 --quiet --pcap-out @TMP@/p)
set_tests_properties(sim.out.pcap_fsize PROPERTIES LABELS "sim;unit" TIMEOUT 60
                     ENVIRONMENT "${NMSIM_TEST_ENV};NMSIM_FSIZE_KB=8")

foreach(t cli_options plot_injection pcap_long_path)
  add_test(NAME sim.${t} COMMAND ${T}/${t}.sh ${NMSIM} ${S})
  set_tests_properties(sim.${t} PROPERTIES LABELS "sim;unit" TIMEOUT 300
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
endforeach()
