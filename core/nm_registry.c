/*
 * nm_registry.c - the namespace of software ports (see nm_registry.h).
 *
 * Owns: only the registry's lifetime; the switches and pipes in it are
 * created and destroyed by vale_switch.c and nm_pipe.c under reg->lock.
 */
#include "nm_registry.h"

int nm_registry_init(struct nm_registry *reg)
{
	nm_os_memset(reg, 0, sizeof(*reg));
	return nm_os_lock_init(&reg->lock);
}

void nm_registry_fini(struct nm_registry *reg)
{
	uint32_t i;

	for (i = 0; i < NM_REGISTRY_MAX_SWITCHES; i++)
		NM_ASSERT(reg->sw[i] == NULL);
	NM_ASSERT(reg->pipes == NULL);
	nm_os_lock_fini(&reg->lock);
}
