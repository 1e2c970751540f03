/*
 * nmlab_vale.c - a network interface attached to a VALE switch: the
 * interface opened through the generic adapter (nmlab_nic.c, exclusive and
 * promiscuous), a VALE port of the same name "valeX:ifname" driven by the
 * kernel (core/vale_kport.c), and the two pumps between them.
 *
 *   wire -> rx_handler -> sink -> vale_kport_send -> switch -> other ports
 *   other ports -> switch -> port RX ring -> notifier -> work item ->
 *     vale_kport_drain -> nmlab_nic_send -> dev_queue_xmit -> wire
 *
 * Polling (VALE_POLLING_ENABLE): the receive path queues the wire's
 * frames in the interface's NIC RX rings instead, and kernel threads
 * ("nmlab-poll", bound to the CPUs of the plan, core/vale_poll.c) move them
 * into the switch, each over its own rings:
 *   wire -> rx_handler -> NIC RX rings -> poll thread (vale_poll_step) ->
 *     switch
 *
 * Persistent ports (VALE_NEWIF / VALE_DELIF): a name and a geometry that
 * VALE_ATTACH "valeX:name" turns into a VALE port the kernel holds a
 * reference to, so that it outlives the applications that open it (by
 * "valeX:name") until VALE_DETACH.  Unlike the reference's, it is not a
 * Linux interface: "name" alone does not open.
 *
 * Invariants: an attachment lives from VALE_ATTACH to VALE_DETACH (or
 * module unload), with no file needed; the VALE port and the interface of
 * an attached interface are bound by nobody else (EBUSY); poll threads
 * run only while the attachment is polled and are stopped (kthread_stop)
 * before the rings they poll can go.  Locking: nmlab_lock for the list and
 * every control step; the receive path reads the sink under RCU (removed
 * with synchronize_net), the work item runs alone and is cancelled
 * (cancel_work_sync) after the port's notifier is cleared.
 */
#include "nmlab_vale.h"
#include "nmlab_dev.h"
#include "nmlab_nic.h"
#include "vale_kport.h"
#include "vale_poll.h"

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

/* One switch port of an attachment: the NIC's (side 0) or, with
 * NR_REG_NIC_SW, the host stack's (side 1, "valeX:ifname^"). */
struct nmlab_bside {
	struct nmlab_bwrap *b;
	bool host;
	struct vale_port *vp;	       /* NULL: this side is not attached */
	struct vale_kport kp;
	struct nmlab_nic_sink sink;
	wait_queue_head_t wq;	       /* the port's notifier wakes it */
	wait_queue_entry_t wait;       /* ... and so queues work */
	struct nm_os_notifier notifier;
	struct work_struct work;
};

/* One poll thread: NIC RX rings [first, first + count) into side 0. */
struct nmlab_poll_thread {
	struct nmlab_bwrap *b;
	uint32_t first, count;
	struct task_struct *task;
};

struct nmlab_poll {
	uint32_t nthreads;
	struct nmlab_poll_thread t[VALE_POLL_MAX_THREADS];
};

struct nmlab_bwrap {
	struct list_head link; /* nmlab_bwraps, under nmlab_lock */
	char name[NETMAP_REQ_IFNAMSIZ]; /* "valeX:ifname" */
	struct nm_port *nic;
	struct nmlab_bside side[2];
	struct nmlab_poll *poll; /* NULL unless polled */
};

static LIST_HEAD(nmlab_bwraps);

/* A persistent port (VALE_NEWIF). */
struct nmlab_vif {
	struct list_head link; /* nmlab_vifs, under nmlab_lock */
	char name[NETMAP_REQ_IFNAMSIZ];
	struct nm_port_geom g;
	struct vale_port *vp; /* while attached: the kernel's reference */
};

static LIST_HEAD(nmlab_vifs);

static struct nmlab_vif *nmlab_vif_find(const char *name)
{
	struct nmlab_vif *v;

	list_for_each_entry(v, &nmlab_vifs, link)
		if (strncmp(v->name, name, sizeof(v->name)) == 0)
			return v;
	return NULL;
}

/* The persistent port attached as `swport` ("valeX:name"), or NULL. */
static struct nmlab_vif *nmlab_vif_attached(const char *swport)
{
	struct nmlab_vif *v;

	list_for_each_entry(v, &nmlab_vifs, link)
		if (v->vp != NULL &&
		    strncmp(v->vp->up.name, swport, NETMAP_REQ_IFNAMSIZ) == 0)
			return v;
	return NULL;
}

