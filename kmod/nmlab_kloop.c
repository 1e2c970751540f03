/*
 * nmlab_kloop.c - CSB mode and the sync kloop of a /dev/netmap file.
 *
 * Owns: pinning the application's CSB arrays (pin_user_pages_fast with
 * FOLL_LONGTERM, then vmap) so that the core's step functions see plain
 * kernel pointers, and the kloop kthread that runs csb_host_step() over the
 * file's bound rings.  Modes (csb_kloop_cfg_mode): busy-wait (no eventfds:
 * a pass every sleep_us), eventfd (sleep until a ring's ioeventfd is
 * written or the port's backend makes progress), and direct (validated
 * like the reference should, defect D3; its rings are stepped by the kloop
 * thread as soon as a kick wakes it, with kicks always enabled;
 * TODO(#8): run them in the kicker's context, as the reference does).
 *
 * Invariants: the kloop thread only touches the pinned CSB, the port's
 * krings (through the sync gate) and eventfds it holds references to; it
 * is stopped (kthread_stop, waited for) before any of them is released.
 * A STOP with no kloop running is kept until a START consumes it, so a
 * STOP that wins the race against its START is not lost: the decision is
 * core/csb_kloop_ctl.c's (replayed by the zoo, case 20).
 *
 * Locking: every entry point runs under nmlab_lock; the thread takes no
 * lock of ours.  Wake-ups come from wait-queue callbacks (eventfd writes,
 * port notifications) that only count and wake the thread.
 */
#include "nmlab_dev.h"

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#define NMLAB_KLOOP_IDLE_JIFFIES (3 * HZ) /* longest sleep, as the reference */

/* ---- CSB pinning. */

static void nmlab_unpin(struct nmlab_pin *p)
{
	if (p->vaddr != NULL)
		vunmap(p->vaddr);
	if (p->pages != NULL) {
		unpin_user_pages_dirty_lock(p->pages, p->npages, true);
		kfree(p->pages);
	}
	memset(p, 0, sizeof(*p));
}

static int nmlab_pin(struct nmlab_pin *p, uint64_t uaddr, size_t len)
{
	unsigned long start = uaddr & PAGE_MASK;
	unsigned long ofs = uaddr & ~PAGE_MASK;
	unsigned int npages;
	int n;

	memset(p, 0, sizeof(*p));
	if (len == 0 || uaddr + len < uaddr ||
	    !access_ok(u64_to_user_ptr(uaddr), len))
		return -EFAULT;
	npages = DIV_ROUND_UP(ofs + len, PAGE_SIZE);
	p->pages = kcalloc(npages, sizeof(*p->pages), GFP_KERNEL);
	if (p->pages == NULL)
		return -ENOMEM;
	n = pin_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM,
				p->pages);
	if (n < 0) {
		kfree(p->pages);
		p->pages = NULL;
		return n == -ENOMEM ? -ENOMEM : -EFAULT;
	}
	p->npages = n;
	if ((unsigned int)n != npages) {
		nmlab_unpin(p);
		return -EFAULT;
	}
	p->vaddr = vmap(p->pages, npages, VM_MAP, PAGE_KERNEL);
	if (p->vaddr == NULL) {
		nmlab_unpin(p);
		return -ENOMEM;
	}
	p->kptr = (uint8_t *)p->vaddr + ofs;
	return 0;
}

int nmlab_csb_enable(struct nmlab_priv *priv, uint64_t atok, uint64_t ktoa)
{
	size_t len = (size_t)priv->nrings * 64;
	uint32_t i;
	int err;

	if (priv->kloop.task != NULL)
		return -EBUSY;
	if ((atok & 63) != 0 || (ktoa & 63) != 0 || atok == 0 || ktoa == 0)
		return -EINVAL;
	/* One writer per line: the two user arrays may not overlap. */
	if (atok < ktoa + len && ktoa < atok + len)
		return -EINVAL;
	nmlab_csb_disable(priv);
	err = nmlab_pin(&priv->atok_pin, atok, len);
	if (err == 0)
		err = nmlab_pin(&priv->ktoa_pin, ktoa, len);
	for (i = 0; err == 0 && i < priv->nrings; i++)
		err = csb_host_ring_init(
			&priv->hr[i], priv->krings[i],
			(struct nm_csb_atok *)priv->atok_pin.kptr + i,
			(struct nm_csb_ktoa *)priv->ktoa_pin.kptr + i,
			CSB_MODE_EVENTFD);
	if (err != 0) {
		nmlab_unpin(&priv->atok_pin);
		nmlab_unpin(&priv->ktoa_pin);
		return err;
	}
	WRITE_ONCE(priv->csb_mode, true);
	return 0;
}

