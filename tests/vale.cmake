# VALE switch and netmap pipes (issue #3).  Paths are relative to tests/.
nm_add_test(vale_lease SOURCES test_vale_lease.c LABELS unit
            GROUPS lease property)
nm_add_test(vale_switch SOURCES test_vale_switch.c LABELS unit
            GROUPS names ports limits view)
nm_add_test(vale_fwd SOURCES test_vale_fwd.c LABELS unit
            GROUPS bridge lookup full frags hostile attach notify)
