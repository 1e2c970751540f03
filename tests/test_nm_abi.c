/*
 * test_nm_abi.c - the netmap API 14 layout and constants.
 *
 * nm_abi.h pins every size and offset with compile-time asserts; this test
 * restates them at run time from an independent table (so a wrong assert
 * cannot agree with a wrong layout) and checks the flag and ioctl values
 * netmap applications are compiled with.
 */
#include "nm_test.h"

#include "nm_abi.h"

#define FIELD(type, field, off, size)                                          \
	{ #type "." #field, offsetof(struct type, field), off,                 \
	  sizeof(((struct type *)0)->field), size }

static void test_nm_abi_field_offsets(void **state)
{
	static const struct {
		const char *name;
		size_t off, want_off, size, want_size;
	} fields[] = {
		FIELD(netmap_slot, buf_idx, 0, 4), FIELD(netmap_slot, len, 4, 2),
		FIELD(netmap_slot, flags, 6, 2), FIELD(netmap_slot, ptr, 8, 8),
		FIELD(netmap_ring, buf_ofs, 0, 8),
		FIELD(netmap_ring, num_slots, 8, 4),
		FIELD(netmap_ring, nr_buf_size, 12, 4),
		FIELD(netmap_ring, ringid, 16, 2), FIELD(netmap_ring, dir, 18, 2),
		FIELD(netmap_ring, head, 20, 4), FIELD(netmap_ring, cur, 24, 4),
		FIELD(netmap_ring, tail, 28, 4), FIELD(netmap_ring, flags, 32, 4),
		FIELD(netmap_ring, ts, 40, 16),
		FIELD(netmap_ring, offset_mask, 56, 8),
		FIELD(netmap_ring, buf_align, 64, 8),
		FIELD(netmap_ring, sem, 128, 128),
		FIELD(netmap_if, ni_name, 0, 16),
		FIELD(netmap_if, ni_version, 16, 4),
		FIELD(netmap_if, ni_tx_rings, 24, 4),
		FIELD(netmap_if, ni_bufs_head, 32, 4),
		FIELD(netmap_if, ni_host_rx_rings, 40, 4),
		FIELD(netmap_if, ni_spare1, 44, 12),
		FIELD(nmreq_header, nr_version, 0, 2),
		FIELD(nmreq_header, nr_reqtype, 2, 2),
		FIELD(nmreq_header, nr_reserved, 4, 4),
		FIELD(nmreq_header, nr_name, 8, 64),
		FIELD(nmreq_header, nr_options, 72, 8),
		FIELD(nmreq_header, nr_body, 80, 8),
		FIELD(nmreq_register, nr_offset, 0, 8),
		FIELD(nmreq_register, nr_memsize, 8, 8),
		FIELD(nmreq_register, nr_tx_slots, 16, 4),
		FIELD(nmreq_register, nr_rx_slots, 20, 4),
		FIELD(nmreq_register, nr_tx_rings, 24, 2),
		FIELD(nmreq_register, nr_rx_rings, 26, 2),
		FIELD(nmreq_register, nr_host_tx_rings, 28, 2),
		FIELD(nmreq_register, nr_host_rx_rings, 30, 2),
		FIELD(nmreq_register, nr_mem_id, 32, 2),
		FIELD(nmreq_register, nr_ringid, 34, 2),
		FIELD(nmreq_register, nr_mode, 36, 4),
		FIELD(nmreq_register, nr_extra_bufs, 40, 4),
		FIELD(nmreq_register, nr_flags, 48, 8),
		FIELD(nmreq_option, nro_next, 0, 8),
		FIELD(nmreq_option, nro_reqtype, 8, 4),
		FIELD(nmreq_option, nro_status, 12, 4),
		FIELD(nmreq_option, nro_size, 16, 8),
		FIELD(nm_csb_atok, head, 0, 4), FIELD(nm_csb_atok, cur, 4, 4),
		FIELD(nm_csb_atok, appl_need_kick, 8, 4),
		FIELD(nm_csb_atok, sync_flags, 12, 4),
		FIELD(nm_csb_ktoa, hwcur, 0, 4), FIELD(nm_csb_ktoa, hwtail, 4, 4),
		FIELD(nm_csb_ktoa, kern_need_kick, 8, 4),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].off != fields[i].want_off ||
		    fields[i].size != fields[i].want_size)
			fail_msg("%s at %zu size %zu, want %zu size %zu",
				 fields[i].name, fields[i].off, fields[i].size,
				 fields[i].want_off, fields[i].want_size);
	}
}

static void test_nm_abi_struct_sizes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct netmap_slot), 16);
	assert_int_equal(sizeof(struct netmap_ring), 256);
	assert_int_equal(offsetof(struct netmap_ring, slot), 256);
	assert_int_equal(sizeof(struct netmap_if), 56);
	assert_int_equal(offsetof(struct netmap_if, ring_ofs), 56);
	assert_int_equal(sizeof(struct nmreq_header), 88);
	assert_int_equal(sizeof(struct nmreq_register), 56);
	assert_int_equal(sizeof(struct nmreq_option), 24);
	assert_int_equal(sizeof(struct nm_csb_atok), 64);
	assert_int_equal(sizeof(struct nm_csb_ktoa), 64);
	assert_int_equal(_Alignof(struct nm_csb_atok), 64);
}

static void test_nm_abi_ioctl_numbers(void **state)
{
	(void)state;
	assert_int_equal(NIOCCTRL, 0xc0586997U);
	assert_int_equal(NIOCTXSYNC, 0x6994U);
	assert_int_equal(NIOCRXSYNC, 0x6995U);
	assert_int_equal(NIOCGINFO, 0xc03c6991U);
	assert_int_equal(NIOCREGIF, 0xc03c6992U);
}

static void test_nm_abi_flag_values(void **state)
{
	struct netmap_slot s = { 0, 0, (uint16_t)((63 << 8) | NS_MOREFRAG), 0 };

	(void)state;
	assert_int_equal(NS_BUF_CHANGED, 0x1);
	assert_int_equal(NS_REPORT, 0x2);
	assert_int_equal(NS_FORWARD, 0x4);
	assert_int_equal(NS_NO_LEARN, 0x8);
	assert_int_equal(NS_INDIRECT, 0x10);
	assert_int_equal(NS_MOREFRAG, 0x20);
	assert_int_equal(NS_TXMON, 0x40);
	assert_int_equal(NS_PORT_MASK, 0xff00);
	assert_int_equal(NS_RFRAGS(&s), 63);
	assert_int_equal(NR_TIMESTAMP, 0x2);
	assert_int_equal(NR_FORWARD, 0x4);
	assert_int_equal(NR_EXCLUSIVE, 0x800);
	assert_int_equal(NR_NO_TX_POLL, 0x20000);
	assert_int_equal(NR_REG_ONE_SW, 8);
	assert_int_equal(NETMAP_REQ_CSB_ENABLE, 15);
	assert_int_equal(NETMAP_REQ_OPT_MAX, 6);
	assert_int_equal(NETMAP_REQ_MAXSIZE, 4096);
	assert_int_equal(NETMAP_API, 14);
	assert_int_equal(NAF_FORCE_RECLAIM, 2);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest layout[] = {
		cmocka_unit_test(test_nm_abi_field_offsets),
		cmocka_unit_test(test_nm_abi_struct_sizes),
	};
	static const struct CMUnitTest constants[] = {
		cmocka_unit_test(test_nm_abi_ioctl_numbers),
		cmocka_unit_test(test_nm_abi_flag_values),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("layout", layout),
		NM_TEST_GROUP("constants", constants),
	};

	return nm_test_main("nm_abi", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
