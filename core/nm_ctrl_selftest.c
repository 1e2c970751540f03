/*
 * nm_ctrl_selftest.c - vectors for the request rules, run in the kernel at
 * load (selftest=1) and in userspace by test_nm_ctrl.
 *
 * Owns: hand-written expectations for the pure functions the /dev/netmap
 * device decides with: body sizes per request type, option body sizes, the
 * kloop configuration rules (including defect D3: direct mode without
 * eventfds is refused) and VALE / pipe name routing.  Decoding itself needs
 * user memory and is covered by tests/test_nm_ctrl.c and the guest's
 * hostile client.
 */
#include "nm_ctrl.h"
#include "csb.h"
#include "nm_pipe.h"
#include "vale.h"

static void nm_ctrl_selftest_expect(struct nm_selftest_result *r, bool ok,
				    const char *what)
{
	if (ok) {
		r->passed++;
	} else {
		r->failed++;
		nm_os_log_info("selftest: ctrl: %s", what);
	}
}

struct nm_ctrl_kloop_vector {
	uint32_t tx, rx, sleep_us, direct;
	bool eventfds;
	int want;
};

static const struct nm_ctrl_kloop_vector nm_ctrl_kloop_vectors[] = {
	{ 1, 1, 0, 0, true, 0 },
	{ 1, 1, 1000000, 0, false, 0 },
	{ 1, 1, 1000001, 0, false, -EINVAL },	/* sleep_us bound */
	{ 0, 0, 0, 0, true, -EINVAL },		/* no rings */
	{ 1, 0, 0, CSB_DIRECT_TX, true, 0 },
	{ 1, 1, 0, CSB_DIRECT_TX, false, -EINVAL }, /* D3 */
	{ 1, 1, 0, CSB_DIRECT_RX, false, -EINVAL }, /* D3 */
	{ 1, 1, 0, 0x4, true, -EINVAL },	/* unknown bits */
};

void nm_ctrl_selftest(struct nm_selftest_result *r)
{
	static const int body[] = { -EINVAL, 56, 32, 64, 8, 8, 8, 8, 16, 0,
				    16, 16, 64, 8, 0, 0, -EINVAL };
	struct csb_kloop_cfg cfg;
	uint32_t i;

	for (i = 0; i < NM_ARRAY_SIZE(body); i++)
		nm_ctrl_selftest_expect(r, nm_ctrl_body_size(i) == body[i],
					"request body size");
	nm_ctrl_selftest_expect(r, nm_ctrl_body_size(0xffff) == -EINVAL,
				"request type 0xffff");
	nm_ctrl_selftest_expect(
		r, nm_ctrl_opt_body_size(NETMAP_REQ_OPT_CSB, 0) == 16, "CSB option");
	nm_ctrl_selftest_expect(
		r, nm_ctrl_opt_body_size(NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 999) == 8,
		"MODE option ignores nro_size");
	nm_ctrl_selftest_expect(
		r, nm_ctrl_opt_body_size(NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 40) == 16,
		"EVENTFDS option, 2 rings");
	nm_ctrl_selftest_expect(
		r, nm_ctrl_opt_body_size(NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 23) ==
			   -EMSGSIZE,
		"EVENTFDS option below its header");
	nm_ctrl_selftest_expect(
		r, nm_ctrl_opt_body_size(NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS,
					 ~0ULL) == -EMSGSIZE,
		"EVENTFDS option of 2^64 - 1 bytes");
	nm_ctrl_selftest_expect(r, nm_ctrl_opt_body_size(0, 100) == 0,
				"type 0 has no body");
	nm_ctrl_selftest_expect(r, nm_ctrl_opt_body_size(77, 100) == 0,
				"unknown types have no body");

	for (i = 0; i < NM_ARRAY_SIZE(nm_ctrl_kloop_vectors); i++) {
		const struct nm_ctrl_kloop_vector *v = &nm_ctrl_kloop_vectors[i];

		nm_os_memset(&cfg, 0, sizeof(cfg));
		cfg.num_tx_rings = v->tx;
		cfg.num_rx_rings = v->rx;
		cfg.sleep_us = v->sleep_us;
		cfg.direct = v->direct;
		cfg.eventfds = v->eventfds;
		nm_ctrl_selftest_expect(r, csb_kloop_cfg_validate(&cfg) == v->want,
					"kloop configuration");
	}

	nm_ctrl_selftest_expect(r, vale_name_is_vale("vale0:a"), "vale0:a is VALE");
	nm_ctrl_selftest_expect(r, !vale_name_is_vale("valx:a"),
				"valx:a is not VALE (D10)");
	nm_ctrl_selftest_expect(r, !vale_name_is_valid("vale0:"),
				"vale0: has no port");
	nm_ctrl_selftest_expect(r, nm_pipe_name_is_pipe("x{1") &&
					   nm_pipe_name_is_pipe("x}1"),
				"pipe names");
	nm_ctrl_selftest_expect(r, !nm_pipe_name_is_pipe("vale0:a"),
				"VALE names are not pipes");
}
