# Kernel-module area (#8): request decoding of the /dev/netmap device,
# compiled in userspace against the shim's "user memory".
nm_add_test(nm_ctrl SOURCES test_nm_ctrl.c LABELS unit)
# The generic adapter's rings (#16): core/nm_nic.c with a fake device.
nm_add_test(nm_nic SOURCES test_nm_nic.c LABELS unit)
