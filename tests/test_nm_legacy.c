/*
 * test_nm_legacy.c - NIOCREGIF / NIOCGINFO of API 11-13 translated onto
 * the NIOCCTRL requests (core/nm_legacy.c).
 *
 * Groups: translate (version bounds, the old nr_ringid bits to NR_REG_*
 * modes, the old pipe modes to name suffixes, poll flags, nr_cmd to
 * request types, names of all 16 bytes), results (what goes back into the
 * legacy fields, and -EOVERFLOW when it does not fit), user (copy-in and
 * copy-out through the shim's user memory: a faulting address is -EFAULT,
 * nothing is written back on failure).
 */
#include "nm_test.h"

#include "nm_legacy.h"
#include "nm_shim.h"

static struct nm_ctrl_req *req;

static struct nmreq_legacy legacy(const char *name, uint32_t version)
{
	struct nmreq_legacy l;

	memset(&l, 0, sizeof(l));
	strncpy(l.nr_name, name, sizeof(l.nr_name));
	l.nr_version = version;
	return l;
}

static struct nmreq_register *reg_body(void)
{
	return nm_ctrl_body(req);
}

static void test_nm_legacy_versions(void **state)
{
	struct nmreq_legacy l;
	uint32_t v;

	(void)state;
	for (v = 0; v < 20; v++) {
		l = legacy("vale0:a", v);
		assert_int_equal(nm_legacy_to_req(&l, NIOCREGIF, req),
				 v >= NM_LEGACY_MIN_API && v <= NETMAP_MAX_API ? 0 : -EINVAL);
	}
	l = legacy("vale0:a", 11);
	assert_int_equal(nm_legacy_to_req(&l, NIOCREGIF, req), 0);
	assert_int_equal(req->hdr.nr_reqtype, NETMAP_REQ_REGISTER);
	assert_int_equal(req->hdr.nr_version, NETMAP_MIN_API);
	assert_string_equal(req->hdr.nr_name, "vale0:a");
	assert_int_equal(req->body_len, sizeof(struct nmreq_register));
	assert_int_equal(req->nopts, 0);
}

static void test_nm_legacy_ringid_modes(void **state)
{
	static const struct {
		uint16_t ringid;
		uint32_t flags;
		uint32_t mode, ring;
		uint64_t extra;
	} c[] = {
		{ 0, 0, NR_REG_ALL_NIC, 0, 0 },
		{ NETMAP_SW_RING, 0, NR_REG_SW, 0, 0 },
		{ NETMAP_HW_RING | 3, 0, NR_REG_ONE_NIC, 3, 0 },
		{ NETMAP_HW_RING | NETMAP_NO_TX_POLL | 7, 0, NR_REG_ONE_NIC, 7, NR_NO_TX_POLL },
		{ NETMAP_DO_RX_POLL, 0, NR_REG_ALL_NIC, 0, NR_DO_RX_POLL },
		/* nr_flags' mode wins over the old bits; other flags pass. */
		{ NETMAP_SW_RING, NR_REG_NIC_SW, NR_REG_NIC_SW, 0, 0 },
		{ 2, NR_REG_ONE_NIC | NR_EXCLUSIVE, NR_REG_ONE_NIC, 2, NR_EXCLUSIVE },
		{ 0, NR_REG_NULL, NR_REG_NULL, 0, 0 },
	};
	struct nmreq_legacy l;
	size_t i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(c); i++) {
		l = legacy("vale0:a", 14);
		l.nr_ringid = c[i].ringid;
		l.nr_flags = c[i].flags;
		l.nr_tx_slots = 512;
		l.nr_rx_rings = 2;
		l.nr_arg2 = 5;
		l.nr_arg3 = 9;
		assert_int_equal(nm_legacy_to_req(&l, NIOCREGIF, req), 0);
		assert_int_equal(reg_body()->nr_mode, c[i].mode);
		assert_int_equal(reg_body()->nr_ringid, c[i].ring);
		assert_true(reg_body()->nr_flags == c[i].extra);
		assert_int_equal(reg_body()->nr_tx_slots, 512);
		assert_int_equal(reg_body()->nr_rx_rings, 2);
		assert_int_equal(reg_body()->nr_mem_id, 5);
		assert_int_equal(reg_body()->nr_extra_bufs, 9);
	}
}

