# Differential replay (issue 19): the same trace through the same topology
# in the simulator and in real threads over the shim delivers the same
# frames per port in the same per-flow order (tests/diff/).
add_executable(nm-pcap-digest diff/pcap_digest.c diff/frame_digest.c)
target_compile_options(nm-pcap-digest PRIVATE ${NM_WARNINGS})
target_link_libraries(nm-pcap-digest PRIVATE PkgConfig::PCAP)

add_executable(nm-gen-trace diff/gen_trace.c)
target_compile_options(nm-gen-trace PRIVATE ${NM_WARNINGS})

add_executable(nm-replay-shim diff/replay_shim.c diff/frame_digest.c)
target_compile_options(nm-replay-shim PRIVATE ${NM_WARNINGS})
target_include_directories(nm-replay-shim PRIVATE ${CMAKE_SOURCE_DIR}/shim)
target_link_libraries(nm-replay-shim PRIVATE nm_shim_plain PkgConfig::PCAP Threads::Threads)

foreach(kind vale pipe vale-csb pipe-csb)
  add_test(NAME diff.sim_shim.${kind}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/diff/sim_vs_shim.sh
                   $<TARGET_FILE:nmsim> $<TARGET_FILE:nm-replay-shim>
                   $<TARGET_FILE:nm-pcap-digest> $<TARGET_FILE:nm-gen-trace>
                   ${CMAKE_SOURCE_DIR}/sim/scenarios ${kind})
  set_tests_properties(diff.sim_shim.${kind} PROPERTIES LABELS "unit;diff" TIMEOUT 120)
endforeach()
