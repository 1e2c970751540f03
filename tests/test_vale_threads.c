/*
 * test_vale_threads.c - VALE with real threads: N senders (1..4) into one
 * receiver port and one sender into four, while a broadcaster floods every
 * port and a churn thread attaches and detaches a port that receives those
 * broadcasts.  Every payload carries (sender, sequence).
 *
 * Oracles: per sender and receiver, sequences strictly increase (nothing
 * duplicated, order kept); received + counted drops == sent (nothing lost
 * silently), and the only drop reason is a full receiver ring.
 *
 * Groups: short (the default set and TSan: thousands of packets), long
 * (ctest -L stress: 100 million packets unicast plus the broadcasts).
 */
#include "vale_test.h"
#include "nm_shim.h"

#include <sched.h>

#define MAX_SEND 4
#define MAX_RECV 4
#define BCAST_ID 99U
#define CHURN_ID 98U
#define RECV_HOST(r) (200U + (r))
#define BATCH 32U

struct stress {
	struct nm_registry reg;
	uint32_t nsend, nrecv;
	uint64_t per_sender;
	volatile uint32_t stop;	 /* atomic: background threads end */
	volatile uint32_t quiet; /* atomic: every sending thread has ended */
};

struct sender {
	struct stress *st;
	struct nm_port *p;
	uint32_t id;
	uint64_t sent;
};

struct receiver {
	struct stress *st;
	struct nm_port *p;
	uint32_t id;
	struct nm_os_notifier wake;
	uint64_t got[MAX_SEND];
	int64_t last[MAX_SEND];
	int64_t last_bcast;
	uint64_t bcast_got, disorder, foreign;
	uint64_t empty; /* len 0: padding of a sender's short lease */
};

static void *sender_main(void *v)
{
	struct sender *s = v;
	struct netmap_ring *tx = vt_ring(s->p, NR_TX, 0);
	uint32_t seq[MAX_RECV] = { 0 }, r = 0;
	uint8_t dst[6];

	while (s->sent < s->st->per_sender) {
		uint32_t k = 0, space = vt_space(tx);

		while (k < BATCH && k < space && s->sent < s->st->per_sender) {
			struct netmap_slot *sl = &tx->slot[tx->head];

			vt_mac(dst, RECV_HOST(r));
			vt_frame(nm_ring_user_buf(tx, sl->buf_idx), dst, s->id, s->id,
				 seq[r]++);
			sl->len = 60;
			sl->flags = 0;
			tx->head = nm_idx_next(tx->head, tx->num_slots);
			r = r + 1 == s->st->nrecv ? 0 : r + 1;
			s->sent++;
			k++;
		}
		if (vt_sync(s->p, NR_TX, 0) != 0)
			abort();
		sched_yield(); /* let receivers run on a small machine */
	}
	return NULL;
}

static void receiver_take(struct receiver *rc, const uint8_t *buf, uint16_t len)
{
	struct vt_payload pl = vt_payload_of(buf);

	if (len == 0) {
		rc->empty++;
	} else if (len != 60) {
		rc->foreign++;
	} else if (pl.sender < rc->st->nsend) {
		if ((int64_t)pl.seq <= rc->last[pl.sender])
			rc->disorder++;
		rc->last[pl.sender] = pl.seq;
		rc->got[pl.sender]++;
	} else if (pl.sender == BCAST_ID) {
		if ((int64_t)pl.seq <= rc->last_bcast)
			rc->disorder++;
		rc->last_bcast = pl.seq;
		rc->bcast_got++;
	} else if (pl.sender != CHURN_ID) {
		rc->foreign++;
	}
}

static void *receiver_main(void *v)
{
	struct receiver *rc = v;
	struct netmap_ring *rx = vt_ring(rc->p, NR_RX, 0);

	for (;;) {
		/* Once every thread that sends has returned from its last
		 * sync, everything for us is in our ring: one more drain and we
		 * are done.  Not as soon as the senders return: a sender's
		 * sync can return with its frames still unpublished behind an
		 * older lease another thread (the broadcaster, the churn port)
		 * is still filling (core/vale_lease.h); that lease's done()
		 * publishes them later.  Acquire: pairs with the release store
		 * of quiet in run_stress(). */
		bool done = __atomic_load_n(&rc->st->quiet, __ATOMIC_ACQUIRE) != 0;
		uint32_t k;

		if (vt_sync(rc->p, NR_RX, 0) != 0)
			abort();
		k = vt_space(rx);
		if (k == 0 && !done) {
			nm_shim_notifier_wait(&rc->wake, 1);
			continue;
		}
		if (done && k == 0)
			break;
		while (k-- > 0) {
			struct netmap_slot *s = &rx->slot[rx->head];

			receiver_take(rc, nm_ring_user_buf(rx, s->buf_idx), s->len);
			rx->head = nm_idx_next(rx->head, rx->num_slots);
		}
		if (done) {
			if (vt_sync(rc->p, NR_RX, 0) != 0)
				abort();
			break;
		}
	}
	return NULL;
}

