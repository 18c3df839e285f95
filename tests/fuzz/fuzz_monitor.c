/* libFuzzer target: monitor command lines (qRcmd) parsed and executed on a
 * simulated STM32H743 with the demo loaded: every handler's argument parsing
 * (numbers, symbols, ranges, modes) on hostile text. One board for the whole
 * run; its state carries over between inputs, as in a long gdb session. */
#include <stdint.h>
#include <string.h>

#include "server/gdb/rsp_client.h"
#include "tests/fuzz/fuzz_board.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct board *b = board_get();
	char line[256];
	bool changed;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = 0;
	/* Whole-chip erases and resets are valid commands but cost seconds of
	 * simulated flash time each; their argument parsing is reached through
	 * the other forms (erase ADDR LEN, reset MODE...). */
	if (strstr(line, "erase all") || strstr(line, "erase flash-bank"))
		return 0;
	/* J-Link's sleep and waithalt wait in wall time by design (seconds);
	 * their number parsing is the one memU32/setbp/clrbp share. */
	if (strstr(line, "sleep") || strstr(line, "waithalt"))
		return 0;
	rsp_monitor(&b->s, line, &changed);
	b->s.console[0] = 0;
	return 0;
}
