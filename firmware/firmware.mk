# Target-side code built with arm-none-eabi-gcc: the demo firmware for each
# simulated board. Nothing built here is committed; outputs go to $(B)/fw.
ARM_COMMON := -mthumb -g -O1 -ffunction-sections -fdata-sections -Wall -Wextra -Werror -std=c17 \
              -nostartfiles -specs=nano.specs -specs=nosys.specs -Wl,--gc-sections
# H743: Cortex-M7 with FPv5. M55 part: built for the Cortex-M33 (ARMv8-M
# Mainline, soft float, no MVE) because the simulator's CPU is Unicorn's M33
# model standing in for the M55 (ARCHITECTURE.md §4).
ARM_FLAGS_H743 := -mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16
ARM_FLAGS_M55 := -mcpu=cortex-m33 -mfloat-abi=soft
FW_ELFS := $(if $(wildcard firmware/demo/stm32h743.ld),$(B)/fw/demo-h743.elf $(B)/fw/demo-m55.elf)

DEMO_SRCS := $(wildcard firmware/demo/*.c)
DEMO_DEPS := $(DEMO_SRCS) $(wildcard firmware/demo/*.h) firmware/firmware.mk

$(B)/fw/demo-h743.elf: $(DEMO_DEPS) firmware/demo/stm32h743.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -T firmware/demo/stm32h743.ld -o $@ $(DEMO_SRCS)

$(B)/fw/demo-m55.elf: $(DEMO_DEPS) firmware/demo/m55.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_M55) $(ARM_COMMON) -T firmware/demo/m55.ld -o $@ $(DEMO_SRCS)

# Test builds of the H743 demo (issue #14 item 6): _SEGGER_RTT moved by
# 1 KiB as a rebuild moves it, and a build without RTT at all.
FW_ELFS += $(if $(wildcard firmware/demo/stm32h743.ld),$(B)/fw/demo-h743-rttmoved.elf $(B)/fw/demo-h743-nortt.elf)
$(B)/fw/demo-h743-rttmoved.elf: $(DEMO_DEPS) firmware/demo/stm32h743.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -DDEMO_RTT_SHIFT=1024 -T firmware/demo/stm32h743.ld -o $@ $(DEMO_SRCS)
$(B)/fw/demo-h743-nortt.elf: $(DEMO_DEPS) firmware/demo/stm32h743.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -DDEMO_NO_RTT -T firmware/demo/stm32h743.ld -o $@ $(DEMO_SRCS)

# STM32F407: Cortex-M4F (FPv4-SP: single precision only), its own layout.
ARM_FLAGS_F407 := -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16
FW_ELFS += $(if $(wildcard firmware/demo/stm32f407.ld),$(B)/fw/demo-f407.elf)

$(B)/fw/demo-f407.elf: $(DEMO_DEPS) firmware/demo/stm32f407.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_F407) $(ARM_COMMON) -T firmware/demo/stm32f407.ld -o $@ $(DEMO_SRCS)

# MIMXRT1062: Cortex-M7 like the H743; an XIP image with FCB/IVT in the NOR.
FW_ELFS += $(if $(wildcard firmware/demo/mimxrt1062.ld),$(B)/fw/demo-rt1062.elf)
$(B)/fw/demo-rt1062.elf: $(DEMO_DEPS) firmware/demo/mimxrt1062.ld firmware/demo/rt1062/boot_hdr.c
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -T firmware/demo/mimxrt1062.ld -o $@ $(DEMO_SRCS) \
		firmware/demo/rt1062/boot_hdr.c

# Two MIMXRT1062 images whose FCB LUT holds only the read sequence (as
# Teensy 4.x images ship), told apart by demo_text: quad read and fast read.
FW_ELFS += $(if $(wildcard firmware/demo/mimxrt1062.ld),$(B)/fw/rt1062-readlut-a.elf $(B)/fw/rt1062-readlut-b.elf)
$(B)/fw/rt1062-readlut-a.elf: $(DEMO_DEPS) firmware/demo/mimxrt1062.ld firmware/demo/rt1062/boot_hdr.c
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -DRT_FCB_READ_ONLY=1 '-DDEMO_TEXT="read-only LUT A"' \
		-T firmware/demo/mimxrt1062.ld -o $@ $(DEMO_SRCS) firmware/demo/rt1062/boot_hdr.c
$(B)/fw/rt1062-readlut-b.elf: $(DEMO_DEPS) firmware/demo/mimxrt1062.ld firmware/demo/rt1062/boot_hdr.c
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -DRT_FCB_READ_ONLY=2 '-DDEMO_TEXT="read-only LUT B"' \
		-T firmware/demo/mimxrt1062.ld -o $@ $(DEMO_SRCS) firmware/demo/rt1062/boot_hdr.c

# STM32N657: the M55 stand-in build (as for the ADIv6 part), linked as an
# FSBL that the boot ROM copies from the XSPI2 NOR into AXISRAM2.
FW_ELFS += $(if $(wildcard firmware/demo/stm32n657.ld),$(B)/fw/demo-n657.elf)
$(B)/fw/demo-n657.elf: $(DEMO_DEPS) firmware/demo/stm32n657.ld firmware/demo/n657/fsbl_hdr.c
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_M55) $(ARM_COMMON) -T firmware/demo/stm32n657.ld -o $@ $(DEMO_SRCS) \
		firmware/demo/n657/fsbl_hdr.c

# Alif AE3: one image per core (HP in MRAM at 0x80000000, HE at 0x80320000,
# data in each core's DTCM); the HP image also starts the HE core.
FW_ELFS += $(if $(wildcard firmware/demo/ae3_hp.ld),$(B)/fw/demo-ae3-hp.elf $(B)/fw/demo-ae3-he.elf)

$(B)/fw/demo-ae3-hp.elf: $(DEMO_DEPS) firmware/demo/ae3_hp.ld firmware/ae3/ae3_hp_start.c
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_M55) $(ARM_COMMON) -Wl,--wrap=main -T firmware/demo/ae3_hp.ld -o $@ \
		$(DEMO_SRCS) firmware/ae3/ae3_hp_start.c

$(B)/fw/demo-ae3-he.elf: $(DEMO_DEPS) firmware/demo/ae3_he.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_M55) $(ARM_COMMON) -T firmware/demo/ae3_he.ld -o $@ $(DEMO_SRCS)

# Semihosting test firmware (issue 17) for the simulated H743, with the
# demo's start-up code.
FW_ELFS += $(if $(wildcard firmware/semihost/main.c),$(B)/fw/semihost-h743.elf)
$(B)/fw/semihost-h743.elf: firmware/semihost/main.c firmware/demo/startup.c firmware/demo/demo.h \
		firmware/demo/stm32h743.ld firmware/firmware.mk
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -Ifirmware/demo -T firmware/demo/stm32h743.ld -o $@ \
		firmware/semihost/main.c firmware/demo/startup.c

# Fault test images (issue #14 item 8): the H743 layout, a stray read after a
# few loops; -DFAULT_LOCKUP faults again in the HardFault handler (lockup).
FW_ELFS += $(B)/fw/fault-h743.elf $(B)/fw/fault-lockup-h743.elf
$(B)/fw/fault-h743.elf: firmware/fault/fault.c firmware/demo/stm32h743.ld firmware/firmware.mk
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -T firmware/demo/stm32h743.ld -o $@ $<

$(B)/fw/fault-lockup-h743.elf: firmware/fault/fault.c firmware/demo/stm32h743.ld firmware/firmware.mk
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -DFAULT_LOCKUP -T firmware/demo/stm32h743.ld -o $@ $<

# Firmware of our own that runs real start-up sequences (issue #19):
# clock trees, power, FlexRAM, SysTick interrupts, double precision.
# -O2 and -fno-math-errno so gcc emits FPv5 DP instructions inline
# (vsqrt, vfma, vrint*, vsel).
REALFW_DEPS := $(wildcard firmware/realfw/*.h) firmware/realfw/crt.c firmware/firmware.mk
REALFW_CFLAGS := -mthumb -g -O2 -fno-math-errno -ffunction-sections -fdata-sections -Wall -Wextra \
	-Werror -std=c17 -nostartfiles -specs=nano.specs -specs=nosys.specs -Wl,--gc-sections
FW_ELFS += $(B)/fw/realfw-h743.elf
$(B)/fw/realfw-h743.elf: firmware/realfw/vectors.c firmware/realfw/h7_main.c firmware/realfw/dp_loop.c \
		firmware/realfw/stm32h743.ld $(REALFW_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(REALFW_CFLAGS) -T firmware/realfw/stm32h743.ld -o $@ \
		firmware/realfw/vectors.c firmware/realfw/h7_main.c firmware/realfw/dp_loop.c firmware/realfw/crt.c -lm

FW_ELFS += $(B)/fw/realfw-rt1062.elf
$(B)/fw/realfw-rt1062.elf: firmware/realfw/rt_startup.c firmware/realfw/rt_main.c firmware/realfw/dp_loop.c firmware/realfw/crt.c \
		firmware/realfw/mimxrt1062.ld firmware/demo/rt1062/boot_hdr.c $(REALFW_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(REALFW_CFLAGS) -T firmware/realfw/mimxrt1062.ld -o $@ \
		firmware/realfw/rt_startup.c firmware/realfw/rt_main.c firmware/realfw/dp_loop.c firmware/realfw/crt.c \
		firmware/demo/rt1062/boot_hdr.c -lm

# STM32N657 FSBL for the blank-board (dev-boot) deploy test: the demo's
# FSBL layout and header, our own code.
FW_ELFS += $(B)/fw/realfw-n657.elf
$(B)/fw/realfw-n657.elf: firmware/realfw/vectors.c firmware/realfw/n6_main.c firmware/demo/stm32n657.ld \
		firmware/demo/n657/fsbl_hdr.c $(REALFW_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_M55) $(REALFW_CFLAGS) -T firmware/demo/stm32n657.ld -o $@ \
		firmware/realfw/vectors.c firmware/realfw/n6_main.c firmware/realfw/crt.c firmware/demo/n657/fsbl_hdr.c

# I-cache test firmware (issue #18): CCR.IC on, code run from AXI SRAM at
# the H7 loader's place; the demo's H743 layout.
FW_ELFS += $(B)/fw/icache-h743.elf
$(B)/fw/icache-h743.elf: firmware/icache/icache.c firmware/demo/stm32h743.ld firmware/firmware.mk
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -T firmware/demo/stm32h743.ld -o $@ $<
# Debug-register timing on a slow core (issue #18): the H743 switched to
# CSI/512 = 7.8125 kHz (firmware/slowclk, its own layout and startup).
FW_ELFS += $(if $(wildcard firmware/slowclk/slowclk.ld),$(B)/fw/slowclk-h743.elf)
$(B)/fw/slowclk-h743.elf: firmware/slowclk/slowclk.c firmware/slowclk/slowclk.ld firmware/firmware.mk
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS_H743) $(ARM_COMMON) -T firmware/slowclk/slowclk.ld -o $@ firmware/slowclk/slowclk.c
