/* A double-precision workload as gcc -mfpu=fpv5-d16 -O2 compiles it:
 * arithmetic, fused multiply-add, square root, conversions, rounding,
 * comparisons and selects. The test recomputes every result on the host
 * and compares the bits. */
#include <math.h>
#include <stdint.h>

#include "dp_loop.h"

volatile double dp_in[4] = {1.1, 2.7, -0.3, 1e-300};
double dp_out[DP_OUT];
volatile uint32_t dp_runs;

void dp_run(void)
{
	double acc = 0.0, x0 = dp_in[0], x1 = dp_in[1], x2 = dp_in[2], tiny = dp_in[3];

	for (unsigned i = 0; i < 64; i++)
		acc = acc * 1.0000001 + dp_in[i & 3u] / 3.0;
	dp_out[0] = acc;
	dp_out[1] = sqrt(x1);
	dp_out[2] = fma(x0, x1, x2);
	dp_out[3] = (double)(float)x0;
	dp_out[4] = (double)(int32_t)(x1 * 1000.7);
	dp_out[5] = floor(x2) + ceil(x0) * 10.0 + round(x1) * 100.0;
	dp_out[6] = x0 > x1 ? x0 - x1 : x1 - x0;
	dp_out[7] = tiny * 1e-10; /* subnormal result */
	dp_out[8] = -x2 / 7.0;
	dp_out[9] = (double)(uint32_t)(x1 * 1e9);
	dp_runs++;
}