static void test_nm_legacy_pipes_and_names(void **state)
{
	struct nmreq_legacy l;

	(void)state;
	l = legacy("nmcP", 14);
	l.nr_flags = NR_REG_PIPE_MASTER;
	l.nr_ringid = 12;
	assert_int_equal(nm_legacy_to_req(&l, NIOCREGIF, req), 0);
	assert_string_equal(req->hdr.nr_name, "nmcP{12");
	assert_int_equal(reg_body()->nr_mode, NR_REG_ALL_NIC);
	assert_int_equal(reg_body()->nr_ringid, 0);
	l.nr_flags = NR_REG_PIPE_SLAVE;
	l.nr_ringid = 0;
	assert_int_equal(nm_legacy_to_req(&l, NIOCREGIF, req), 0);
	assert_string_equal(req->hdr.nr_name, "nmcP}0");
	/* All 16 bytes used, no NUL: the header's name holds them all. */
	memcpy(l.nr_name, "vale1234:abcdefg", 16);
	l.nr_flags = 0;
	assert_int_equal(nm_legacy_to_req(&l, NIOCREGIF, req), 0);
	assert_string_equal(req->hdr.nr_name, "vale1234:abcdefg");
	l.nr_flags = NR_REG_PIPE_MASTER;
	l.nr_ringid = NETMAP_RING_MASK;
	assert_int_equal(nm_legacy_to_req(&l, NIOCREGIF, req), 0);
	assert_string_equal(req->hdr.nr_name, "vale1234:abcdefg{4095");
}

static void test_nm_legacy_commands(void **state)
{
	static const struct {
		uint32_t ioctl;
		uint16_t nr_cmd;
		uint16_t type; /* 0: refused */
	} c[] = {
		{ NIOCGINFO, 0, NETMAP_REQ_PORT_INFO_GET },
		{ NIOCGINFO, NETMAP_BDG_LIST, NETMAP_REQ_VALE_LIST },
		{ NIOCGINFO, NETMAP_VNET_HDR_GET, NETMAP_REQ_PORT_HDR_GET },
		{ NIOCGINFO, NETMAP_BDG_ATTACH, 0 },
		{ NIOCREGIF, 0, NETMAP_REQ_REGISTER },
		{ NIOCREGIF, NETMAP_BDG_ATTACH, NETMAP_REQ_VALE_ATTACH },
		{ NIOCREGIF, NETMAP_BDG_DETACH, NETMAP_REQ_VALE_DETACH },
		{ NIOCREGIF, NETMAP_BDG_NEWIF, NETMAP_REQ_VALE_NEWIF },
		{ NIOCREGIF, NETMAP_BDG_DELIF, NETMAP_REQ_VALE_DELIF },
		{ NIOCREGIF, NETMAP_BDG_VNET_HDR, NETMAP_REQ_PORT_HDR_SET },
		{ NIOCREGIF, 3 /* REGOPS: in-kernel callbacks */, 0 },
		{ NIOCREGIF, NETMAP_BDG_LIST, 0 },
		{ NIOCREGIF, 8 /* PT_HOST_CREATE */, 0 },
		{ NIOCREGIF, NETMAP_BDG_POLLING_ON, NETMAP_REQ_VALE_POLLING_ENABLE },
		{ NIOCREGIF, NETMAP_BDG_POLLING_OFF, NETMAP_REQ_VALE_POLLING_DISABLE },
		{ NIOCGINFO, NETMAP_BDG_POLLING_ON, 0 },
		{ NIOCREGIF, 0xffff, 0 },
	};
	struct nmreq_legacy l;
	size_t i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(c); i++) {
		l = legacy("vale0:eth0", 13);
		l.nr_cmd = c[i].nr_cmd;
		l.nr_arg1 = 1;
		l.nr_arg2 = 4;
		if (c[i].type == 0) {
			assert_int_equal(nm_legacy_to_req(&l, c[i].ioctl, req), -EINVAL);
			continue;
		}
		assert_int_equal(nm_legacy_to_req(&l, c[i].ioctl, req), 0);
		assert_int_equal(req->hdr.nr_reqtype, c[i].type);
		assert_string_equal(req->hdr.nr_name, "vale0:eth0");
		assert_int_equal(req->body_len, nm_ctrl_body_size(c[i].type));
		if (c[i].type == NETMAP_REQ_VALE_ATTACH)
			assert_int_equal(((struct nmreq_vale_attach *)nm_ctrl_body(req))->reg.nr_mode,
					 NR_REG_NIC_SW); /* nr_arg1 NETMAP_BDG_HOST */
		if (c[i].type == NETMAP_REQ_VALE_LIST) {
			assert_int_equal(((struct nmreq_vale_list *)nm_ctrl_body(req))->nr_bridge_idx, 1);
			assert_int_equal(((struct nmreq_vale_list *)nm_ctrl_body(req))->nr_port_idx, 4);
		}
		if (c[i].type == NETMAP_REQ_PORT_HDR_SET)
			assert_int_equal(((struct nmreq_port_hdr *)nm_ctrl_body(req))->nr_hdr_len, 1);
	}
}

