# VALE switch and netmap pipes (issue #3).  Paths are relative to tests/.
nm_add_test(vale_lease SOURCES test_vale_lease.c LABELS unit
            GROUPS lease property)
nm_add_test(vale_switch SOURCES test_vale_switch.c LABELS unit
            GROUPS names ports limits view)
nm_add_test(vale_fwd SOURCES test_vale_fwd.c LABELS unit
            GROUPS bridge lookup full frags hostile attach notify direct)
nm_add_test(nm_pipe SOURCES test_nm_pipe.c LABELS unit
            GROUPS basic frags full lifecycle hostile threads
            TSAN_GROUPS threads)
# Real threads: a short run in the default set (plain, ASan, TSan) and
# 110 million packets under ctest -L stress (plain build only).
nm_add_test(vale_threads SOURCES test_vale_threads.c LABELS unit
            GROUPS short TSAN_GROUPS short)
add_test(NAME stress.vale_threads.long COMMAND test_vale_threads_plain long)
set_tests_properties(stress.vale_threads.long PROPERTIES LABELS stress
  TIMEOUT 3600 ENVIRONMENT "NM_LOG_QUIET=1")
# The same core on the simulator backend (as the simulator drives it).
nm_add_test(vale_sim SOURCES test_vale_sim.c BACKEND sim LABELS unit GROUPS sim)
