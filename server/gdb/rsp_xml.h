/* target.xml and memory-map XML, built from the core's features and the
 * target description (gdb manual "Target Descriptions", "Memory Map Format";
 * reference/clients.md §3-4). */
#ifndef SW_RSP_XML_H
#define SW_RSP_XML_H

#include <stddef.h>

#include "cortexm/core.h"
#include "targets/target.h"

/* Registers gdb sees for this core, in remote-number order. */
size_t rsp_core_regs(const struct sw_core_info *info, unsigned *regnos, size_t max);
/* Write a NUL-terminated document into buf; returns its length or 0 if too small. */
size_t rsp_target_xml(const struct sw_core_info *info, char *buf, size_t cap);
size_t rsp_memory_map_xml(const struct sw_target_desc *desc, char *buf, size_t cap);

#endif
