# Kernel-module area (#8): request decoding of the /dev/netmap device,
# compiled in userspace against the shim's "user memory".
nm_add_test(nm_ctrl SOURCES test_nm_ctrl.c LABELS unit)
