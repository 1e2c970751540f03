# The researcher's commands (issue 15): list, check, --version, grids,
# seeds, -j, CSV, shards and merge, --interval, the JSON record, the man
# page, the install tree and a Slurm job array on a real local cluster.
set(S ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set(T ${CMAKE_CURRENT_SOURCE_DIR}/tests)
set(NMSIM $<TARGET_FILE:${NMSIM_TEST_BIN}>)

foreach(c grid shard interval meta flows ci list)
  add_test(NAME sim.research.${c} COMMAND ${T}/research.sh ${NMSIM} ${S} ${c})
  set_tests_properties(sim.research.${c} PROPERTIES LABELS "sim;unit" TIMEOUT 300
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
endforeach()

nmsim_bad(list_unknown "list 'frob': expected scenarios, devices, keys or costs" list frob)
nmsim_bad(check_bad_override "no endpoint named 'zz'" check --set endpoints.zz.batch=1)
nmsim_bad(check_unknown_key "unknown-key.yaml:5: unknown key 'colour'" check ${T}/bad/unknown-key.yaml)
nmsim_bad(sweep_bad_range "sweep 'trace.packets=9..1': bad range" sweep default trace.packets=9..1)
nmsim_bad(sweep_bad_factor "bad range (expected A..B, A..B+STEP or A..B*FACTOR" sweep default trace.packets=1..8*1)
nmsim_bad(sweep_bad_seeds "--seeds 'x': 'x' is not a seed" sweep default trace.packets=10 --seeds x)
nmsim_bad(sweep_jobs_zero "--jobs '0': expected a number of processes 1..256" sweep default trace.packets=10 -j 0)
nmsim_bad(sweep_shard_order "--shard '3/2': expected K/N" sweep default trace.packets=10 --shard 3/2 --out d)
nmsim_bad(sweep_shard_no_out "--shard K/N and --out DIR go together" sweep default trace.packets=10 --shard 1/2)
nmsim_bad(sweep_interval "--interval is not supported in a sweep" sweep default trace.packets=10 --interval 100)
nmsim_bad(sweep_flows "--flows is not supported in a sweep" sweep default trace.packets=10 --flows)
nmsim_bad(run_seeds "--seeds is not supported by run (see nmsim run --help)" run --seeds 1..3)
nmsim_bad(run_jobs "--jobs is not supported by run" run -j 2)
nmsim_bad(check_json "--json is not supported by check" check --json x.json)
nmsim_bad(merge_set "--set is not supported by merge" merge d --set trace.packets=1)
nmsim_bad(sweep_jobs_missing "--jobs needs a value (expected a number of processes 1..256)" sweep default trace.packets=10 -j)
nmsim_bad(run_interval_zero "--interval '0': expected a time step in ns" run --interval 0)
nmsim_bad(run_csv_alone "run --csv writes the --interval time series" run --csv x.csv)
nmsim_bad(merge_missing "merge '/nonexistent/nmsim': No such file or directory" merge /nonexistent/nmsim)
nmsim_bad(merge_empty "merge: no run-*.json files" merge ${T}/bad)

# The man page renders without a warning.
add_test(NAME sim.man
         COMMAND bash -c "out=$(groff -man -Tutf8 -ww ${CMAKE_CURRENT_SOURCE_DIR}/doc/nmsim.1 2>&1 >/dev/null) && test -z \"$out\" && man -l ${CMAKE_CURRENT_SOURCE_DIR}/doc/nmsim.1 2>&1 | grep -q 'nmsim sweep'")
set_tests_properties(sim.man PROPERTIES LABELS "sim;unit" TIMEOUT 60)

# cmake --install into a temporary prefix: the binary, the man page, the
# scenarios (which list finds) and the completion (which bash loads).
add_test(NAME sim.install
         COMMAND bash -c "set -e; d=$(mktemp -d); trap 'rm -rf $d' EXIT; cmake --install ${CMAKE_BINARY_DIR} --prefix $d >/dev/null; test -x $d/bin/nmsim; test -s $d/share/man/man1/nmsim.1; test -s $d/share/nmlab/scenarios/e1000.yaml; $d/bin/nmsim check $d/share/nmlab/scenarios/e1000.yaml >/dev/null; env -u NMSIM_SCENARIOS $d/bin/nmsim list scenarios | grep -q '^  e1000.yaml$'; bash -c \"source $d/share/bash-completion/completions/nmsim && complete -p nmsim\" | grep -q _nmsim")
set_tests_properties(sim.install PROPERTIES LABELS "sim;unit" TIMEOUT 120)

# A real single-node Slurm cluster on localhost (slurm-wlm, munge from
# scripts/deps): a 4-task array of a small sweep, merged, equals the local
# sweep.  Ports from NMSIM_SLURM_PORT (default 26817 and the next).
add_test(NAME slurm.sweep_array COMMAND ${T}/slurm_sweep.sh ${NMSIM} ${S})
set_tests_properties(slurm.sweep_array PROPERTIES LABELS "slurm;sim" TIMEOUT 180
                     ENVIRONMENT "${NMSIM_TEST_ENV}")

# bench/ writes its JSON through jansson: every benchmark, on a small
# size, writes a file that python3 -m json.tool accepts (no nan or inf).
if(TARGET nmlab-bench-vale AND TARGET nmlab-bench-sim-engine)
  add_test(NAME sim.bench_json
           COMMAND bash -c "set -e; d=$(mktemp -d); trap 'rm -rf $d' EXIT; \
$<TARGET_FILE:nmlab-bench-sim-engine> --events 100000 --runs 3 --json $d/e.json 2>/dev/null; \
$<TARGET_FILE:nmlab-bench-sim-costs> --runs 2 --json $d/c.json 2>/dev/null; \
$<TARGET_FILE:nmlab-bench-ring> --packets 100000 --runs 5 --json $d/r.json 2>/dev/null; \
$<TARGET_FILE:nmlab-bench-vale> --quick --packets 10000 --runs 5 --json $d/v.json 2>/dev/null; \
$<TARGET_FILE:nmlab-bench-csb> --packets 1000 --runs 5 --batches 32 --json $d/s.json 2>/dev/null; \
for f in $d/*.json; do python3 -m json.tool $f >/dev/null; done; test $(ls $d | wc -l) = 5")
  set_tests_properties(sim.bench_json PROPERTIES LABELS "sim;unit" TIMEOUT 300)
endif()