static int nmlab_vif_attach(struct nmlab_vif *v, const char *swport,
			    struct nmreq_vale_attach *va)
{
	struct nm_port_geom g = v->g;
	struct vale_port *vp;
	int err;

	if (v->vp != NULL)
		return -EBUSY; /* on a switch already */
	err = vale_port_open(&nmlab_reg, swport, &g, &vp);
	if (err != 0)
		return err;
	if (vp->users != 1) { /* an application's ephemeral port of that name */
		vale_port_close(vp);
		return -EBUSY;
	}
	v->vp = vp;
	va->port_index = vp->index;
	return 0;
}

int nmlab_vale_newif(struct nm_ctrl_req *r)
{
	struct nmreq_vale_newif *nw = nm_ctrl_body(r);
	const char *name = r->hdr.nr_name;
	char probe[NETMAP_REQ_IFNAMSIZ + 8];
	struct net_device *dev;
	struct nmlab_vif *v;
	int err;

	err = nm_ctrl_options_check(r);
	if (err != 0)
		return err;
	/* A port name VALE accepts, not itself a VALE or pipe name. */
	snprintf(probe, sizeof(probe), "vale0:%s", name);
	if (name[0] == '\0' || strnlen(name, IFNAMSIZ) >= IFNAMSIZ ||
	    strncmp(name, VALE_PREFIX, strlen(VALE_PREFIX)) == 0 ||
	    !vale_name_is_valid(probe))
		return -EINVAL;
	/* A persistent port has a region of its own: an id naming another
	 * is ENOMEM (no room there), one naming none EINVAL (reference). */
	err = nmlab_memid_check_new(nw->nr_mem_id);
	if (err != 0)
		return err;
	dev = dev_get_by_name(&init_net, name);
	if (dev != NULL) {
		dev_put(dev);
		return -EEXIST;
	}
	if (nmlab_vif_find(name) != NULL)
		return -EEXIST;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (v == NULL)
		return -ENOMEM;
	strscpy(v->name, name, sizeof(v->name));
	v->g.tx_rings = nw->nr_tx_rings;
	v->g.rx_rings = nw->nr_rx_rings;
	v->g.tx_slots = nw->nr_tx_slots;
	v->g.rx_slots = nw->nr_rx_slots;
	err = nm_port_geom_normalize(&v->g);
	if (err != 0) {
		kfree(v);
		return err;
	}
	nw->nr_tx_rings = (uint16_t)v->g.tx_rings;
	nw->nr_rx_rings = (uint16_t)v->g.rx_rings;
	nw->nr_tx_slots = v->g.tx_slots;
	nw->nr_rx_slots = v->g.rx_slots;
	list_add(&v->link, &nmlab_vifs);
	return 0;
}

int nmlab_vale_delif(struct nm_ctrl_req *r)
{
	struct nmlab_vif *v;
	int err;

	err = nm_ctrl_options_check(r);
	if (err != 0)
		return err;
	v = nmlab_vif_find(r->hdr.nr_name);
	if (v == NULL)
		return -ENXIO;
	if (v->vp != NULL)
		return -EBUSY; /* attached: detach first */
	list_del(&v->link);
	kfree(v);
	return 0;
}

/* The wire's (side 0) or the stack's (side 1) frames into the switch
 * (softirq, or the stack's transmit path). */
static void nmlab_bwrap_rx(struct nmlab_nic_sink *sk, uint32_t len,
			   nm_nic_copy_fn copy, const void *ctx)
{
	struct nmlab_bside *s = container_of(sk, struct nmlab_bside, sink);

	vale_kport_send(&s->kp, len, copy, ctx); /* a full switch drops */
}

static int nmlab_bwrap_out(void *priv, const struct nm_nic_frag *f,
			   uint32_t nfrags, uint32_t len)
{
	struct nmlab_bside *s = priv;

	return s->host ? nmlab_nic_send_host(s->b->nic, f, nfrags, len)
		       : nmlab_nic_send(s->b->nic, f, nfrags, len);
}

/* The switch's frames to the wire or to the stack (process context). */
static void nmlab_bwrap_work(struct work_struct *w)
{
	struct nmlab_bside *s = container_of(w, struct nmlab_bside, work);
	int pass;

	/* Bounded: a notification after the last pass queues us again. */
	for (pass = 0; pass < 8; pass++)
		if (vale_kport_drain(&s->kp, nmlab_bwrap_out, s) == 0)
			break;
}

