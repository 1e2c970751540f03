/*
 * vale_test.h - what the VALE and pipe tests share: an application's view
 * of a port (fill TX slots, sync, drain RX slots) and Ethernet frames that
 * carry (sender, sequence) so that receivers can check order and loss.
 */
#ifndef VALE_TEST_H
#define VALE_TEST_H

#include "nm_test.h"

#include "nm_pipe.h"
#include "nm_port.h"
#include "nm_ring_user.h"
#include "vale.h"
#include "vale_lease.h"

#define VT_HDR 14U

struct vt_payload {
	uint32_t sender;
	uint32_t seq;
};

static inline void vt_mac(uint8_t *mac, uint32_t id)
{
	mac[0] = 0x02; /* locally administered unicast */
	mac[1] = 0;
	mac[2] = 0;
	mac[3] = (uint8_t)(id >> 16);
	mac[4] = (uint8_t)(id >> 8);
	mac[5] = (uint8_t)id;
}

static inline const uint8_t *vt_bcast(void)
{
	static const uint8_t b[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return b;
}

/* A frame to dst (6 bytes) from host `src`, payload (sender, seq). */
static inline void vt_frame(uint8_t *buf, const uint8_t *dst, uint32_t src,
			    uint32_t sender, uint32_t seq)
{
	struct vt_payload pl = { sender, seq };

	memcpy(buf, dst, 6);
	vt_mac(buf + 6, src);
	buf[12] = 0x08;
	buf[13] = 0x00;
	memcpy(buf + VT_HDR, &pl, sizeof(pl));
}

static inline struct vt_payload vt_payload_of(const uint8_t *buf)
{
	struct vt_payload pl;

	memcpy(&pl, buf + VT_HDR, sizeof(pl));
	return pl;
}

static inline struct netmap_ring *vt_ring(struct nm_port *p, uint32_t dir,
					  uint32_t i)
{
	struct nm_kring *kr = nm_port_kring(p, dir, i);

	assert_non_null(kr);
	return kr->ring;
}

/* Free TX slots (or pending RX slots) as the application sees them. */
static inline uint32_t vt_space(struct netmap_ring *r)
{
	return nm_ring_user_space(r, r->head, nm_ring_user_tail(r));
}

/* Fill the slot at head with len bytes of data and flags; advance head
 * locally (published by vt_txsync). */
static inline void vt_put(struct netmap_ring *r, const void *data,
			  uint16_t len, uint16_t flags)
{
	struct netmap_slot *s = &r->slot[r->head];

	if (data != NULL && len > 0)
		memcpy(nm_ring_user_buf(r, s->buf_idx), data, len);
	s->len = len;
	s->flags = flags;
	r->head = nm_idx_next(r->head, r->num_slots);
}

static inline int vt_sync(struct nm_port *p, uint32_t dir, uint32_t i)
{
	struct nm_kring *kr = nm_port_kring(p, dir, i);
	struct netmap_ring *r = kr->ring;

	nm_ring_user_publish(r, r->head, r->head);
	return nm_kring_sync(kr, 0);
}

/* One frame per call; TX sync at the end of a batch is the caller's. */
static inline void vt_send(struct nm_port *p, uint32_t ring,
			   const uint8_t *dst, uint32_t src, uint32_t sender,
			   uint32_t seq, uint16_t len)
{
	uint8_t frame[2048];
	struct netmap_ring *r = vt_ring(p, NR_TX, ring);

	memset(frame, 0, len);
	vt_frame(frame, dst, src, sender, seq);
	assert_true(vt_space(r) > 0);
	vt_put(r, frame, len, 0);
}

/* RX sync, then the number of slots ready. */
static inline uint32_t vt_rx_ready(struct nm_port *p, uint32_t ring)
{
	struct netmap_ring *r = vt_ring(p, NR_RX, ring);

	assert_int_equal(vt_sync(p, NR_RX, ring), 0);
	return vt_space(r);
}

/* Release every ready RX slot (the next rx sync hands them back). */
static inline uint32_t vt_rx_drain(struct nm_port *p, uint32_t ring)
{
	uint32_t k = vt_rx_ready(p, ring);
	struct netmap_ring *r = vt_ring(p, NR_RX, ring);

	r->head = nm_idx_add(r->head, k, r->num_slots);
	assert_int_equal(vt_sync(p, NR_RX, ring), 0);
	return k;
}

static inline struct nm_port *vt_open(struct nm_registry *reg,
				      const char *name, uint32_t rings,
				      uint32_t slots)
{
	struct nm_port_geom g = { rings, rings, slots, slots, 0 };
	struct nm_port *p = NULL;

	assert_int_equal(nm_port_open(reg, name, &g, &p), 0);
	assert_non_null(p);
	return p;
}

static inline struct vale_port *vt_vale(struct nm_port *p)
{
	assert_int_equal(p->kind, NM_PORT_VALE);
	return (struct vale_port *)p;
}

static inline uint64_t vt_drops(struct nm_port *p, enum vale_drop_reason r)
{
	return vale_port_drops(vt_vale(p), r);
}

static inline uint64_t vt_rx_pkts(struct nm_port *p)
{
	return nm_os_counter_read(&vt_vale(p)->stats.rx_pkts);
}

#endif /* VALE_TEST_H */
