# The zoo's cases (docs/bugzoo.md has each one's source, what went wrong and
# the mutant's diff).  One line per case:
#
#   nm_zoo_case(<case> MUTANT <explorer mutant> EXPLORE <explorer args>
#               [SIM <scenario> [SET path=value ...] INVARIANT <name>
#                [ACTOR <actor>]]
#               [SPIN <model.pml> <define>] [DRIVER <program>])
#
# Tests (label zoo):
#   zoo.<case>.model.caught   the explorer finds the mutant's counterexample
#   zoo.<case>.model.fixed    the same search without the mutant verifies
#   zoo.<case>.sim.caught     the scenario with the mutant stops on INVARIANT
#   zoo.<case>.sim.fixed      the scenario without it runs clean
#   zoo.<case>.spin.caught / .spin.fixed   the same with a SPIN model
#   DRIVER: zoo.<case>.sim.caught / .sim.fixed from a dedicated replay on
#   the simulator's engine (<program> --mutant M --expect violation|clean)
# The explorer runs at N = 2 slots, P = 3 packets (a wrap-around; every
# case is caught in well under a second, the fixed search takes up to 1.5 s);
# pan is compiled -O0 (compiling dominates such a small search).

set(NM_ZOO_BOUND --slots 2 --packets 3)
set(NM_ZOO_SPIN_CASES)

function(nm_zoo_case name)
  cmake_parse_arguments(Z "" "MUTANT;INVARIANT;ACTOR;DRIVER" "EXPLORE;SIM;SET;SPIN" ${ARGN})
  if(Z_EXPLORE)
    add_test(NAME zoo.${name}.model.caught
             COMMAND nm_explore_csb ${Z_EXPLORE} ${NM_ZOO_BOUND}
                     --mutant ${Z_MUTANT} --expect counterexample)
    add_test(NAME zoo.${name}.model.fixed
             COMMAND nm_explore_csb ${Z_EXPLORE} ${NM_ZOO_BOUND}
                     --mutant none --expect verified)
    set_tests_properties(zoo.${name}.model.caught zoo.${name}.model.fixed
                         PROPERTIES LABELS zoo TIMEOUT 120
                         ENVIRONMENT NM_LOG_QUIET=1)
  endif()
  if(Z_SIM)
    set(sets)
    foreach(s IN LISTS Z_SET)
      list(APPEND sets --set ${s})
    endforeach()
    set(who)
    if(Z_ACTOR)
      set(who --actor ${Z_ACTOR})
    endif()
    add_test(NAME zoo.${name}.sim.caught
             COMMAND nm_zoo_sim --scenario ${CMAKE_SOURCE_DIR}/${Z_SIM} ${sets}
                     --mutant ${Z_MUTANT} --expect violation
                     --invariant ${Z_INVARIANT} ${who})
    add_test(NAME zoo.${name}.sim.fixed
             COMMAND nm_zoo_sim --scenario ${CMAKE_SOURCE_DIR}/${Z_SIM} ${sets}
                     --mutant none --expect clean)
    set_tests_properties(zoo.${name}.sim.caught zoo.${name}.sim.fixed
                         PROPERTIES LABELS zoo TIMEOUT 120
                         ENVIRONMENT NM_LOG_QUIET=1)
  endif()
  if(Z_DRIVER)
    add_test(NAME zoo.${name}.sim.caught
             COMMAND ${Z_DRIVER} --mutant ${Z_MUTANT} --expect violation)
    add_test(NAME zoo.${name}.sim.fixed
             COMMAND ${Z_DRIVER} --mutant none --expect clean)
    set_tests_properties(zoo.${name}.sim.caught zoo.${name}.sim.fixed
                         PROPERTIES LABELS zoo TIMEOUT 120)
  endif()
  if(Z_SPIN)
    list(GET Z_SPIN 0 model)
    list(GET Z_SPIN 1 define)
    find_program(NM_ZOO_SPIN spin)
    if(NOT NM_ZOO_SPIN)
      message(WARNING "spin not found: zoo.${name}.spin.* not registered")
      return()
    endif()
    set(run ${CMAKE_SOURCE_DIR}/models/run-spin)
    set(m ${CMAKE_SOURCE_DIR}/models/${model})
    add_test(NAME zoo.${name}.spin.caught
             COMMAND ${run} --shortest --cc -O0 --expect counterexample ${m} ${define})
    add_test(NAME zoo.${name}.spin.fixed
             COMMAND ${run} --cc -O0 --expect verified ${m})
    set_tests_properties(zoo.${name}.spin.caught zoo.${name}.spin.fixed
                         PROPERTIES LABELS zoo TIMEOUT 120)
  endif()
endfunction()

set(tx_ev --ring tx --mode eventfd)
set(rx_ev --ring rx --mode eventfd)
# The simulator's weak-memory scenarios (docs/bugzoo.md, "Replays under
# weak memory"): the send side (fast, 8-slot pipe), the receive side
# (paced, the race on the receive ring only) and a VALE port (a send sync
# that reclaims the slots it takes); each case's seed was found with
# models/zoo/zoo-search and is fixed here.
set(weak models/zoo/ptnet-weak.yaml)
set(weak_rx models/zoo/ptnet-weak-rx.yaml)
set(weak_vale models/zoo/ptnet-weak-vale.yaml)
set(lost INVARIANT no_lost_notification)