/* Floods every port until stopped; its frames exercise delivery into the
 * churn port while it is being detached. */
static void *broadcaster_main(void *v)
{
	struct stress *st = v;
	struct nm_port *p = vt_open(&st->reg, "valeS:bcast", 1, 256);
	struct netmap_ring *tx = vt_ring(p, NR_TX, 0);
	uint32_t seq = 0;

	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE)) {
		uint32_t k;

		for (k = 0; k < 4; k++) {
			struct netmap_slot *sl = &tx->slot[tx->head];

			vt_frame(nm_ring_user_buf(tx, sl->buf_idx), vt_bcast(),
				 BCAST_ID, BCAST_ID, seq++);
			sl->len = 60;
			tx->head = nm_idx_next(tx->head, tx->num_slots);
		}
		if (vt_sync(p, NR_TX, 0) != 0)
			abort();
		/* Keep our own RX ring drained (receivers' hellos). */
		vt_rx_drain(p, 0);
		sched_yield();
	}
	nm_port_close(p);
	return NULL;
}

/* Attaches and detaches a port over and over while traffic flows. */
static void *churn_main(void *v)
{
	struct stress *st = v;
	uint64_t rounds = 0;

	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE)) {
		struct nm_port *p = vt_open(&st->reg, "valeS:churn", 1, 64);

		vt_send(p, 0, vt_bcast(), CHURN_ID, CHURN_ID, (uint32_t)rounds, 60);
		if (vt_sync(p, NR_TX, 0) != 0)
			abort();
		sched_yield();
		nm_port_close(p);
		rounds++;
	}
	return (void *)(uintptr_t)rounds;
}

