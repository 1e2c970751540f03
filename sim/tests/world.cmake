# The run itself and the ports' geometry (sim_world, sim_app, devices,
# links): scenario-level regression tests.

# Frames bigger than the old fixed 2048-byte port buffers cross every
# datapath whole when buf_size allows them (issue 17 item 1).
add_test(NAME sim.world.big_frames
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/big_frames.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set_tests_properties(sim.world.big_frames PROPERTIES LABELS "sim;unit" TIMEOUT 120
                     ENVIRONMENT "${NMSIM_TEST_ENV}")

# Settings that keep many frames in flight on a link (a long wire, a
# 1 bit/s line, a 65,536-frame queue on a slow line) run clean: the packet
# table grows rather than overwrite live tags (issue 17 item 3).
set(NM_SIM_WORLD_INFLIGHT
  "link_long_delay|--set trace.packets=20000 --set links.l0.delay_ns=1000000"
  "link_1bps|--set trace.packets=20000 --set links.l0.bandwidth_bps=1"
  "link_deep_queue|--set trace.packets=20000 --set links.l0.queue=65536 --set links.l0.bandwidth_bps=100000000")
foreach(case IN LISTS NM_SIM_WORLD_INFLIGHT)
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 args)
  separate_arguments(args UNIX_COMMAND "${args}")
  add_test(NAME sim.world.${name}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/twice.sh
                   $<TARGET_FILE:${NMSIM_TEST_BIN}>
                   ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/two-switch-link.yaml ${args})
  set_tests_properties(sim.world.${name} PROPERTIES LABELS "sim;unit" TIMEOUT 120
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
endforeach()

# Release times that would pass 2^62 ns are refused at build time, one
# line, exit 2 (issue 17 item 9): a trace spanning 2e18 ns replayed 6
# times wrapped uint64_t time; so did k * 1e9 in rate mode.
add_test(NAME sim.bad.release_time_span_loops
         COMMAND bash -c "d=$(mktemp -d) && trap 'rm -rf $d' EXIT && python3 ${CMAKE_CURRENT_SOURCE_DIR}/tests/pcap_write.py $d/span.pcap 60 2 2000000000000000000 && ${CMAKE_CURRENT_SOURCE_DIR}/tests/expect_bad.sh $<TARGET_FILE:${NMSIM_TEST_BIN}> 'would be released past 2^62 ns' run ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/host-vale.yaml --trace $d/span.pcap --set trace.mode=timestamps --set trace.loops=6")
set_tests_properties(sim.bad.release_time_span_loops PROPERTIES LABELS "sim;unit" TIMEOUT 60
                     ENVIRONMENT "${NMSIM_TEST_ENV}")
nmsim_bad(release_time_rate "would be released past 2^62 ns"
          run ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/host-vale-rate.yaml
          --set trace.packets=20000 --set trace.rate_pps=1 --set trace.loops=1000000)

# A busy-polling kloop idle for an hour of simulated time skips its idle
# polls: seconds of wall time, the step-by-step figures (issue 17 item 7).
add_test(NAME sim.world.idle_poll_hour
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/idle_poll.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set_tests_properties(sim.world.idle_poll_hour PROPERTIES LABELS "sim;unit" TIMEOUT 60
                     ENVIRONMENT "${NMSIM_TEST_ENV}")

# Issue 14 item 8: this repo's own loopback captures (scripts/capture-loopback:
# tcpdump -i lo and -i any during iperf3 TCP/UDP and 9 KB pings) replay end to
# end through the embedded default and other datapaths: exit 0 with
# --strict, every packet accounted for, under 1% dropped.
add_test(NAME sim.world.captures
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/captures.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/traces
                 ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set_tests_properties(sim.world.captures PROPERTIES LABELS sim TIMEOUT 300
                     ENVIRONMENT "${NMSIM_TEST_ENV}")

# Issue 14 item 7: a trace is streamed; resident memory does not grow with
# it (3 M packets of the embedded default under 64 MB, about what 300 k
# take; 246 MB when the trace was loaded whole).  The plain binary: ASan's
# shadow would blur the figure.
add_test(NAME sim.world.trace_memory
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/trace_memory.sh $<TARGET_FILE:nmsim>)
set_tests_properties(sim.world.trace_memory PROPERTIES LABELS sim TIMEOUT 300)

# The RX kloop's release (core/csb_host.c, csb_host_waits_backend()):
# 3000-byte frames are 2-slot chains over a 16-slot ptnet pipe.  A receiver
# kloop that waited for its backend with kicks off whenever its ring had a
# free slot left the guest's releases unseen; the sender, needing 2 slots
# with 1 free, never sent again, so the pipe never woke that kloop: the run
# drained with 7 of 2000 frames sent.  Both runs must deliver all 2000.
add_test(NAME sim.world.ptnet_pipe_chains
         COMMAND bash -c "d=$(mktemp -d) && trap 'rm -rf $d' EXIT && python3 ${CMAKE_CURRENT_SOURCE_DIR}/tests/pcap_write.py $d/chains.pcap 3000 2000 0 && ${CMAKE_CURRENT_SOURCE_DIR}/tests/twice.sh $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/ptnet-pipe.yaml --trace $d/chains.pcap --set endpoints.tx.batch=4 --set endpoints.rx.batch=4 --set endpoints.tx.slots=16 --set endpoints.rx.slots=16")
set_tests_properties(sim.world.ptnet_pipe_chains PROPERTIES LABELS "sim;unit" TIMEOUT 120
                     ENVIRONMENT "${NMSIM_TEST_ENV}")

# rx_start: irq (docs/simulator.md, Datapaths): a CSB receiver whose first
# step is a wait for its first interrupt, relying on the CSB's initial
# appl_need_kick.  Correct code delivers everything (bug zoo case 11 is
# the same run with the initial flags cleared); only CSB receivers.
foreach(sc ptnet-pipe ptnet-vale xen-fast)
  add_test(NAME sim.world.rx_start_irq.${sc}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/twice.sh $<TARGET_FILE:${NMSIM_TEST_BIN}>
                   ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/${sc}.yaml --set trace.packets=20000
                   --set endpoints.rx.rx_start=irq)
  set_tests_properties(sim.world.rx_start_irq.${sc} PROPERTIES LABELS "sim;unit" TIMEOUT 120
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
endforeach()
nmsim_bad(rx_start_sender "endpoint tx: rx_start irq on a sender (expected rx_start: irq on a receiver only)"
          run ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/ptnet-pipe.yaml --set endpoints.tx.rx_start=irq)
nmsim_bad(rx_start_device "endpoint rx: rx_start applies to device ptnet or xen with fast_path only (this one is virtio)"
          run ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/virtio.yaml --set endpoints.rx.rx_start=irq)
nmsim_bad(rx_start_value "endpoints.rx_start: unknown value 'poll' (expected one of: sync, irq)"
          run ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/ptnet-pipe.yaml --set endpoints.rx.rx_start=poll)
