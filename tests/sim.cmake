# Simulator units (issue 5).  Scenario runs (sim.<scenario>) and bad-input
# cases are registered by sim/CMakeLists.txt next to the nmsim binary.
nm_add_test(sim_engine SOURCES test_sim_engine.c BACKEND simcore LABELS unit
            GROUPS queue engine rng)
nm_add_test(sim_trace SOURCES test_sim_trace.c BACKEND simcore LABELS unit
            GROUPS gen io bad)
nm_add_test(sim_scenario SOURCES test_sim_scenario.c BACKEND simcore LABELS unit
            GROUPS parse bad override)
nm_add_test(sim_text SOURCES test_sim_text.c BACKEND simcore LABELS unit
            GROUPS show)
nm_add_test(sim_world SOURCES test_sim_world.c BACKEND simcore LABELS unit
            GROUPS run detect)
