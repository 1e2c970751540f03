# VALE switch and netmap pipes (issue #3).  Paths are relative to tests/.
nm_add_test(vale_lease SOURCES test_vale_lease.c LABELS unit)
nm_add_test(vale_switch SOURCES test_vale_switch.c LABELS unit)
nm_add_test(vale_fwd SOURCES test_vale_fwd.c LABELS unit)
nm_add_test(nm_pipe SOURCES test_nm_pipe.c LABELS unit)
# Real threads: a short run in the default set (plain, ASan, TSan) and
# 110 million packets under ctest -L stress (group "long", tagged stress).
nm_add_test(vale_threads SOURCES test_vale_threads.c LABELS unit)
# The same core on the simulator backend (as the simulator drives it).
nm_add_test(vale_sim SOURCES test_vale_sim.c BACKEND sim LABELS unit)
# Allocation-failure walks (issue 13): every allocation of port open,
# switch create, pipe open and kloop create fails in turn
# (nm_shim_fail_alloc_at); the scenario build's in tests/sim.cmake.
nm_add_test(alloc_fail SOURCES test_alloc_fail.c LABELS unit)
# virtio-net headers and offloads (issue 14): independent checksum and
# segmentation oracle, tshark when installed.
nm_add_test(vale_offload SOURCES test_vale_offload.c LABELS unit)
# Copy monitors (issue #18): core/nm_monitor.c, with a threaded group
# (a monitor opened and closed while traffic flows; TSan too).
nm_add_test(nm_monitor SOURCES test_nm_monitor.c LABELS unit)
# The same monitors, and NS_INDIRECT from a registered range, on the
# simulator backend.
nm_add_test(nm_monitor_sim SOURCES test_nm_monitor_sim.c BACKEND sim LABELS unit)
# Zero-copy monitors (issue #18): core/nm_monitor_zc.c, buffer census in
# every test, chains, and a threaded group (TSan too).
nm_add_test(nm_monitor_zc SOURCES test_nm_monitor_zc.c LABELS unit)
