/* i.MX RT1060 FlexSPI1 registers and IP-command bits (RM ch. 27; reference/
 * targets.md §3.4), shared by the host-driven NOR driver
 * (targets/mimxrt1062_flexspi.c) and the loader (flashloaders/
 * rt1062_flexspi.c). Plain constants only: both compilers include it. */
#ifndef SW_REGS_IMXRT_FLEXSPI_H
#define SW_REGS_IMXRT_FLEXSPI_H

#define FSPI 0x402A8000u
#define FSPI_MCR0 (FSPI + 0x000u)
#define FSPI_INTR (FSPI + 0x014u)
#define FSPI_IPCR0 (FSPI + 0x0A0u)
#define FSPI_IPCR1 (FSPI + 0x0A4u)
#define FSPI_IPCMD (FSPI + 0x0B0u)
#define FSPI_IPRXFCR (FSPI + 0x0B8u)
#define FSPI_IPTXFCR (FSPI + 0x0BCu)
#define FSPI_RFDR (FSPI + 0x100u)
#define FSPI_TFDR (FSPI + 0x180u)
#define MCR0_SWRESET (1u << 0)
#define INTR_IPCMDDONE (1u << 0)
#define INTR_IPCMDGE (1u << 1)
#define INTR_IPCMDERR (1u << 3)
#define INTR_IPTXWE (1u << 6)
#define PAGE 256u /* serial NOR page program size (bytes) */

#endif