# Missing full fence between publishing an index and reading the peer's
# notification flag (the Dekker pair's publish side).
nm_zoo_case(dpdk_vhost_missed_irq MUTANT no_pub_fence+host_only
            EXPLORE ${rx_ev} --mem tso
            SIM ${weak_rx} SET seed=18 ${lost} ACTOR rx)
nm_zoo_case(kvmtool_should_signal MUTANT wmb_for_mb
            EXPLORE ${rx_ev} --mem tso
            SIM ${weak_rx} SET seed=18 ${lost} ACTOR rx)
nm_zoo_case(spdk_vhost_suppressed MUTANT no_pub_fence+host_only
            EXPLORE --ring rx --mode busy --mem tso
            SIM ${weak_rx} SET seed=8 endpoints.rx.kloop=busy ${lost} ACTOR rx)
nm_zoo_case(netmap_d6_appl_kick MUTANT no_pub_fence+guest_only
            EXPLORE ${tx_ev} --mem tso
            SIM ${weak} SET seed=2 ${lost} ACTOR tx.kloop)
# Missing full fence between re-enabling notifications and the re-check.
nm_zoo_case(cloud_hypervisor_avail_event MUTANT no_enable_fence+host_only
            EXPLORE ${tx_ev} --mem tso
            SIM ${weak} SET seed=1 ${lost} ACTOR tx.kloop)
nm_zoo_case(bpf_ringbuf_seq_cst MUTANT no_enable_fence+guest_only
            EXPLORE ${rx_ev} --mem tso
            SIM ${weak_rx} SET seed=2 ${lost} ACTOR rx)
nm_zoo_case(qemu_vhost_user_unmask MUTANT no_enable_fence+guest_only
            EXPLORE ${tx_ev} --mem tso
            SIM ${weak} SET seed=6 ${lost} ACTOR tx)
# Interrupt lost at re-enable; kick suppressed while the peer goes to sleep.
nm_zoo_case(linux_virtio_net_rx_race MUTANT no_recheck+guest_only
            EXPLORE ${rx_ev} --mem sc
            SIM ${weak_rx} SET seed=1 sim.memory=sc ${lost} ACTOR rx)
nm_zoo_case(cloud_hypervisor_event_idx MUTANT irq_before_publish
            EXPLORE ${rx_ev} --mem sc
            SIM ${weak_rx} SET seed=14 ${lost} ACTOR rx)
nm_zoo_case(hns3_doorbell_first MUTANT kick_before_publish
            EXPLORE ${tx_ev} --mem sc
            SIM ${weak} SET seed=2 ${lost} ACTOR tx.kloop)
# The receiver starts asleep on the CSB's initial appl_need_kick (rx_start:
# irq); caught with every seed tried (1-40) under sc, tso and arm.
nm_zoo_case(virtio_pci_masked_start MUTANT bad_init_kick
            EXPLORE ${rx_ev} --mem sc
            SIM ${weak_rx} SET seed=1 endpoints.rx.rx_start=irq ${lost} ACTOR rx)
# Reading an index twice; an index pair seen half-published.
nm_zoo_case(xsa155_double_fetch MUTANT double_fetch
            EXPLORE ${tx_ev} --mem sc
            SIM ${weak_vale} SET seed=1 INVARIANT ring_index)
nm_zoo_case(freebsd_netfront_inconsistent MUTANT swap_publish+guest_only
            EXPLORE ${tx_ev} --mem sc
            SIM models/zoo/ptnet-small-ring.yaml INVARIANT ring_index)
# Index window off by one, and an index compared without its wrap.
nm_zoo_case(openvmm_full_ring_wrap MUTANT window_off_by_one
            EXPLORE ${tx_ev} --mem sc
            SIM models/zoo/ptnet-small-ring.yaml SET seed=1 INVARIANT ring_index)
nm_zoo_case(arcbox_u16_wrap MUTANT window_no_wrap
            EXPLORE ${tx_ev} --mem sc
            SIM sim/scenarios/ptnet-pipe.yaml SET trace.packets=2000
            INVARIANT ring_index)
# Weaker than TSO: only the ARM mode sees these.
nm_zoo_case(kvmtool_avail_rmb MUTANT no_ldld+host_only
            EXPLORE ${tx_ev} --mem arm
            SIM ${weak} SET seed=1 sim.memory=arm INVARIANT ring_index
            ACTOR tx.kloop)
nm_zoo_case(firecracker_avail_acquire MUTANT no_ldld+host_only
            EXPLORE ${rx_ev} --mem arm
            SIM ${weak_rx} SET seed=6 sim.memory=arm INVARIANT ring_index
            ACTOR rx.kloop)
nm_zoo_case(dpdk_packed_rmb MUTANT no_ldld+guest_only
            EXPLORE ${tx_ev} --mem arm
            SIM ${weak_vale} SET seed=7 sim.memory=arm INVARIANT ring_index)
nm_zoo_case(freebsd_buf_ring_release MUTANT plain_release+host_only
            EXPLORE ${tx_ev} --mem arm
            SIM ${weak_vale} SET seed=2 sim.memory=arm
            sim.store_visibility_ns=200 costs.shared_store_ps=100000
            INVARIANT ring_index)
# Stop/start race of the kernel loop (our module, commit 8cdc023).
nm_zoo_case(nmlab_kloop_stop_first MUTANT lost_stop DRIVER nm_zoo_kctl
            SPIN kloop_stop.pml -DMUT_LOST_STOP)
