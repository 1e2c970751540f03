# Issue 14 item 6: ptnet guests with virtio-net headers and offloads
# replaying the checked-in TCP capture (GSO super-frames): whole between
# two offload-capable guests, segmented by the switch for a guest without
# offloads; the receivers' pcaps checked independently (offload.sh).
add_test(NAME sim.offload_pcap
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/offload.sh
                 $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios
                 ${CMAKE_CURRENT_SOURCE_DIR}/traces)
set_tests_properties(sim.offload_pcap PROPERTIES LABELS sim TIMEOUT 300
                     ENVIRONMENT "${NMSIM_TEST_ENV}")

# Bad offload keys: one line, exit status 2 (docs/simulator.md, "Offloads").
set(S ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
nmsim_bad(offload_device "endpoint rx: vnet_hdr applies to device ptnet or virtio only (this one is e1000)"
          run ${S}/e1000.yaml --set endpoints.rx.vnet_hdr=10)
nmsim_bad(offload_no_header "endpoint rx: offloads csum without a virtio-net header (expected vnet_hdr: 10 or 12)"
          run ${S}/ptnet-vale.yaml --set endpoints.rx.offloads=csum)
nmsim_bad(offload_tso_without_csum "endpoint tx: offloads tso4 without csum"
          run ${S}/ptnet-offload.yaml --set endpoints.tx.offloads=tso4)
nmsim_bad(offload_pipe "vnet_hdr 10 on pipe"
          run ${S}/ptnet-pipe.yaml --set endpoints.rx.vnet_hdr=10)
nmsim_bad(offload_receiver_lacks "endpoint rx: sender tx's offloads include tso4+tso6, which it lacks"
          run ${S}/ptnet-offload.yaml --set endpoints.rx.offloads=csum)
nmsim_bad(offload_flags "endpoints.offloads: 'csum+gro' is not a set of offloads"
          run ${S}/ptnet-offload.yaml --set endpoints.tx.offloads=csum+gro)
nmsim_bad(offload_mtu "endpoints.mtu: '67' is out of range"
          run ${S}/ptnet-offload.yaml --set endpoints.tx.mtu=67)
nmsim_bad(offload_tap_backend "endpoint tx: vnet_hdr 10 with backend tap (expected backend netmap"
          run ${S}/virtio-offload.yaml --set endpoints.tx.backend=tap
          --set endpoints.rx.backend=tap)

# A virtio receiver with a header under the stock receive stack (rx_stack:
# napi): GSO frames come whole, and the socket queue holds them behind
# their header (docs/simulator.md, "Offloads").  A receiver without a
# header gathers a GSO sender's segments: only the yielding poll may run
# there (the switch then drops what does not fit, whole packets); without
# napi_yield the reader refuses it.
add_test(NAME sim.offload_napi
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/twice.sh $<TARGET_FILE:${NMSIM_TEST_BIN}>
                 ${S}/virtio-offload.yaml --set endpoints.rx.rx_stack=napi
                 --set endpoints.rx.sockq_packets=64 --set trace.mode=rate
                 --set trace.rate_pps=200000)
add_test(NAME sim.offload_napi_yield_seg
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/twice.sh $<TARGET_FILE:${NMSIM_TEST_BIN}>
                 ${S}/virtio-offload-seg.yaml --set endpoints.rx.rx_stack=napi
                 --set endpoints.rx.napi_yield=true --set endpoints.rx.sockq_packets=64
                 --set endpoints.rx.slots=128)
set_tests_properties(sim.offload_napi sim.offload_napi_yield_seg PROPERTIES LABELS sim
                     TIMEOUT 300 ENVIRONMENT "${NMSIM_TEST_ENV}")
nmsim_bad(offload_napi_segments "endpoint rx: rx_stack napi without a virtio-net header gets sender tx's GSO frames as segments (expected vnet_hdr: 10 or 12, or napi_yield: true"
          run ${S}/virtio-offload-seg.yaml --set endpoints.rx.rx_stack=napi
          --set endpoints.rx.sockq_packets=64)

# Monitors of a receiver that gathers segments see the segments, a frame
# each: the end-of-run check counts the frames the receiver took, not its
# packets.  Step model only: under the concurrent model a monitored host
# receiver's own sync can find its kring held by a forwarder's
# notification (nm_kring_tap_arrivals()) and fails with -EBUSY, a
# limitation of the monitors on main that this scenario does not add.
add_test(NAME sim.offload_monitor
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/twice.sh $<TARGET_FILE:${NMSIM_TEST_BIN}>
                 ${CMAKE_CURRENT_SOURCE_DIR}/tests/data/offload-monitor.yaml
                 --set sim.model=step)
set_tests_properties(sim.offload_monitor PROPERTIES LABELS sim TIMEOUT 300
                     ENVIRONMENT "${NMSIM_TEST_ENV}")
