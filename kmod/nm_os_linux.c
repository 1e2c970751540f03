/*
 * nm_os_linux.c - the Linux kernel backend of nm_os.h (out-of-line half).
 *
 * Owns: locks, RCU read sections, kvmalloc allocation, invariant reports,
 * user-memory copies (copy_from_user/copy_to_user), time and notifiers.  Nothing here sleeps except where the seam's contract
 * says "control path" (allocation, synchronize).
 */
#include "nm_os.h"

#include <linux/bug.h>
#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

int nm_os_lock_init(struct nm_os_lock *l)
{
	spin_lock_init(&l->lock);
	return 0;
}

void nm_os_lock_fini(struct nm_os_lock *l)
{
	/* A spinlock owns no resources; only check it is not held. */
	WARN_ON_ONCE(spin_is_locked(&l->lock));
}

void nm_os_lock_acquire(struct nm_os_lock *l)
{
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	l->irqflags = flags;
}

void nm_os_lock_release(struct nm_os_lock *l)
{
	unsigned long flags = l->irqflags;

	spin_unlock_irqrestore(&l->lock, flags);
}

void nm_os_read_enter(void)
{
	rcu_read_lock();
}

void nm_os_read_exit(void)
{
	rcu_read_unlock();
}

void nm_os_ptr_publish(void **slot, void *p)
{
	/* rcu_assign_pointer()'s ordering, without sparse's __rcu marking,
	 * which the portable core cannot spell. */
	smp_store_release(slot, p);
}

void *nm_os_ptr_read(void *const *slot)
{
	/* READ_ONCE gives dependency ordering on every architecture Linux
	 * supports (rcu_dereference's guarantee). */
	return READ_ONCE(*slot);
}

void nm_os_read_synchronize(void)
{
	synchronize_rcu();
}

void *nm_os_zalloc(size_t n)
{
	return kvzalloc(n, GFP_KERNEL);
}

void nm_os_free(void *p)
{
	kvfree(p);
}

void *nm_os_region_alloc(size_t n)
{
	/* A request for more than half of the memory still available fails
	 * here, quietly, instead of in the allocator with a stack dump (or
	 * the OOM killer): the geometry comes from an application. */
	if (n / PAGE_SIZE > si_mem_available() / 2)
		return NULL;
	/* Zeroed, page-aligned and flagged VM_USERMAP, so the device's mmap
	 * can hand it to a process with remap_vmalloc_range(). */
	return vmalloc_user(n);
}

void nm_os_region_free(void *p, size_t n)
{
	vfree(p);
}

void nm_os_invariant_failed(const char *expr, const char *file, int line)
{
	WARN_ONCE(1, "nmlab: invariant '%s' failed at %s:%d\n", expr, file,
		  line);
}

int nm_os_copy_from_user(void *dst, uint64_t uaddr, size_t n)
{
	return copy_from_user(dst, u64_to_user_ptr(uaddr), n) == 0 ? 0
								  : -EFAULT;
}

/* copy_from_user_nofault() runs with page faults disabled: callable under
 * rcu_read_lock() and spinlocks; a kernel thread (no user mm) gets -EFAULT. */
int nm_os_copy_from_user_nofault(void *dst, uint64_t uaddr, size_t n)
{
	return copy_from_user_nofault(dst, u64_to_user_ptr(uaddr), n) == 0 ?
		       0 :
		       -EFAULT;
}

int nm_os_copy_to_user(uint64_t uaddr, const void *src, size_t n)
{
	return copy_to_user(u64_to_user_ptr(uaddr), src, n) == 0 ? 0 : -EFAULT;
}

uint64_t nm_os_time_ns(void)
{
	return ktime_get_ns();
}

void nm_os_notify(struct nm_os_notifier *n)
{
	atomic64_inc(&n->count);
	if (n->efd != NULL)
		eventfd_signal(n->efd, 1);
	if (n->wq != NULL)
		wake_up_interruptible(n->wq);
}

uint64_t nm_os_notify_count(const struct nm_os_notifier *n)
{
	return (uint64_t)atomic64_read(&n->count);
}
