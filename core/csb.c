/*
 * csb.c - the parts of the CSB protocol that belong to neither side alone:
 * the kloop option checks (defect D3: a direct mode that needs eventfds is
 * refused without them), the CSB array layout check, and the storage of
 * the test-only mutant switches.
 *
 * Invariants: a configuration that csb_kloop_cfg_validate() accepts gives
 * every ring exactly one mode, and every direction is processed by someone.
 * Locking: none (pure functions on caller-owned data).
 */
#include "csb.h"

#ifdef NM_CSB_MUTANTS
/* Set only by model-checker and mutant tests, before any step runs. */
unsigned csb_mutants;
#endif

/* A bound on rings per direction, so that no size computation can overflow. */
#define CSB_MAX_RINGS 256U

int csb_kloop_cfg_validate(const struct csb_kloop_cfg *cfg)
{
	uint32_t rings;

	if (cfg == NULL)
		return -EINVAL;
	rings = cfg->num_tx_rings + cfg->num_rx_rings;
	if (rings == 0 || cfg->num_tx_rings > CSB_MAX_RINGS ||
	    cfg->num_rx_rings > CSB_MAX_RINGS)
		return -EINVAL;
	if (cfg->sleep_us > CSB_SLEEP_US_MAX)
		return -EINVAL;
	if ((cfg->direct & ~(CSB_DIRECT_TX | CSB_DIRECT_RX)) != 0)
		return -EINVAL;
	/* Direct mode runs a ring from the kicker's wake-up; without the
	 * eventfds there is no kicker and the direction would never run. */
	if (cfg->direct != 0 && !cfg->eventfds)
		return -EINVAL;
	return 0;
}

enum csb_host_mode csb_kloop_cfg_mode(const struct csb_kloop_cfg *cfg,
				      enum nm_kring_dir dir)
{
	uint32_t bit = dir == NM_KRING_TX ? CSB_DIRECT_TX : CSB_DIRECT_RX;

	if (!cfg->eventfds)
		return CSB_MODE_BUSY_WAIT;
	return (cfg->direct & bit) != 0 ? CSB_MODE_DIRECT : CSB_MODE_EVENTFD;
}

int csb_check_layout(const struct nm_csb_atok *atok,
		     const struct nm_csb_ktoa *ktoa, uint32_t nrings)
{
	unsigned long a = (unsigned long)atok, k = (unsigned long)ktoa;
	unsigned long len = (unsigned long)nrings * 64UL;

	NM_STATIC_ASSERT(sizeof(struct nm_csb_atok) == 64, "one line per ring");
	NM_STATIC_ASSERT(sizeof(struct nm_csb_ktoa) == 64, "one line per ring");
	if (atok == NULL || ktoa == NULL || nrings == 0 ||
	    nrings > 2 * CSB_MAX_RINGS)
		return -EINVAL;
	if ((a & 63UL) != 0 || (k & 63UL) != 0)
		return -EINVAL;
	/* Each line must have a single writer: the arrays may not overlap. */
	if (a < k + len && k < a + len)
		return -EINVAL;
	return 0;
}
