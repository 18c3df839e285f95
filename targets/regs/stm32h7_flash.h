/* STM32H743 embedded flash controller registers (RM0433 §4.9), shared by
 * the host-driven driver (targets/stm32h743_flash.c) and the on-target
 * loader (flashloaders/stm32h7.c). Plain constants only: both compilers
 * include it. */
#ifndef SW_REGS_STM32H7_FLASH_H
#define SW_REGS_STM32H7_FLASH_H

#define H7_FLASH_BASE 0x08000000u
#define H7_FLASH_BANK2 0x08100000u
#define H7_FLASH_BANK_SIZE 0x00100000u
#define H7_FLASH_WORD 32u /* 256-bit flash word (§4.3.9) */
#define H7_FLASH_REGS 0x52002000u
#define H7_FLASH_KEYR(b) (H7_FLASH_REGS + 0x100u * (b) + 0x04u)
#define H7_FLASH_CR(b) (H7_FLASH_REGS + 0x100u * (b) + 0x0Cu)
#define H7_FLASH_SR(b) (H7_FLASH_REGS + 0x100u * (b) + 0x10u)
#define H7_FLASH_CCR(b) (H7_FLASH_REGS + 0x100u * (b) + 0x14u)
#define H7_KEY1 0x45670123u
#define H7_KEY2 0xCDEF89ABu
#define H7_CR_LOCK (1u << 0)
#define H7_CR_PG (1u << 1)
#define H7_CR_SER (1u << 2)
#define H7_CR_BER (1u << 3)
#define H7_CR_PSIZE_X64 (3u << 4)
#define H7_CR_START (1u << 7)
#define H7_CR_SNB(n) ((n) << 8)
#define H7_SR_BSY (1u << 0)
#define H7_SR_WBNE (1u << 1)
#define H7_SR_QW (1u << 2)
/* WRPERR, PGSERR, STRBERR, INCERR, OPERR, RDPERR, RDSERR, SNECCERR, DBECCERR */
#define H7_SR_ERRORS 0x07EE0000u
#define H7_SR_CLEAR (H7_SR_ERRORS | (1u << 16)) /* + EOP */

#endif