void nmlab_csb_disable(struct nmlab_priv *priv)
{
	nmlab_kloop_stop(priv);
	nmlab_unpin(&priv->atok_pin);
	nmlab_unpin(&priv->ktoa_pin);
	WRITE_ONCE(priv->csb_mode, false);
}

/* ---- Wake-ups: count, then wake the thread (any context). */

static void nmlab_kloop_poke(struct nmlab_kloop *kl)
{
	struct task_struct *t = READ_ONCE(kl->task);

	atomic_inc(&kl->wakes);
	if (t != NULL)
		wake_up_process(t);
}

static int nmlab_kick_wake(wait_queue_entry_t *wait, unsigned int mode,
			   int sync, void *key)
{
	struct nmlab_kloop_ring *r =
		container_of(wait, struct nmlab_kloop_ring, kick_wait);

	if (key_to_poll(key) & EPOLLIN)
		nmlab_kloop_poke(&r->priv->kloop);
	return 0;
}

static void nmlab_kick_queue(struct file *file, wait_queue_head_t *wqh,
			     poll_table *pt)
{
	struct nmlab_kloop_ring *r =
		container_of(pt, struct nmlab_kloop_ring, kick_pt);

	r->kick_wqh = wqh;
	add_wait_queue(wqh, &r->kick_wait);
}

static int nmlab_port_wake(wait_queue_entry_t *wait, unsigned int mode,
			   int sync, void *key)
{
	struct nmlab_kloop *kl = container_of(wait, struct nmlab_kloop,
					      port_wait);

	nmlab_kloop_poke(kl);
	return 0;
}

/* ---- The thread. */

