/*
 * test_vale_kport.c - the kernel as the application of a VALE port
 * (core/vale_kport.c): frames sent into the switch reach an ordinary
 * port; frames the switch delivers are drained in order, chains whole.
 *
 * Groups: send, drain, threads (two senders at once, as two CPUs'
 * receive paths; also under TSan).
 */
#include "vale_test.h"
#include "vale_kport.h"
#include "nm_shim.h"

struct sink {
	uint32_t frames, last_len, last_nf;
	uint8_t last[8192];
	int ret;
};

static int sink_out(void *priv, const struct nm_nic_frag *f, uint32_t nf,
		    uint32_t len)
{
	struct sink *s = priv;
	uint32_t i, off = 0;

	for (i = 0; i < nf; i++) {
		memcpy(s->last + off, f[i].buf, f[i].len);
		off += f[i].len;
	}
	assert_int_equal(off, len);
	s->frames++;
	s->last_len = len;
	s->last_nf = nf;
	return s->ret;
}

static void copy_bytes(void *dst, uint32_t off, uint32_t len, const void *ctx)
{
	memcpy(dst, (const uint8_t *)ctx + off, len);
}

struct env {
	struct nm_registry reg;
	struct nm_port *k, *app;
	struct vale_kport kp;
};

static struct env *env_new(uint32_t slots)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(nm_registry_init(&e->reg), 0);
	e->k = vt_open(&e->reg, "vale0:eth0", 1, slots);
	e->app = vt_open(&e->reg, "vale0:app", 1, slots);
	assert_int_equal(vale_kport_init(&e->kp, vt_vale(e->k)), 0);
	return e;
}

static void env_free(struct env *e)
{
	vale_kport_fini(&e->kp);
	nm_port_close(e->app);
	nm_port_close(e->k);
	nm_registry_fini(&e->reg);
	free(e);
}

static void test_vale_kport_send_reaches_port(void **state)
{
	struct env *e = env_new(64);
	uint8_t frame[3000];
	struct netmap_ring *rx = vt_ring(e->app, NR_RX, 0);
	uint32_t i;

	(void)state;
	for (i = 0; i < 100; i++) {
		memset(frame, 0, sizeof(frame));
		vt_frame(frame, vt_bcast(), 1, 0, i);
		assert_int_equal(vale_kport_send(&e->kp, 60, copy_bytes, frame), 0);
		assert_int_equal(vt_rx_ready(e->app, 0), 1);
		assert_int_equal(vt_payload_of(nm_ring_user_buf(rx, rx->slot[rx->head].buf_idx)).seq, i);
		assert_int_equal(vt_rx_drain(e->app, 0), 1);
	}
	/* A frame longer than a buffer goes as a chain. */
	vt_frame(frame, vt_bcast(), 1, 0, 7);
	assert_int_equal(vale_kport_send(&e->kp, 3000, copy_bytes, frame), 0);
	assert_int_equal(vt_rx_ready(e->app, 0), 2);
	assert_int_equal(vale_kport_send(&e->kp, 0, copy_bytes, frame), -EMSGSIZE);
	assert_int_equal(nm_os_counter_read(&e->kp.sent), 101);
	env_free(e);
}

static void test_vale_kport_drain_in_order(void **state)
{
	struct env *e = env_new(64);
	struct sink s = { 0 };
	uint8_t frame[2048];
	uint32_t i;

	(void)state;
	for (i = 0; i < 40; i++) {
		memset(frame, 0, sizeof(frame));
		vt_frame(frame, vt_bcast(), 2, 0, i);
		vt_put(vt_ring(e->app, NR_TX, 0), frame, 60, 0);
	}
	/* One packet of two slots. */
	vt_put(vt_ring(e->app, NR_TX, 0), frame, 2048, NS_MOREFRAG);
	vt_put(vt_ring(e->app, NR_TX, 0), frame, 100, 0);
	assert_int_equal(vt_sync(e->app, NR_TX, 0), 0);
	assert_int_equal(vale_kport_drain(&e->kp, sink_out, &s), 41);
	assert_int_equal(s.frames, 41);
	assert_int_equal(s.last_nf, 2);
	assert_int_equal(s.last_len, 2148);
	assert_int_equal(vale_kport_drain(&e->kp, sink_out, &s), 0);
	/* Everything was released: the ring takes a full load again. */
	for (i = 0; i < 63; i++)
		vt_send(e->app, 0, vt_bcast(), 2, 0, i, 60);
	assert_int_equal(vt_sync(e->app, NR_TX, 0), 0);
	s.ret = -EAGAIN; /* refused frames are dropped and counted, not kept */
	assert_int_equal(vale_kport_drain(&e->kp, sink_out, &s), 63);
	assert_int_equal(nm_os_counter_read(&e->kp.dropped), 63);
	env_free(e);
}

#define KP_THREAD_FRAMES 20000U

struct kp_sender {
	struct env *e;
	uint32_t id, ok;
};

static void *kp_sender_run(void *arg)
{
	struct kp_sender *s = arg;
	uint8_t frame[64];
	uint32_t i;

	for (i = 0; i < KP_THREAD_FRAMES; i++) {
		memset(frame, 0, sizeof(frame));
		vt_frame(frame, vt_bcast(), 10 + s->id, s->id, i);
		if (vale_kport_send(&s->e->kp, 60, copy_bytes, frame) == 0)
			s->ok++;
	}
	return NULL;
}

static void test_vale_kport_concurrent_senders(void **state)
{
	struct env *e = env_new(256);
	struct kp_sender s[2] = { { e, 0, 0 }, { e, 1, 0 } };
	struct nm_os_kthread t[2];
	struct nm_kring *kr = nm_port_kring(e->k, NR_TX, 0);
	uint32_t i;

	(void)state;
	for (i = 0; i < 2; i++)
		assert_int_equal(nm_os_kthread_create(&t[i], kp_sender_run, &s[i],
						      "kp"), 0);
	for (i = 0; i < 2; i++)
		nm_os_kthread_join(&t[i]);
	/* Every send ran its own sync (the gate serialised them): nothing
	 * lost on the kport's side, the kring consistent. */
	assert_int_equal(s[0].ok + s[1].ok, 2 * KP_THREAD_FRAMES);
	assert_int_equal(nm_os_counter_read(&e->kp.sent), 2 * KP_THREAD_FRAMES);
	assert_true(nm_kring_valid(kr));
	assert_int_equal(kr->hwcur, kr->rhead);
	env_free(e);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest send[] = {
		cmocka_unit_test(test_vale_kport_send_reaches_port),
	};
	const struct CMUnitTest drain[] = {
		cmocka_unit_test(test_vale_kport_drain_in_order),
	};
	const struct CMUnitTest threads[] = {
		cmocka_unit_test(test_vale_kport_concurrent_senders),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("send", send),
		NM_TEST_GROUP("drain", drain),
		NM_TEST_GROUP_TAGGED("threads", threads, "tsan"),
	};

	nm_shim_thread_register();
	return nm_test_main("vale_kport", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
