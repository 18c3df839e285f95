# Target-side code built with arm-none-eabi-gcc: the demo firmware for each
# simulated board, and (later) the flash loaders. Nothing built here is
# committed; the outputs live under $(B)/fw.
ARM_FLAGS := -mthumb -mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16 -g -O1 \
             -ffunction-sections -fdata-sections -Wall -Wextra -Werror -std=c17
FW_ELFS := $(if $(wildcard firmware/demo/stm32h743.ld),$(B)/fw/demo-h743.elf)

DEMO_SRCS := $(wildcard firmware/demo/*.c)
$(B)/fw/demo-h743.elf: $(DEMO_SRCS) $(wildcard firmware/demo/*.h) firmware/demo/stm32h743.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_FLAGS) -nostartfiles -specs=nano.specs -specs=nosys.specs \
		-T firmware/demo/stm32h743.ld -Wl,--gc-sections -o $@ $(DEMO_SRCS)