static int nmlab_kloop_fn(void *arg)
{
	struct nmlab_priv *priv = arg;
	struct nmlab_kloop *kl = &priv->kloop;
	unsigned int todo;
	bool again;
	uint32_t i;
	int seen;

	while (!kthread_should_stop()) {
		seen = atomic_read(&kl->wakes);
		again = false;
		/* Busy-wait rings never enable kicks; eventfd rings enable
		 * them (with the fence and re-check) when idle: the ring's
		 * mode decides, so no CSB_STEP_POLL here. */
		for (i = 0; i < priv->nrings; i++) {
			csb_host_step(&priv->hr[i], 0, &todo);
			if ((todo & CSB_DO_NOTIFY) != 0 &&
			    kl->ring[i].irq != NULL)
				eventfd_signal(kl->ring[i].irq, 1);
			if ((todo & CSB_DO_AGAIN) != 0)
				again = true;
		}
		if (again) {
			cond_resched();
			continue;
		}
		if (!kl->eventfds) {
			if (kl->sleep_us > 0)
				usleep_range(kl->sleep_us,
					     kl->sleep_us + kl->sleep_us / 4 + 1);
			else
				cond_resched();
			continue;
		}
		/* Sleep unless a wake-up arrived since the pass began: the
		 * state is set before the check, so a wake-up after the
		 * check makes schedule() return at once. */
		set_current_state(TASK_INTERRUPTIBLE);
		if (atomic_read(&kl->wakes) == seen && !kthread_should_stop())
			schedule_timeout(NMLAB_KLOOP_IDLE_JIFFIES);
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* ---- Start / stop. */

static void nmlab_kloop_release_fds(struct nmlab_kloop *kl)
{
	uint32_t i;

	for (i = 0; i < NMLAB_MAX_RINGS; i++) {
		struct nmlab_kloop_ring *r = &kl->ring[i];

		if (r->kick_wqh != NULL)
			remove_wait_queue(r->kick_wqh, &r->kick_wait);
		if (r->kick_file != NULL)
			fput(r->kick_file);
		if (r->irq != NULL)
			eventfd_ctx_put(r->irq);
		r->kick_wqh = NULL;
		r->kick_file = NULL;
		r->irq = NULL;
	}
}

void nmlab_kloop_init(struct nmlab_priv *priv)
{
	init_waitqueue_head(&priv->kloop.stopped);
	atomic_set(&priv->kloop.wakes, 0);
}

int nmlab_kloop_start(struct nmlab_priv *priv, uint32_t sleep_us,
		      const void *efds, uint32_t efds_len, bool have_efds,
		      uint32_t direct, uint64_t *gen)
{
	const struct { int32_t ioeventfd, irqfd; } *fd = efds;
	struct nmlab_kloop *kl = &priv->kloop;
	struct csb_kloop_cfg cfg;
	struct task_struct *t;
	bool all_kicks = have_efds, stop_first;
	uint32_t i;
	int err;

	if (kl->task != NULL)
		return -EBUSY;
	if (!priv->csb_mode)
		return -EINVAL;
	/* Past these checks the reference marks the kloop running, which
	 * ends any earlier STOP request, whatever this START then says;
	 * every failure below ends the run again (csb_kloop_ctl_exit). */
	stop_first = !csb_kloop_ctl_start(&kl->ctl);
	if (have_efds && efds_len != priv->nrings * 8U) {
		csb_kloop_ctl_exit(&kl->ctl);
		return -EINVAL;
	}
	for (i = 0; have_efds && i < priv->nrings; i++)
		if (fd[i].ioeventfd < 0)
			all_kicks = false; /* the reference then busy-waits */
	memset(&cfg, 0, sizeof(cfg));
	cfg.num_tx_rings = priv->last[NR_TX] - priv->first[NR_TX];
	cfg.num_rx_rings = priv->last[NR_RX] - priv->first[NR_RX];
	cfg.sleep_us = sleep_us;
	cfg.direct = direct;
	cfg.eventfds = all_kicks;
	err = csb_kloop_cfg_validate(&cfg);
	if (err != 0) {
		csb_kloop_ctl_exit(&kl->ctl);
		return err;
	}

	memset(kl->ring, 0, sizeof(kl->ring));
	for (i = 0; have_efds && i < priv->nrings; i++) {
		struct nmlab_kloop_ring *r = &kl->ring[i];

		r->priv = priv;
		if (fd[i].irqfd >= 0) {
			r->irq = eventfd_ctx_fdget(fd[i].irqfd);
			if (IS_ERR(r->irq)) {
				err = PTR_ERR(r->irq);
				r->irq = NULL;
				goto fail;
			}
		}
		if (!all_kicks)
			continue;
		r->kick_file = eventfd_fget(fd[i].ioeventfd);
		if (IS_ERR(r->kick_file)) {
			err = PTR_ERR(r->kick_file);
			r->kick_file = NULL;
			goto fail;
		}
		init_waitqueue_func_entry(&r->kick_wait, nmlab_kick_wake);
		init_poll_funcptr(&r->kick_pt, nmlab_kick_queue);
		vfs_poll(r->kick_file, &r->kick_pt);
		if (r->kick_wqh == NULL) {
			err = -EINVAL;
			goto fail;
		}
	}
	if (stop_first) {
		/* Valid, but already stopped: a run without a pass.  Its
		 * generation is over before START waits for it. */
		nmlab_kloop_release_fds(kl);
		*gen = kl->gen++;
		return 0;
	}
	for (i = 0; i < priv->nrings; i++)
		priv->hr[i].mode =
			csb_kloop_cfg_mode(&cfg, priv->krings[i]->dir);
	kl->sleep_us = sleep_us;
	kl->eventfds = all_kicks;
	init_waitqueue_func_entry(&kl->port_wait, nmlab_port_wake);
	add_wait_queue(&priv->np->wq, &kl->port_wait);

	t = kthread_create(nmlab_kloop_fn, priv, "nmlab-kloop");
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		remove_wait_queue(&priv->np->wq, &kl->port_wait);
		goto fail;
	}
	WRITE_ONCE(kl->task, t);
	*gen = kl->gen;
	wake_up_process(t);
	return 0;
fail:
	nmlab_kloop_release_fds(kl);
	csb_kloop_ctl_exit(&kl->ctl);
	return err;
}

void nmlab_kloop_stop(struct nmlab_priv *priv)
{
	struct nmlab_kloop *kl = &priv->kloop;
	struct task_struct *t = kl->task;

	if (t == NULL)
		return;
	/* Wake-up callbacks may still run until they are dequeued, and
	 * only read kl->task: dequeue them first, then stop the thread. */
	remove_wait_queue(&priv->np->wq, &kl->port_wait);
	nmlab_kloop_release_fds(kl);
	kthread_stop(t);
	WRITE_ONCE(kl->task, NULL);
	csb_kloop_ctl_exit(&kl->ctl);
	kl->gen++;
	wake_up_all(&kl->stopped);
}

int nmlab_kloop_stop_req(struct nmlab_priv *priv)
{
	if (priv->port == NULL)
		return -ENXIO;
	/* No loop running: the STOP is kept for the next START. */
	if (csb_kloop_ctl_stop(&priv->kloop.ctl))
		nmlab_kloop_stop(priv);
	return 0;
}
