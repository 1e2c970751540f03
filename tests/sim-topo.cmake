# Simulator topologies (issue 5): links between switches, shared CPUs.
# Scenario runs and bad-input cases are registered by sim/CMakeLists.txt.
nm_add_test(sim_link SOURCES test_sim_link.c BACKEND simcore LABELS unit)
nm_add_test(sim_cpu SOURCES test_sim_cpu.c BACKEND simcore LABELS unit)
# Contention and scale (issue 12): lock classes, lease overlap, several
# senders over one link, switches of more than 16 ports.
nm_add_test(sim_contention SOURCES test_sim_contention.c BACKEND simcore LABELS unit)
