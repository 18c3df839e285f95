/* Target lookup by name or J-Link device alias. */
#include <strings.h>

#include "targets/targets_priv.h"

static const struct sw_target_desc *const all[] = {&sw_target_stm32h743, &sw_target_ae3, &sw_target_adiv6_m55,
						   &sw_target_stm32f407, &sw_target_mimxrt1062, &sw_target_stm32n657,
						   &sw_target_ae3_hp, &sw_target_ae3_he, NULL};

const struct sw_target_desc *const *sw_target_list(void)
{
	return all;
}

const struct sw_target_desc *sw_target_find(const char *name)
{
	for (size_t i = 0; all[i]; i++) {
		if (!strcasecmp(all[i]->name, name))
			return all[i];
		for (size_t a = 0; all[i]->aliases && all[i]->aliases[a]; a++)
			if (!strcasecmp(all[i]->aliases[a], name))
				return all[i];
	}
	return NULL;
}