static int nmlab_bwrap_wake(wait_queue_entry_t *wait, unsigned int mode,
			    int flags, void *key)
{
	struct nmlab_bside *s = container_of(wait, struct nmlab_bside, wait);

	queue_work(system_wq, &s->work);
	return 0;
}

/* Open the switch port `name` for side s and start its pumps. */
static int nmlab_bside_open(struct nmlab_bside *s, struct nmlab_bwrap *b,
			    bool host, const char *name,
			    const struct nmreq_register *reg)
{
	struct nm_port_geom g;
	int err;

	s->b = b;
	s->host = host;
	memset(&g, 0, sizeof(g));
	g.tx_slots = reg->nr_tx_slots;
	g.rx_slots = reg->nr_rx_slots;
	err = vale_port_open(&nmlab_reg, name, &g, &s->vp);
	if (err != 0)
		goto err_out;
	if (s->vp->users != 1) {
		err = -EBUSY; /* an application's port of that name */
		goto err_vp;
	}
	err = vale_kport_init(&s->kp, s->vp);
	if (err != 0)
		goto err_vp;
	INIT_WORK(&s->work, nmlab_bwrap_work);
	init_waitqueue_head(&s->wq);
	init_waitqueue_func_entry(&s->wait, nmlab_bwrap_wake);
	add_wait_queue(&s->wq, &s->wait);
	s->notifier.wq = &s->wq;
	atomic64_set(&s->notifier.count, 0);
	err = nm_port_set_notifier(&s->vp->up, NR_TX, NM_PORT_ALL_RINGS,
				   &s->notifier);
	if (err != 0)
		goto err_kp;
	s->sink.rx = nmlab_bwrap_rx;
	return 0;

err_kp:
	remove_wait_queue(&s->wq, &s->wait);
	vale_kport_fini(&s->kp);
err_vp:
	vale_port_close(s->vp);
err_out:
	s->vp = NULL;
	return err;
}

/* Stop side s (its sink already removed) and close its switch port. */
static void nmlab_bside_close(struct nmlab_bside *s)
{
	if (s->vp == NULL)
		return;
	/* Returns once no notification still uses ours; then no new work. */
	nm_port_set_notifier(&s->vp->up, NR_TX, NM_PORT_ALL_RINGS, NULL);
	cancel_work_sync(&s->work);
	remove_wait_queue(&s->wq, &s->wait);
	vale_kport_fini(&s->kp);
	vale_port_close(s->vp);
	s->vp = NULL;
}

static struct nmlab_bwrap *nmlab_bwrap_find(const char *name)
{
	struct nmlab_bwrap *b;

	list_for_each_entry(b, &nmlab_bwraps, link)
		if (strncmp(b->name, name, sizeof(b->name)) == 0)
			return b;
	return NULL;
}

bool nmlab_vale_owned(const struct nm_port *p)
{
	struct nmlab_bwrap *b;

	list_for_each_entry(b, &nmlab_bwraps, link)
		if (b->nic == p || &b->side[0].vp->up == p ||
		    (b->side[1].vp != NULL && &b->side[1].vp->up == p))
			return true;
	return false;
}

bool nmlab_vale_owned_name(const char *name)
{
	struct nmlab_bwrap *b;
	uint32_t i;

	list_for_each_entry(b, &nmlab_bwraps, link)
		for (i = 0; i < 2; i++)
			if (b->side[i].vp != NULL &&
			    strncmp(b->side[i].vp->up.name, name,
				    NETMAP_REQ_IFNAMSIZ) == 0)
				return true;
	return false;
}

