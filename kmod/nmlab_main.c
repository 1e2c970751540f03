/*
 * nmlab_main.c - module entry points.
 *
 * Owns: load and unload of nmlab.ko.  With selftest=1 the core's unit
 * vectors run first and print "nmlab: selftest: N passed, M failed"; a
 * failure refuses the load.  Then the /dev/netmap device is registered
 * (nmlab_dev.c); unloading is possible only when no file is open.
 */
#include "nmlab_dev.h"
#include "nm_ctrl.h"
#include "nm_selftest.h"

#include <linux/init.h>
#include <linux/module.h>

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "run the core's unit vectors at load");

static int __init nmlab_init(void)
{
	struct nm_selftest_result r;
	int err;

	if (selftest) {
		r = nm_selftest_run();
		nm_ctrl_selftest(&r);
		pr_info("nmlab: selftest: %u passed, %u failed\n", r.passed,
			r.failed);
		if (r.failed != 0)
			return -EINVAL;
	}
	err = nmlab_dev_init();
	if (err != 0) {
		pr_err("nmlab: cannot register /dev/netmap: %d\n", err);
		return err;
	}
	pr_info("nmlab: loaded, /dev/netmap (netmap API %d)\n", NETMAP_API);
	return 0;
}

static void __exit nmlab_exit(void)
{
	nmlab_dev_exit();
	pr_info("nmlab: unloaded\n");
}

module_init(nmlab_init);
module_exit(nmlab_exit);
MODULE_LICENSE("Dual BSD/GPL");
MODULE_DESCRIPTION("nmlab: netmap-compatible rings, VALE and ptnetmap core");
