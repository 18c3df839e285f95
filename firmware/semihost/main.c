/* Semihosting test firmware (issue 17): says hello through SYS_WRITE0,
 * reads a host file through SYS_OPEN/FLEN/READ (served by gdb's File-I/O),
 * echoes it through SYS_WRITE on ":tt", records a few other calls in
 * globals for the test to read, and ends with SYS_EXIT_EXTENDED whose
 * status is the number of bytes read (or plain SYS_EXIT when the debugger
 * sets sh_use_plain_exit). Operation numbers and parameter blocks:
 * "Semihosting for AArch32 and AArch64" v2.0, "Semihosting operations". */
#include <stdint.h>

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define SYS_ISTTY 0x09
#define SYS_FLEN 0x0C
#define SYS_CLOCK 0x10
#define SYS_TIME 0x11
#define SYS_ERRNO 0x13
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define APP_EXIT 0x20026u /* ADP_Stopped_ApplicationExit */
#define MODE_R 0u
#define MODE_W 4u

volatile uint32_t sh_use_plain_exit;
char sh_input[64];
int32_t sh_flen, sh_read_left, sh_istty, sh_missing_fd, sh_errno, sh_clock;
uint32_t sh_time;

static int32_t sh_call(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt #0xAB" : "+r"(r0) : "r"(r1) : "memory");
	return (int32_t)r0;
}

static uint32_t len(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

static int32_t sh_open(const char *name, uint32_t mode)
{
	uint32_t a[3] = {(uint32_t)(uintptr_t)name, mode, len(name)};

	return sh_call(SYS_OPEN, a);
}

static void sh_write(int32_t fd, const char *buf, uint32_t n)
{
	uint32_t a[3] = {(uint32_t)fd, (uint32_t)(uintptr_t)buf, n};

	sh_call(SYS_WRITE, a);
}

int main(void)
{
	uint32_t a[3], n = 0;
	int32_t fd, tt;

	sh_call(SYS_WRITE0, "hello from semihosting\n");
	sh_missing_fd = sh_open("no-such-file.txt", MODE_R);
	sh_errno = sh_call(SYS_ERRNO, 0);
	fd = sh_open("semihost-input.txt", MODE_R);
	if (fd >= 0) {
		a[0] = (uint32_t)fd;
		sh_flen = sh_call(SYS_FLEN, a);
		a[1] = (uint32_t)(uintptr_t)sh_input;
		a[2] = sizeof(sh_input) - 1;
		sh_read_left = sh_call(SYS_READ, a);
		n = sizeof(sh_input) - 1 - (uint32_t)sh_read_left;
		sh_input[n] = 0;
		sh_call(SYS_CLOSE, a);
	}
	tt = sh_open(":tt", MODE_W);
	a[0] = (uint32_t)tt;
	sh_istty = sh_call(SYS_ISTTY, a);
	sh_write(tt, "file: ", 6);
	sh_write(tt, sh_input, n);
	sh_time = (uint32_t)sh_call(SYS_TIME, 0);
	sh_clock = sh_call(SYS_CLOCK, 0);
	if (sh_use_plain_exit)
		sh_call(SYS_EXIT, (const void *)(uintptr_t)APP_EXIT);
	a[0] = APP_EXIT;
	a[1] = n;
	sh_call(SYS_EXIT_EXTENDED, a);
	for (;;)
		;
}