int nmlab_vale_attach(struct nm_ctrl_req *r)
{
	struct nmreq_vale_attach *va = nm_ctrl_body(r);
	const char *name = r->hdr.nr_name, *colon;
	char hname[NETMAP_REQ_IFNAMSIZ];
	struct nm_port_geom g;
	struct nmlab_bwrap *b;
	bool host;
	int err;

	err = nm_ctrl_options_check(r);
	if (err != 0)
		return err;
	colon = strnchr(name, sizeof(r->hdr.nr_name), ':');
	if (!vale_name_is_valid(name) || colon == NULL ||
	    name[strlen(name) - 1] == '^')
		return -EINVAL;
	/* The attachment has a region of its own, as a new port. */
	err = nmlab_memid_check_new(va->reg.nr_mem_id);
	if (err != 0)
		return err;
	switch (va->reg.nr_mode) {
	case NR_REG_DEFAULT:
	case NR_REG_ALL_NIC:
		host = false;
		break;
	case NR_REG_NIC_SW:
		host = true;
		break;
	default:
		return -EINVAL;
	}
	if (nmlab_bwrap_find(name) != NULL)
		return -EBUSY;
	if (nmlab_vif_find(colon + 1) != NULL) {
		if (host)
			return -EINVAL; /* a persistent port has no host stack */
		return nmlab_vif_attach(nmlab_vif_find(colon + 1), name, va);
	}
	/* The host side's name: "valeX:ifname^", as the reference's. */
	if (host && snprintf(hname, sizeof(hname), "%s^", name) >= (int)sizeof(hname))
		return -EINVAL;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (b == NULL)
		return -ENOMEM;
	strscpy(b->name, name, sizeof(b->name));
	memset(&g, 0, sizeof(g));
	err = nmlab_nic_open(colon + 1, &g, NMLAB_NIC_SWITCH, &b->nic);
	if (err != 0)
		goto err_free;
	err = nmlab_bside_open(&b->side[0], b, false, name, &va->reg);
	if (err != 0)
		goto err_nic;
	if (host) {
		err = nmlab_bside_open(&b->side[1], b, true, hname, &va->reg);
		if (err != 0)
			goto err_side0;
		nmlab_nic_set_host_sink(b->nic, &b->side[1].sink);
	}
	nmlab_nic_set_sink(b->nic, &b->side[0].sink);
	list_add(&b->link, &nmlab_bwraps);
	va->port_index = b->side[0].vp->index;
	return 0;

err_side0:
	nmlab_bside_close(&b->side[0]);
err_nic:
	nm_port_close(b->nic);
err_free:
	kfree(b);
	return err;
}

/* ---- Polling. */

/* The interface port of an attachment (nmlab_nic_open() made it). */
static struct nm_nic *nmlab_bwrap_nic(struct nmlab_bwrap *b)
{
	return container_of(b->nic, struct nm_nic, up);
}

/* One pass with bottom halves off: the pass holds the switch port's TX
 * gate, which the receive path (softirq) spins on once the sink is back
 * (nmlab_poll_stop()); a softirq interrupting the holder on its own CPU
 * would spin forever. */
static uint32_t nmlab_poll_pass(struct nmlab_bwrap *b, uint32_t first,
				uint32_t count)
{
	uint32_t n;

	local_bh_disable();
	n = vale_poll_step(&b->side[0].kp, nmlab_bwrap_nic(b), first, count);
	local_bh_enable();
	return n;
}

/* A poll thread: passes until stopped; an idle pass sleeps a little
 * (the reference spins; a sleep of 20-50 us costs that much latency and
 * leaves the CPU to others when nothing arrives). */
static int nmlab_poll_fn(void *arg)
{
	struct nmlab_poll_thread *t = arg;

	while (!kthread_should_stop()) {
		if (nmlab_poll_pass(t->b, t->first, t->count) == 0)
			usleep_range(20, 50);
		else
			cond_resched();
	}
	return 0;
}

static void nmlab_poll_stop(struct nmlab_bwrap *b)
{
	struct nmlab_poll *p = b->poll;
	uint32_t i;

	if (p == NULL)
		return;
	/* Frames to the switch directly again; after the grace period no
	 * receive path that saw no sink is still putting one in the rings. */
	nmlab_nic_set_sink(b->nic, &b->side[0].sink);
	synchronize_net();
	for (i = 0; i < p->nthreads; i++)
		kthread_stop(p->t[i].task);
	/* What the rings held when the threads stopped: one last pass. */
	nmlab_poll_pass(b, 0, NM_PORT_MAX_RINGS);
	b->poll = NULL;
	kfree(p);
}

static int nmlab_poll_start(struct nmlab_bwrap *b,
			    const struct vale_poll_plan *plan)
{
	struct nmlab_poll *p = kzalloc(sizeof(*p), GFP_KERNEL);
	struct nmlab_poll_thread *t;
	uint32_t i;
	int err;

	if (p == NULL)
		return -ENOMEM;
	for (i = 0; i < plan->nthreads; i++) {
		t = &p->t[i];
		t->b = b;
		t->first = plan->thread[i].first_ring;
		t->count = plan->thread[i].num_rings;
		t->task = kthread_create(nmlab_poll_fn, t, "nmlab-poll/%u",
					 plan->thread[i].cpu);
		if (IS_ERR(t->task)) {
			err = PTR_ERR(t->task);
			goto err_threads;
		}
		kthread_bind(t->task, plan->thread[i].cpu);
		p->nthreads++;
	}
	/* The receive path queues in the NIC RX rings from now on. */
	nmlab_nic_set_sink(b->nic, NULL);
	for (i = 0; i < p->nthreads; i++)
		wake_up_process(p->t[i].task);
	b->poll = p;
	return 0;

err_threads:
	/* Never woken: kthread_stop() ends them before their function. */
	while (p->nthreads > 0)
		kthread_stop(p->t[--p->nthreads].task);
	kfree(p);
	return err;
}