static void run_stress(uint32_t nsend, uint32_t nrecv, uint64_t per_sender)
{
	struct stress st;
	struct sender snd[MAX_SEND];
	struct receiver rcv[MAX_RECV];
	struct nm_os_kthread ts[MAX_SEND], tr[MAX_RECV], tb, tc;
	uint64_t total_got = 0, total_drops = 0, total_sent = 0;
	uint64_t total_pads = 0;
	char name[32];
	uint32_t i, r, reason;
	void *churn_rounds;

	/* The hosts must not collide in the bridge table, or unicast would
	 * flood and the accounting below would not hold. */
	{
		uint32_t hosts[] = { 0, 1, 2, 3, BCAST_ID, CHURN_ID, RECV_HOST(0),
				     RECV_HOST(1), RECV_HOST(2), RECV_HOST(3) };
		uint8_t ma[6], mb[6];
		uint32_t a, b;

		for (a = 0; a < NM_ARRAY_SIZE(hosts); a++)
			for (b = a + 1; b < NM_ARRAY_SIZE(hosts); b++) {
				vt_mac(ma, hosts[a]);
				vt_mac(mb, hosts[b]);
				assert_int_not_equal(vale_bridge_hash(ma),
						     vale_bridge_hash(mb));
			}
	}
	memset(&st, 0, sizeof(st));
	assert_int_equal(nm_registry_init(&st.reg), 0);
	st.nsend = nsend;
	st.nrecv = nrecv;
	st.per_sender = per_sender;
	memset(rcv, 0, sizeof(rcv));
	for (r = 0; r < nrecv; r++) {
		snprintf(name, sizeof(name), "valeS:r%u", r);
		rcv[r].st = &st;
		rcv[r].id = r;
		rcv[r].p = vt_open(&st.reg, name, 1, 1024);
		rcv[r].last_bcast = -1;
		for (i = 0; i < MAX_SEND; i++)
			rcv[r].last[i] = -1;
		assert_int_equal(nm_shim_notifier_init(&rcv[r].wake), 0);
		assert_int_equal(nm_port_set_notifier(rcv[r].p, NR_RX, 0, &rcv[r].wake), 0);
		/* Hello: the bridge learns where this receiver lives. */
		vt_send(rcv[r].p, 0, vt_bcast(), RECV_HOST(r), CHURN_ID, 0, 60);
		assert_int_equal(vt_sync(rcv[r].p, NR_TX, 0), 0);
	}
	for (i = 0; i < nsend; i++) {
		snprintf(name, sizeof(name), "valeS:s%u", i);
		snd[i].st = &st;
		snd[i].id = i;
		snd[i].sent = 0;
		snd[i].p = vt_open(&st.reg, name, 1, 1024);
	}
	assert_int_equal(nm_os_kthread_create(&tb, broadcaster_main, &st, "bcast"), 0);
	assert_int_equal(nm_os_kthread_create(&tc, churn_main, &st, "churn"), 0);
	for (r = 0; r < nrecv; r++)
		assert_int_equal(nm_os_kthread_create(&tr[r], receiver_main, &rcv[r], "rx"), 0);
	for (i = 0; i < nsend; i++)
		assert_int_equal(nm_os_kthread_create(&ts[i], sender_main, &snd[i], "tx"), 0);
	for (i = 0; i < nsend; i++)
		nm_os_kthread_join(&ts[i]);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELEASE);
	nm_os_kthread_join(&tb);
	churn_rounds = nm_os_kthread_join(&tc);
	/* Every lease is done (each sending thread's sync returned); the
	 * receivers' last drain sees all of it.  Release: pairs with the
	 * acquire load of quiet in receiver_main(). */
	__atomic_store_n(&st.quiet, 1, __ATOMIC_RELEASE);
	for (r = 0; r < nrecv; r++)
		nm_os_kthread_join(&tr[r]);

	for (i = 0; i < nsend; i++) {
		struct vale_port *v = vt_vale(snd[i].p);
		uint64_t got = 0, drops = vale_port_drops_total(v);

		for (r = 0; r < nrecv; r++)
			got += rcv[r].got[i];
		/* Nothing lost silently: each packet arrived or was counted. */
		assert_int_equal(got + drops, snd[i].sent);
		assert_int_equal(vale_port_drops(v, VALE_DROP_RX_FULL), drops);
		for (reason = 0; reason < VALE_DROP_NREASONS; reason++)
			if (reason != VALE_DROP_RX_FULL)
				assert_int_equal(vale_port_drops(v, reason), 0);
		total_got += got;
		total_drops += drops;
		total_sent += snd[i].sent;
	}
	for (r = 0; r < nrecv; r++) {
		assert_int_equal(rcv[r].disorder, 0);
		assert_int_equal(rcv[r].foreign, 0);
		/* Every empty packet is a counted pad (senders are done, so
		 * all of them were in the ring for the last drain). */
		assert_int_equal(rcv[r].empty, vale_port_rx_pads(vt_vale(rcv[r].p)));
		total_pads += rcv[r].empty;
	}
	assert_int_equal(total_sent, (uint64_t)nsend * per_sender);
	assert_true(total_got > 0);
	printf("[ STRESS   ] %u->%u: sent %llu received %llu dropped(full) %llu; padded %llu; broadcasts seen %llu; churn attach/detach %llu\n",
	       nsend, nrecv, (unsigned long long)total_sent,
	       (unsigned long long)total_got, (unsigned long long)total_drops,
	       (unsigned long long)total_pads,
	       (unsigned long long)rcv[0].bcast_got,
	       (unsigned long long)(uintptr_t)churn_rounds);

	for (i = 0; i < nsend; i++)
		nm_port_close(snd[i].p);
	for (r = 0; r < nrecv; r++) {
		assert_int_equal(nm_port_set_notifier(rcv[r].p, NR_RX, 0, NULL), 0);
		nm_port_close(rcv[r].p);
		nm_shim_notifier_fini(&rcv[r].wake);
	}
	nm_registry_fini(&st.reg);
}

static uint64_t scaled(uint64_t n)
{
	const char *env = getenv("NM_VALE_STRESS_SCALE");

	return env != NULL ? n * strtoull(env, NULL, 0) : n;
}

static void test_vale_threads_many_to_one(void **state)
{
	uint32_t n;

	(void)state;
	for (n = 1; n <= MAX_SEND; n++)
		run_stress(n, 1, scaled(20000));
}

static void test_vale_threads_one_to_many(void **state)
{
	(void)state;
	run_stress(1, MAX_RECV, scaled(40000));
}

/* 10+20+30+40 million from the many-to-one runs, 10 million one-to-many:
 * 110 million unicast packets. */
static void test_vale_threads_long_many_to_one(void **state)
{
	uint32_t n;

	(void)state;
	for (n = 1; n <= MAX_SEND; n++)
		run_stress(n, 1, 10000000);
}

static void test_vale_threads_long_one_to_many(void **state)
{
	(void)state;
	run_stress(1, MAX_RECV, 10000000);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest short_tests[] = {
		cmocka_unit_test(test_vale_threads_many_to_one),
		cmocka_unit_test(test_vale_threads_one_to_many),
	};
	const struct CMUnitTest long_tests[] = {
		cmocka_unit_test(test_vale_threads_long_many_to_one),
		cmocka_unit_test(test_vale_threads_long_one_to_many),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP_TAGGED("short", short_tests, "tsan"),
		NM_TEST_GROUP_TAGGED("long", long_tests, "stress"),
	};

	nm_shim_thread_register();
	return nm_test_main("vale_threads", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
