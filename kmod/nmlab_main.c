/*
 * nmlab_main.c - module entry points.
 *
 * Owns: load and unload of nmlab.ko.  For now the module carries the core
 * and its self-tests: with selftest=1 it runs the core's unit vectors at load
 * and prints "nmlab: selftest: N passed, M failed"; a failure refuses the
 * load.  The /dev/netmap device comes with the kernel-module issue (#8).
 */
#include "nm_os.h"
#include "nm_selftest.h"

#include <linux/init.h>
#include <linux/module.h>

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "run the core's unit vectors at load");

static int __init nmlab_init(void)
{
	struct nm_selftest_result r;

	if (!selftest) {
		pr_info("nmlab: loaded (netmap API %d)\n", NETMAP_API);
		return 0;
	}
	r = nm_selftest_run();
	pr_info("nmlab: selftest: %u passed, %u failed\n", r.passed, r.failed);
	return r.failed == 0 ? 0 : -EINVAL;
}

static void __exit nmlab_exit(void)
{
	pr_info("nmlab: unloaded\n");
}

module_init(nmlab_init);
module_exit(nmlab_exit);
MODULE_LICENSE("Dual BSD/GPL");
MODULE_DESCRIPTION("nmlab: netmap-compatible rings, VALE and ptnetmap core");