int nmlab_vale_polling(struct nm_ctrl_req *r, bool enable)
{
	struct nmreq_vale_polling *req = nm_ctrl_body(r);
	const char *name = r->hdr.nr_name;
	struct vale_poll_plan plan;
	struct nmlab_bwrap *b;
	uint32_t i, sw, port;
	int err;

	err = nm_ctrl_options_check(r);
	if (err != 0)
		return err;
	if (!vale_name_is_valid(name) || strnchr(name, sizeof(r->hdr.nr_name), ':') == NULL)
		return -EINVAL;
	b = nmlab_bwrap_find(name);
	if (b == NULL)
		/* Only an attached interface is polled (the reference:
		 * EOPNOTSUPP for any other VALE port, ENXIO for none). */
		return vale_port_find(&nmlab_reg, name, &sw, &port) == 0 ?
			       -EOPNOTSUPP : -ENXIO;
	if (!enable) {
		if (b->poll == NULL)
			return -EFAULT; /* the reference's "not in polling mode" */
		nmlab_poll_stop(b);
		return 0;
	}
	if (b->poll != NULL)
		return -EFAULT; /* the reference's "already in polling mode" */
	err = vale_poll_plan(&plan, req->nr_mode, req->nr_first_cpu_id,
			     req->nr_num_polling_cpus,
			     nmlab_bwrap_nic(b)->nic_rings[NR_RX],
			     num_online_cpus());
	if (err != 0)
		return err;
	/* The plan's ids are below the online count; each must be online. */
	for (i = 0; i < plan.nthreads; i++)
		if (plan.thread[i].cpu >= nr_cpu_ids ||
		    !cpu_online(plan.thread[i].cpu))
			return -EINVAL;
	return nmlab_poll_start(b, &plan);
}

bool nmlab_vale_polled(const char *name)
{
	struct nmlab_bwrap *b = nmlab_bwrap_find(name);

	return b != NULL && b->poll != NULL;
}

static void nmlab_bwrap_free(struct nmlab_bwrap *b)
{
	nmlab_poll_stop(b); /* module unload: the threads go first */
	list_del(&b->link);
	nmlab_nic_set_sink(b->nic, NULL);
	nmlab_nic_set_host_sink(b->nic, NULL);
	nmlab_bside_close(&b->side[1]);
	nmlab_bside_close(&b->side[0]);
	nm_port_close(b->nic);
	kfree(b);
}

int nmlab_vale_detach(struct nm_ctrl_req *r)
{
	struct nmreq_vale_detach *vd = nm_ctrl_body(r);
	struct nmlab_bwrap *b;
	struct nmlab_vif *v;
	int err;

	err = nm_ctrl_options_check(r);
	if (err != 0)
		return err;
	if (!vale_name_is_valid(r->hdr.nr_name))
		return -EINVAL;
	v = nmlab_vif_attached(r->hdr.nr_name);
	if (v != NULL) {
		if (v->vp->users != 1)
			return -EBUSY; /* applications still have it open */
		vd->port_index = v->vp->index;
		vale_port_close(v->vp);
		v->vp = NULL;
		return 0;
	}
	b = nmlab_bwrap_find(r->hdr.nr_name);
	if (b == NULL)
		return -ENXIO;
	if (b->poll != NULL)
		return -EBUSY; /* as the reference: polling off first */
	vd->port_index = b->side[0].vp->index;
	nmlab_bwrap_free(b);
	return 0;
}

void nmlab_vale_exit(void)
{
	struct nmlab_bwrap *b, *tmp;
	struct nmlab_vif *v, *vtmp;

	mutex_lock(&nmlab_lock);
	list_for_each_entry_safe(b, tmp, &nmlab_bwraps, link)
		nmlab_bwrap_free(b);
	list_for_each_entry_safe(v, vtmp, &nmlab_vifs, link) {
		if (v->vp != NULL)
			vale_port_close(v->vp); /* no file is open */
		list_del(&v->link);
		kfree(v);
	}
	mutex_unlock(&nmlab_lock);
}
