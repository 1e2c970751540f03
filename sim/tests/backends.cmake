# The VMM backends of e1000 and virtio (issue 18, items 2 and 4): a tap on
# a host bridge against a VALE port, the "more packets coming" hint and
# indirect buffers, each asserted in the published direction
# (backends.sh), and the combinations a run refuses (one line, status 2).
foreach(c tap tapfull hint indirect)
  add_test(NAME sim.backends.${c}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/backends.sh
                   $<TARGET_FILE:${NMSIM_TEST_BIN}> ${CMAKE_CURRENT_SOURCE_DIR}/scenarios ${c})
  set_tests_properties(sim.backends.${c} PROPERTIES LABELS "sim;unit" TIMEOUT 300
                       ENVIRONMENT "${NMSIM_TEST_ENV}")
endforeach()

# The guest's stock receive stack (rx_stack: napi) above a tap backend,
# the usual Linux guest behind vhost-net and a tap: the stack sits above
# the virtio ring whichever backend fills it, so the pair runs clean under
# both models, same fingerprint twice, and with napi_yield too (the excess
# then drops at the tap's queue instead of the socket's).
foreach(c "napi|" "napi_yield|--set endpoints.rx.napi_yield=true")
  string(REPLACE "|" ";" parts "${c}")
  list(GET parts 0 name)
  list(GET parts 1 extra)
  separate_arguments(extra UNIX_COMMAND "${extra}")
  foreach(m step concurrent)
    add_test(NAME sim.backends.tap_${name}.${m}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/twice.sh
                     $<TARGET_FILE:${NMSIM_TEST_BIN}>
                     ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/virtio-tap.yaml
                     --set endpoints.rx.rx_stack=napi ${extra} --set sim.model=${m})
    set_tests_properties(sim.backends.tap_${name}.${m} PROPERTIES LABELS "sim;unit" TIMEOUT 120
                         ENVIRONMENT "${NMSIM_TEST_ENV}")
  endforeach()
endforeach()

set(NM_BACKENDS_S ${CMAKE_CURRENT_SOURCE_DIR}/scenarios)
set(NM_BACKENDS_B ${CMAKE_CURRENT_SOURCE_DIR}/tests/bad)
nmsim_bad(backend_mixed
          "virtio.yaml:18: switch sw0: endpoint tx uses backend tap and endpoint rx does not"
          run ${NM_BACKENDS_S}/virtio.yaml --set endpoints.tx.backend=tap)
nmsim_bad(backend_tap_indirect
          "virtio-tap.yaml:13: endpoint tx: indirect needs backend netmap"
          run ${NM_BACKENDS_S}/virtio-tap.yaml --set endpoints.tx.indirect=true)
nmsim_bad(backend_tap_more_hint
          "e1000-tap.yaml:13: endpoint tx: more_hint needs backend netmap"
          check ${NM_BACKENDS_S}/e1000-tap.yaml --set endpoints.tx.more_hint=true)
nmsim_bad(backend_hint_indirect_combining
          "endpoint tx: indirect with more_hint and send_combining (expected at most two of them"
          run ${NM_BACKENDS_S}/e1000-more-hint.yaml --set endpoints.tx.indirect=true
              --set endpoints.tx.send_combining=true)
nmsim_bad(backend_tap_pipe
          "tap-pipe.yaml:1: switch p: endpoint a uses backend tap on a pipe (expected type: vale"
          run ${NM_BACKENDS_B}/tap-pipe.yaml)
nmsim_bad(backend_tap_link
          "tap-link.yaml:1: switch a: endpoint tx uses backend tap and 1 link ports reach the switch"
          run ${NM_BACKENDS_B}/tap-link.yaml)
nmsim_bad(backend_unknown
          "endpoints.backend: unknown value 'vde' (expected one of: netmap, tap)"
          run ${NM_BACKENDS_S}/e1000.yaml --set endpoints.tx.backend=vde)
nmsim_bad(backend_txqueuelen_zero
          "endpoints.txqueuelen: '0' is out of range (expected an integer in [1, 65536])"
          run ${NM_BACKENDS_S}/e1000-tap.yaml --set endpoints.rx.txqueuelen=0)
nmsim_bad(backend_on_ptnet
          "endpoint tx: backend applies to device e1000 or virtio only (this one is ptnet)"
          run ${NM_BACKENDS_S}/ptnet-vale.yaml --set endpoints.tx.backend=tap)