/* NETMAP_BDG_POLLING_ON: the mode from nr_flags, the first CPU from the
 * ring id, the CPU count from nr_arg1, as the reference translates. */
static void test_nm_legacy_polling(void **state)
{
	static const struct {
		uint32_t reg_mode, want;
	} m[] = {
		{ NR_REG_ALL_NIC, NETMAP_POLLING_MODE_SINGLE_CPU },
		{ NR_REG_ONE_NIC, NETMAP_POLLING_MODE_MULTI_CPU },
		{ NR_REG_DEFAULT, 0 },
		{ NR_REG_SW, 0 },
	};
	struct nmreq_vale_polling *vp;
	struct nmreq_legacy l;
	size_t i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(m); i++) {
		l = legacy("vale0:eth0", 14);
		l.nr_cmd = NETMAP_BDG_POLLING_ON;
		l.nr_flags = m[i].reg_mode;
		l.nr_ringid = NETMAP_HW_RING | 3;
		l.nr_arg1 = 2;
		assert_int_equal(nm_legacy_to_req(&l, NIOCREGIF, req), 0);
		vp = nm_ctrl_body(req);
		assert_int_equal(vp->nr_mode, m[i].want);
		assert_int_equal(vp->nr_first_cpu_id, 3);
		assert_int_equal(vp->nr_num_polling_cpus, 2);
		assert_string_equal(req->hdr.nr_name, "vale0:eth0");
	}
}

