/* A read cache of flash contents for gdb's small code reads (issue #20):
 * after every `stepi` gdb reads the same few words around the PC a dozen
 * times or more; served from here they cost no probe round trip. Filled by
 * the reads gdb makes while the core is halted, in aligned lines; dropped
 * whole by the RSP layer on anything that may change flash (programming,
 * reset, monitor commands, a resume other than a single step). */
#ifndef SW_READ_CACHE_H
#define SW_READ_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "cortexm/core.h"
#include "targets/target.h"

struct sw_read_cache;

int sw_read_cache_new(const struct sw_target_desc *desc, struct sw_read_cache **out);
void sw_read_cache_free(struct sw_read_cache *rc);
void sw_read_cache_drop(struct sw_read_cache *rc);
/* Read [addr, addr+len) through the cache when it lies in one flash region,
 * else straight from the core. Same errors as sw_core_mem_read. */
int sw_read_cache_read(struct sw_read_cache *rc, struct sw_core *core, uint32_t addr, void *buf, size_t len);

struct sw_read_cache_stats {
	unsigned long long hits, fills;
};
void sw_read_cache_get_stats(const struct sw_read_cache *rc, struct sw_read_cache_stats *st);

#endif
