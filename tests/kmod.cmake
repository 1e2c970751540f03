# Kernel-module area (#8): request decoding of the /dev/netmap device,
# compiled in userspace against the shim's "user memory".
nm_add_test(nm_ctrl SOURCES test_nm_ctrl.c LABELS unit)
# Region ids (nr_mem_id) and NR_REG_NULL's rules (#16).
nm_add_test(nm_memid SOURCES test_nm_memid.c LABELS unit)
# The legacy NIOCREGIF / NIOCGINFO of API 11-13 onto the same requests.
nm_add_test(nm_legacy SOURCES test_nm_legacy.c LABELS unit)
# The generic adapter's rings (#16): core/nm_nic.c with a fake device.
nm_add_test(nm_nic SOURCES test_nm_nic.c LABELS unit)
# A VALE port driven by the kernel (a NIC attached to a switch, #16).
nm_add_test(vale_kport SOURCES test_vale_kport.c LABELS unit)
# Polling an attached interface: the plan and the pass (#16).
nm_add_test(vale_poll SOURCES test_vale_poll.c LABELS unit)