static void test_nm_legacy_results(void **state)
{
	struct nmreq_legacy l = legacy("vale0:a", 14);
	struct nmreq_register *reg;
	struct nmreq_vale_list *vl;

	(void)state;
	assert_int_equal(nm_legacy_to_req(&l, NIOCREGIF, req), 0);
	reg = reg_body();
	reg->nr_offset = 4096;
	reg->nr_memsize = 1 << 20;
	reg->nr_tx_slots = 1024;
	reg->nr_rx_slots = 512;
	reg->nr_tx_rings = 1;
	reg->nr_rx_rings = 2;
	reg->nr_mem_id = 3;
	assert_int_equal(nm_legacy_from_req(req, &l), 0);
	assert_int_equal(l.nr_offset, 4096);
	assert_int_equal(l.nr_memsize, 1 << 20);
	assert_int_equal(l.nr_tx_slots, 1024);
	assert_int_equal(l.nr_rx_slots, 512);
	assert_int_equal(l.nr_rx_rings, 2);
	assert_int_equal(l.nr_arg2, 3);
	reg->nr_memsize = 1ULL << 32;
	assert_int_equal(nm_legacy_from_req(req, &l), -EOVERFLOW);

	l = legacy("", 14);
	l.nr_cmd = NETMAP_BDG_LIST;
	assert_int_equal(nm_legacy_to_req(&l, NIOCGINFO, req), 0);
	vl = nm_ctrl_body(req);
	vl->nr_bridge_idx = 2;
	vl->nr_port_idx = 7;
	snprintf(req->hdr.nr_name, sizeof(req->hdr.nr_name), "valeLONGNAME:port-of-many-letters");
	assert_int_equal(nm_legacy_from_req(req, &l), 0);
	assert_int_equal(l.nr_arg1, 2);
	assert_int_equal(l.nr_arg2, 7);
	assert_int_equal(l.nr_name[15], '\0');
	assert_memory_equal(l.nr_name, "valeLONGNAME:po", 15);
}

static void test_nm_legacy_user_memory(void **state)
{
	static uint8_t arena[4096] __attribute__((aligned(64)));
	struct nmreq_legacy *u = (struct nmreq_legacy *)arena, l;
	uint64_t ua = (uint64_t)(uintptr_t)u;

	(void)state;
	nm_shim_user_reset();
	assert_int_equal(nm_shim_user_add(arena, sizeof(arena)), 0);
	*u = legacy("vale0:a", 12);
	u->nr_ringid = NETMAP_HW_RING | 1;
	assert_int_equal(nm_legacy_decode(req, &l, NIOCREGIF, ua), 0);
	assert_int_equal(reg_body()->nr_mode, NR_REG_ONE_NIC);
	reg_body()->nr_memsize = 8192;
	/* A failed request writes nothing back. */
	assert_int_equal(nm_legacy_finish(req, &l, -EBUSY, ua), -EBUSY);
	assert_int_equal(u->nr_memsize, 0);
	assert_int_equal(nm_legacy_finish(req, &l, 0, ua), 0);
	assert_int_equal(u->nr_memsize, 8192);
	assert_int_equal(u->nr_ringid, NETMAP_HW_RING | 1);
	/* Faulting addresses, in and out (the last byte outside). */
	ua = (uint64_t)(uintptr_t)(arena + sizeof(arena) - sizeof(l) + 1);
	assert_int_equal(nm_legacy_decode(req, &l, NIOCREGIF, ua), -EFAULT);
	assert_int_equal(nm_legacy_finish(req, &l, 0, ua), -EFAULT);
	assert_int_equal(nm_legacy_decode(req, &l, NIOCREGIF, 0), -EFAULT);
	nm_shim_user_reset();
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest translate[] = {
		cmocka_unit_test(test_nm_legacy_versions),
		cmocka_unit_test(test_nm_legacy_ringid_modes),
		cmocka_unit_test(test_nm_legacy_pipes_and_names),
		cmocka_unit_test(test_nm_legacy_commands),
		cmocka_unit_test(test_nm_legacy_polling),
	};
	static const struct CMUnitTest results[] = {
		cmocka_unit_test(test_nm_legacy_results),
	};
	static const struct CMUnitTest user[] = {
		cmocka_unit_test(test_nm_legacy_user_memory),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("translate", translate),
		NM_TEST_GROUP("results", results),
		NM_TEST_GROUP("user", user),
	};
	int rc;

	req = malloc(sizeof(*req));
	if (req == NULL)
		return 1;
	rc = nm_test_main("nm_legacy", argc, argv, groups, NM_ARRAY_SIZE(groups));
	free(req);
	return rc;
}
