# Kernel-module area (#8): request decoding of the /dev/netmap device,
# compiled in userspace against the shim's "user memory".
nm_add_test(nm_ctrl SOURCES test_nm_ctrl.c LABELS unit)
# The legacy NIOCREGIF / NIOCGINFO of API 11-13 onto the same requests.
nm_add_test(nm_legacy SOURCES test_nm_legacy.c LABELS unit)
