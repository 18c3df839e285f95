/* STM32N6 XSPI2 registers (RM0486 XSPI; reference/targets.md §2.4), shared
 * by the host-driven NOR driver (targets/stm32n657_xspi.c) and the loader
 * (flashloaders/n657_xspi.c). Plain constants only: both compilers include it. */
#ifndef SW_REGS_STM32_XSPI_H
#define SW_REGS_STM32_XSPI_H

#define XSPI2 0x5802A000u
#define XSPI_CR (XSPI2 + 0x000u)
#define XSPI_DCR1 (XSPI2 + 0x008u)
#define XSPI_SR (XSPI2 + 0x020u)
#define XSPI_FCR (XSPI2 + 0x024u)
#define XSPI_DLR (XSPI2 + 0x040u)
#define XSPI_AR (XSPI2 + 0x048u)
#define XSPI_DR (XSPI2 + 0x050u)
#define XSPI_CCR (XSPI2 + 0x100u)
#define XSPI_TCR (XSPI2 + 0x108u)
#define XSPI_IR (XSPI2 + 0x110u)
#define CR_EN (1u << 0)
#define CR_ABORT (1u << 1)
#define CR_FMODE_MASK (3u << 28)
#define CR_FMODE_IND_WRITE (0u << 28)
#define CR_FMODE_IND_READ (1u << 28)
#define CR_FMODE_MMAP (3u << 28)
#define SR_BUSY (1u << 5)
#define SR_TCF (1u << 1)
#define CCR_IMODE_1 (1u << 0)
#define CCR_ADMODE_1 (1u << 8)
#define CCR_ADSIZE_32 (3u << 12)
#define CCR_DMODE_1 (1u << 24)
#define DCR1_DEVSIZE_128M (26u << 16) /* 2^(26+1) bytes */
#define PAGE 256u /* serial NOR page program size (bytes) */
/* RCC (secure alias 0x56028000): XSPI2 and XSPIM kernel/bus clocks in
 * AHB5ENR, set through AHB5ENSR (RM0486 RCC; off after reset until the
 * boot ROM boots from the NOR). */
#define RCC_AHB5ENR 0x56028260u
#define RCC_AHB5ENSR 0x56028A60u
#define RCC_AHB5ENR_XSPI2EN (1u << 12)
#define RCC_AHB5ENR_XSPIMEN (1u << 13)

#endif
