# Flash loaders: Thumb code from flashloaders/*.c, built with arm-none-eabi-gcc
# into blobs, then into C arrays in $(B)/gen (never committed). Each loader is
# linked at two base addresses and the two binaries must be identical, which
# proves the code is position independent.
LOADER_CFLAGS := -mthumb -mcpu=cortex-m3 -Os -ffreestanding -fno-builtin -nostdlib \
                 -fno-common -Wall -Wextra -Werror -std=c17 -fno-jump-tables -fomit-frame-pointer
LOADERS := stm32h7 rt1062_flexspi n657_xspi ae3_mram
LOADER_GEN := $(LOADERS:%=$(B)/gen/loader_%.c)
.SECONDARY: $(LOADERS:%=$(B)/loaders/%-0.elf) $(LOADERS:%=$(B)/loaders/%-1.elf)
LOADER_COMMON := flashloaders/common.c flashloaders/common.h flashloaders/abi.h flashloaders/loader.ld $(wildcard targets/regs/*.h)

$(B)/loaders/%-0.elf: flashloaders/%.c $(LOADER_COMMON)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(LOADER_CFLAGS) -Wl,--defsym=LOADER_BASE=0 -T flashloaders/loader.ld -o $@ $< flashloaders/common.c

$(B)/loaders/%-1.elf: flashloaders/%.c $(LOADER_COMMON)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(LOADER_CFLAGS) -Wl,--defsym=LOADER_BASE=0x20001000 -T flashloaders/loader.ld -o $@ $< flashloaders/common.c

$(B)/gen/loader_%.c: $(B)/loaders/%-0.elf $(B)/loaders/%-1.elf scripts/blob2c
	@mkdir -p $(dir $@)
	arm-none-eabi-objcopy -O binary -j .text $(B)/loaders/$*-0.elf $(B)/loaders/$*-0.bin
	arm-none-eabi-objcopy -O binary -j .text $(B)/loaders/$*-1.elf $(B)/loaders/$*-1.bin
	@cmp -s $(B)/loaders/$*-0.bin $(B)/loaders/$*-1.bin || \
		{ echo "flash loader $* is not position independent"; exit 1; }
	scripts/blob2c $* $(B)/loaders/$*-0.elf $(B)/loaders/$*-0.bin > $@.tmp && mv $@.tmp $@
