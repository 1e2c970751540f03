# The Xen accelerator plugin (issue 18 item 5, sim_dev_xen_accel.c): its
# report and invariants across a split and a migration, the naive
# switch-over caught by the flow-order check, and the key combinations the
# reader refuses (one line, exit 2).
add_test(NAME sim.xen_accel
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/xen_accel.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set_tests_properties(sim.xen_accel PROPERTIES LABELS sim TIMEOUT 300
                     ENVIRONMENT "${NMSIM_TEST_ENV}")
set(S ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
nmsim_bad(xen_accel_receiver "endpoint rx: accel: all on a receiver (expected a sender"
          run ${S}/xen-accel-split.yaml --set endpoints.rx.fast_path=false
          --set endpoints.rx.accel=all)
nmsim_bad(xen_accel_fast_path "endpoint tx: accel: even with fast_path: true (expected one of them"
          run ${S}/xen-accel-split.yaml --set endpoints.tx.fast_path=true)
nmsim_bad(xen_accel_pipe "endpoint tx: accel: all on a pipe (expected a VALE switch"
          run ${S}/ptnet-pipe.yaml --set endpoints.tx.device=xen --set endpoints.tx.accel=all)
nmsim_bad(xen_accel_restore_first "endpoint tx: accel_restore_us 500 is not after accel_withdraw_us 1000"
          run ${S}/xen-migrate.yaml --set endpoints.tx.accel_restore_us=500)
nmsim_bad(xen_accel_withdraw_alone "endpoint tx: accel_withdraw_us 5 without the plugin"
          run ${S}/xen.yaml --set endpoints.tx.accel_withdraw_us=5)
nmsim_bad(xen_accel_unknown "endpoints.accel: unknown value 'bogus' (expected one of: off, all, none, even, odd)"
          run ${S}/xen-migrate.yaml --set endpoints.tx.accel=bogus)
