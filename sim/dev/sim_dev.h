/*
 * sim_dev.h - the device table: every device model an endpoint may use,
 * each described by one struct sim_dev_desc in its own file and listed by
 * one line in sim_dev_table.c.
 *
 * Owns: what the rest of the simulator knows of a device: its name, its
 * scenario keys (type, range, default, unit, where the value is kept in
 * struct sim_sc_endpoint), which host threads it runs (a kloop, a backend
 * thread) and its operations (struct sim_dev_ops, sim_ep.h), whose init
 * decides its policy from the keys.  The scenario reader checks device
 * keys from this table, the world builds a device from it, fuzz_scenario
 * takes its bounds from it.  An endpoint's device is an index into
 * sim_dev_table (0: none, a host process).
 *
 * A key listed by several devices is one object (sim_dev_key_itr_us);
 * the thread keys (kloop, kloop_cpu, backend_cpu) belong to every device
 * whose model runs that thread.  See docs/simulator.md, "Adding a device
 * model".
 */
#ifndef SIM_DEV_H
#define SIM_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_config.h"

struct sim_dev_ops;

enum sim_dev_key_type {
	SIM_DEV_KEY_U32,  /* uint32_t in lo..hi */
	SIM_DEV_KEY_BOOL, /* bool: true or false */
	SIM_DEV_KEY_ENUM, /* uint32_t: an index into names */
	SIM_DEV_KEY_FLAGS, /* uint32_t: bit i is names[i]; "a+b" or "none" */
};

/* Threads a device model runs on the host, each with its keys. */
#define SIM_DEV_KLOOP 1U   /* the sync kloop: kloop, kloop_cpu */
#define SIM_DEV_BACKEND 2U /* VMM I/O thread, vhost, netback: backend_cpu */

struct sim_dev_key {
	const char *name;
	enum sim_dev_key_type type;
	uint32_t lo, hi;	  /* SIM_DEV_KEY_U32: the accepted range */
	uint32_t def;		  /* default (bool: 0 or 1; enum: an index) */
	const char *unit;	  /* of a number, or "" */
	const char *const *names; /* SIM_DEV_KEY_ENUM: NULL-terminated */
	size_t off;		  /* offsetof(struct sim_sc_endpoint, field) */
	uint32_t thread;	  /* 0, or the SIM_DEV_* thread it configures */
	const char *help;
};

/* A model: the threads it runs and its operations. */
struct sim_dev_model {
	uint32_t threads; /* SIM_DEV_KLOOP | SIM_DEV_BACKEND */
	const struct sim_dev_ops *ops;
};

struct sim_dev_desc {
	const char *name;			/* in scenarios and reports */
	const char *summary;
	const struct sim_dev_key *const *keys;	/* its own, NULL-terminated */
	struct sim_dev_model model;
	/* A bool key of its own that, when true, makes it another model
	 * (xen's fast_path: the netfront bypasses netback), or NULL. */
	const struct sim_dev_key *alt_key;
	struct sim_dev_model alt;
};

extern const struct sim_dev_desc *const sim_dev_table[];
extern const uint32_t sim_dev_count;

/* Keys listed by more than one device (defined in sim_dev_e1000.c). */
extern const struct sim_dev_key sim_dev_key_itr_us;
/* The virtio-net header keys (sim_dev_ptnet.c). */
extern const struct sim_dev_key sim_dev_key_vnet_hdr, sim_dev_key_offloads,
	sim_dev_key_mtu;
/* Bytes of virtio-net header of an endpoint's port (0, 10 or 12). */
uint32_t sim_dev_vnet_hdr_len(const struct sim_sc_endpoint *c);
/* The VMM backend's keys of e1000 and virtio (sim_dev_backend.c). */
extern const struct sim_dev_key sim_dev_key_backend;
extern const struct sim_dev_key sim_dev_key_txqueuelen;
extern const struct sim_dev_key sim_dev_key_more_hint;
extern const struct sim_dev_key sim_dev_key_indirect;
/* Endpoint c's backend keys together: 0, or -EINVAL with one line in err
 * and *key the key to blame (a tap with more_hint or indirect, indirect
 * with more_hint and send_combining). */
int sim_dev_backend_check(const struct sim_sc_endpoint *c, const char **key,
			  char *err, size_t errlen);

/* Most distinct device and thread keys (sim_dev_key_at()). */
#define SIM_DEV_MAX_KEYS 32

/* The index of the device called name, or -1. */
int sim_dev_find(const char *name);
const char *sim_device_name(uint32_t device);
/* The i-th distinct key (devices' keys in table order, then the thread
 * keys), or NULL past the last. */
const struct sim_dev_key *sim_dev_key_at(uint32_t i);
/* The key called name and its index for sim_dev_key_at(), or NULL. */
const struct sim_dev_key *sim_dev_key_find(const char *name, uint32_t *id);
/* Does endpoint configuration c's device (in its model) accept key k? */
bool sim_dev_accepts(const struct sim_sc_endpoint *c, const struct sim_dev_key *k);
/* The model endpoint configuration c runs (alt when its alt_key is set). */
const struct sim_dev_model *sim_dev_model_of(const struct sim_sc_endpoint *c);
uint32_t sim_dev_key_get(const struct sim_sc_endpoint *c, const struct sim_dev_key *k);
void sim_dev_key_set(struct sim_sc_endpoint *c, const struct sim_dev_key *k,
		     uint32_t v);
/* A SIM_DEV_KEY_FLAGS value: v ("none", or names joined by '+', each
 * once) into *out: 0, or -EINVAL.  And a value's name into buf. */
int sim_dev_flags_parse(const struct sim_dev_key *k, const char *v, uint32_t *out);
const char *sim_dev_flags_name(const struct sim_dev_key *k, uint32_t v, char *buf,
			       size_t size);
/* Every key's default into c. */
void sim_dev_defaults(struct sim_sc_endpoint *c);
/* Into buf: the devices accepting k, "e1000, virtio or xen without
 * fast_path" (those accepting it in every model first). */
void sim_dev_accepting(const struct sim_dev_key *k, char *buf, size_t size);

#endif /* SIM_DEV_H */
