/* AE3 HP demo only: before the common demo's main() runs, start the HE core
 * by setting PPU-HE's power policy to ON (PWPR at 0x1A601000, mode ON = 0x8;
 * Arm PPU architecture; PPU-HE address from reference/targets.md §4.2). On
 * silicon the HP would ask the Secure Enclave to boot a DEFERRED HE image
 * (§4.3); the simulator models that request as this PPU write. Linked with
 * -Wl,--wrap=main so the shared demo sources stay unchanged. */
#include <stdint.h>

#define PPU_HE_PWPR (*(volatile uint32_t *)0x1A601000u)
#define PPU_MODE_ON 0x8u

int __real_main(void);
int __wrap_main(void);

int __wrap_main(void)
{
	PPU_HE_PWPR = PPU_MODE_ON;
	return __real_main();
}
