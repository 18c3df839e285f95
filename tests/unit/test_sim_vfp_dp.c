/* Double-precision VFP emulation (sim/sim_vfp_dp.c): results bit for bit
 * against the host's IEEE 754 binary64 arithmetic in every FPSCR rounding
 * mode, and the Arm rules where a host differs (default NaN, NaN
 * precedence, underflow before rounding, flush-to-zero, saturating
 * conversions). Encodings are the ones arm-none-eabi-as emits for
 * -mfpu=fpv5-d16. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "sim/sim_vfp_dp.h"
#include "tests/test.h"

#define IOC 0x01u
#define DZC 0x02u
#define OFC 0x04u
#define UFC 0x08u
#define IXC 0x10u
#define IDC 0x80u
#define FLAGS 0x9Fu
#define FZ (1u << 24)
#define DN (1u << 25)
#define DEFAULT_NAN 0x7FF8000000000000ull

static uint64_t bits(double d)
{
	uint64_t b;

	memcpy(&b, &d, 8);
	return b;
}

static double dbl(uint64_t b)
{
	double d;

	memcpy(&d, &b, 8);
	return d;
}

/* Data-processing encoding: opc1 (bits 23, 21:20), op (bit 6), Dd, Dn, Dm. */
static uint32_t dp(unsigned opc1, unsigned op, unsigned d, unsigned n, unsigned m)
{
	return 0xEE000B00u | ((opc1 & 4u) << 21) | ((opc1 & 3u) << 20) | ((d & 16u) << 18) |
	       ((n & 15u) << 16) | ((d & 15u) << 12) | ((n & 16u) << 3) | (op << 6) |
	       ((m & 16u) << 1) | (m & 15u);
}

/* Run one instruction on D1 = D2 op D3 (or the given layout). */
static struct sim_vfp run(uint32_t insn, uint64_t d1, uint64_t d2, uint64_t d3, uint32_t fpscr)
{
	struct sim_vfp v;

	memset(&v, 0, sizeof(v));
	v.d[1] = d1;
	v.d[2] = d2;
	v.d[3] = d3;
	v.fpscr = fpscr;
	CHECK_EQ_U(sim_vfp_dp_exec(&v, insn), SIM_VFP_DONE);
	return v;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Operands: random bit patterns (finite), and values near the edges. */
static uint64_t operand(void)
{
	static const double edges[] = {0.0, -0.0, 1.0, -1.0, 3.0, 0.1, 1e308, -1e308, DBL_MAX,
				       DBL_MIN, 4.9e-324, 1e-310, INFINITY, -INFINITY, 2.0, 0.5};
	uint64_t r = rnd();

	if ((r & 7u) == 0)
		return bits(edges[(r >> 3) % (sizeof(edges) / sizeof(edges[0]))]);
	r = rnd();
	if ((r & 0x7FF0000000000000ull) == 0x7FF0000000000000ull)
		r ^= 0x4000000000000000ull; /* no NaN here: NaNs have their own tests */
	return r;
}

static const int host_modes[4] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};

/* Host reference for d1 = op(d1, d2, d3) with its IEEE flags. */
static uint64_t host(unsigned which, uint64_t a1, uint64_t a2, uint64_t a3, unsigned mode,
		     unsigned *flags)
{
	volatile double d = dbl(a1), n = dbl(a2), m = dbl(a3), r;
	int exc;

	fesetround(host_modes[mode]);
	feclearexcept(FE_ALL_EXCEPT);
	switch (which) {
	case 0: r = n + m; break;
	case 1: r = n - m; break;
	case 2: r = n * m; break;
	case 3: r = n / m; break;
	case 4: r = sqrt(m); break;
	case 5: r = fma(n, m, d); break;
	default: r = fma(-n, m, d); break;
	}
	exc = fetestexcept(FE_ALL_EXCEPT);
	fesetround(FE_TONEAREST);
	*flags = (exc & FE_INVALID ? IOC : 0) | (exc & FE_DIVBYZERO ? DZC : 0) |
		 (exc & FE_OVERFLOW ? OFC : 0) | (exc & FE_INEXACT ? IXC : 0);
	return isnan(r) ? DEFAULT_NAN : bits(r);
}

static void test_against_host(void)
{
	/* VADD, VSUB, VMUL, VDIV, VSQRT, VFMA, VFMS */
	const uint32_t insns[7] = {dp(3, 0, 1, 2, 3), dp(3, 1, 1, 2, 3), dp(2, 0, 1, 2, 3),
				   dp(4, 0, 1, 2, 3), 0xEEB11BC3u, dp(6, 0, 1, 2, 3),
				   dp(6, 1, 1, 2, 3)};
	unsigned mismatches = 0, runs = 0;

	for (unsigned which = 0; which < 7; which++)
		for (unsigned mode = 0; mode < 4; mode++)
			for (unsigned i = 0; i < 4000; i++) {
				uint64_t a = operand(), b = operand(), c = operand();
				unsigned hf;
				uint64_t want = host(which, a, b, c, mode, &hf);
				struct sim_vfp v = run(insns[which], a, b, c, mode << 22);
				runs++;
				/* UFC follows the Arm rule, checked on its own below. */
				if (v.d[1] != want || (v.fpscr & (FLAGS & ~UFC)) != hf) {
					if (mismatches++ < 5)
						CHECK_MSG(0,
							  "op %u mode %u: %016llx %016llx %016llx -> "
							  "%016llx flags %02x, host %016llx %02x",
							  which, mode, (unsigned long long)a,
							  (unsigned long long)b, (unsigned long long)c,
							  (unsigned long long)v.d[1], v.fpscr & FLAGS,
							  (unsigned long long)want, hf);
				}
			}
	CHECK_MSG(mismatches == 0, "%u of %u differ from the host", mismatches, runs);
}

/* VMLA is not fused: the product is rounded first. */
static void test_vmla_two_roundings(void)
{
	double a = 1.0 + 0x1p-52, b = 1.0 - 0x1p-52, c = -1.0;
	volatile double p = a * b;
	struct sim_vfp v = run(dp(0, 0, 1, 2, 3), bits(c), bits(a), bits(b), 0);

	CHECK_EQ_U(v.d[1], bits(p + c));
	v = run(dp(6, 0, 1, 2, 3), bits(c), bits(a), bits(b), 0);
	CHECK_EQ_U(v.d[1], bits(fma(a, b, c))); /* VFMA: -2^-104, one rounding */
	CHECK(v.d[1] != bits(p + c));
	v = run(dp(1, 1, 1, 2, 3), bits(1.0), bits(2.0), bits(3.0), 0); /* VNMLA: -1 - 6 */
	CHECK_EQ_U(v.d[1], bits(-7.0));
	v = run(dp(1, 0, 1, 2, 3), bits(1.0), bits(2.0), bits(3.0), 0); /* VNMLS: -1 + 6 */
	CHECK_EQ_U(v.d[1], bits(5.0));
	v = run(dp(5, 1, 1, 2, 3), bits(1.0), bits(2.0), bits(3.0), 0); /* VFNMA */
	CHECK_EQ_U(v.d[1], bits(-7.0));
	v = run(dp(2, 1, 1, 2, 3), 0, bits(2.0), bits(3.0), 0); /* VNMUL */
	CHECK_EQ_U(v.d[1], bits(-6.0));
	v = run(0xEE3EFB0Du, 0, 0, 0, 0); /* vadd.f64 d15, d14, d13: register fields */
	CHECK_EQ_U(v.d[15], 0u);
}

static void test_nans(void)
{
	uint64_t qa = 0x7FF8000000000AAAull, qb = 0xFFF8000000000BBBull, sb = 0x7FF0000000000BBBull;
	struct sim_vfp v;

	v = run(dp(4, 0, 1, 2, 3), 0, 0, 0, 0); /* 0 / 0 */
	CHECK_EQ_U(v.d[1], DEFAULT_NAN); /* positive, unlike x86's */
	CHECK_EQ_U(v.fpscr & FLAGS, IOC);
	v = run(dp(3, 1, 1, 2, 3), 0, bits(INFINITY), bits(INFINITY), 0);
	CHECK_EQ_U(v.d[1], DEFAULT_NAN);
	v = run(dp(3, 0, 1, 2, 3), 0, qa, qb, 0); /* two quiet NaNs: the first */
	CHECK_EQ_U(v.d[1], qa);
	CHECK_EQ_U(v.fpscr & FLAGS, 0u);
	v = run(dp(3, 0, 1, 2, 3), 0, qa, sb, 0); /* a signalling one wins, quieted */
	CHECK_EQ_U(v.d[1], sb | 0x0008000000000000ull);
	CHECK_EQ_U(v.fpscr & FLAGS, IOC);
	v = run(dp(3, 0, 1, 2, 3), 0, qa, bits(1.0), DN); /* DN: default NaN */
	CHECK_EQ_U(v.d[1], DEFAULT_NAN);
	v = run(0xEEB11BC3u, 0, 0, bits(-4.0), 0); /* vsqrt.f64 d1, d3 of -4 */
	CHECK_EQ_U(v.d[1], DEFAULT_NAN);
	CHECK_EQ_U(v.fpscr & FLAGS, IOC);
	v = run(0xEEB11BC3u, 0, 0, bits(-0.0), 0);
	CHECK_EQ_U(v.d[1], bits(-0.0));
	/* VFMA: a quiet-NaN addend with inf * 0 is invalid (FPMulAdd). */
	v = run(dp(6, 0, 1, 2, 3), qa, bits(INFINITY), 0, 0);
	CHECK_EQ_U(v.d[1], DEFAULT_NAN);
	CHECK_EQ_U(v.fpscr & FLAGS, IOC);
	/* VNEG, VABS touch the sign only, NaN or not. */
	v = run(0xEEB11B43u, 0, 0, sb, 0);
	CHECK_EQ_U(v.d[1], sb | (1ull << 63));
	CHECK_EQ_U(v.fpscr & FLAGS, 0u);
	v = run(0xEEB01BC3u, 0, 0, bits(-2.5), 0);
	CHECK_EQ_U(v.d[1], bits(2.5));
}

static void test_underflow_and_flush(void)
{
	struct sim_vfp v;

	/* (1 - 2^-53) * DBL_MIN rounds up to DBL_MIN: tiny before rounding,
	 * so Arm sets UFC (a host that checks after rounding would not). */
	v = run(dp(2, 0, 1, 2, 3), 0, 0x3FEFFFFFFFFFFFFFull, bits(DBL_MIN), 0);
	CHECK_EQ_U(v.d[1], bits(DBL_MIN));
	CHECK_EQ_U(v.fpscr & FLAGS, UFC | IXC);
	/* Exact subnormal result: no UFC without FZ; flushed with UFC under FZ. */
	v = run(dp(2, 0, 1, 2, 3), 0, bits(DBL_MIN), bits(0.5), 0);
	CHECK_EQ_U(v.d[1], bits(DBL_MIN / 2));
	CHECK_EQ_U(v.fpscr & FLAGS, 0u);
	v = run(dp(2, 0, 1, 2, 3), 0, bits(-DBL_MIN), bits(0.5), FZ);
	CHECK_EQ_U(v.d[1], bits(-0.0));
	CHECK_EQ_U(v.fpscr & FLAGS, UFC);
	/* FZ: a denormal operand is zero (IDC). */
	v = run(dp(3, 0, 1, 2, 3), 0, 1, bits(0.0), FZ);
	CHECK_EQ_U(v.d[1], 0u);
	CHECK_EQ_U(v.fpscr & FLAGS, IDC);
	v = run(dp(2, 0, 1, 2, 3), 0, bits(DBL_MAX), bits(2.0), 0);
	CHECK_EQ_U(v.d[1], bits(INFINITY));
	CHECK_EQ_U(v.fpscr & FLAGS, OFC | IXC);
	v = run(dp(2, 0, 1, 2, 3), 0, bits(DBL_MAX), bits(2.0), 3u << 22); /* RZ */
	CHECK_EQ_U(v.d[1], bits(DBL_MAX));
	v = run(dp(4, 0, 1, 2, 3), 0, bits(1.0), bits(-0.0), 0);
	CHECK_EQ_U(v.d[1], bits(-INFINITY));
	CHECK_EQ_U(v.fpscr & FLAGS, DZC);
}

/* vcvt.s32.f64 s3, d1 (RZ); vcvtr.s32.f64 (FPSCR mode); .u32 forms. */
static uint32_t to_int(uint32_t insn, double x, uint32_t fpscr, uint32_t *flags)
{
	struct sim_vfp v = run(insn, bits(x), 0, 0, fpscr);

	*flags = v.fpscr & FLAGS;
	return (uint32_t)(v.d[1] >> 32); /* S3 is the high half of D1 */
}

static void test_conversions(void)
{
	uint32_t f;
	struct sim_vfp v;

	CHECK_EQ_U(to_int(0xEEFD1BC1u, -1.5, 0, &f), (uint32_t)-1);
	CHECK_EQ_U(f, IXC);
	CHECK_EQ_U(to_int(0xEEFD1BC1u, 3e9, 0, &f), 0x7FFFFFFFu);
	CHECK_EQ_U(f, IOC);
	CHECK_EQ_U(to_int(0xEEFD1BC1u, -3e9, 0, &f), 0x80000000u);
	CHECK_EQ_U(to_int(0xEEFD1BC1u, dbl(DEFAULT_NAN), 0, &f), 0u);
	CHECK_EQ_U(f, IOC);
	CHECK_EQ_U(to_int(0xEEFD1B41u, 2.5, 0, &f), 2u);       /* VCVTR, nearest even */
	CHECK_EQ_U(to_int(0xEEFD1B41u, 2.5, 1u << 22, &f), 3u); /* toward +inf */
	CHECK_EQ_U(to_int(0xEEFC1BC1u, -0.5, 0, &f), 0u);      /* U32: -0.5 -> 0, inexact */
	CHECK_EQ_U(f, IXC);
	CHECK_EQ_U(to_int(0xEEFC1BC1u, -1.0, 0, &f), 0u);
	CHECK_EQ_U(f, IOC);
	CHECK_EQ_U(to_int(0xEEFC1BC1u, 4294967295.0, 0, &f), 0xFFFFFFFFu);
	CHECK_EQ_U(f, 0u);
	CHECK_EQ_U(to_int(0xFEFC1BC1u, 2.5, 0, &f), 3u); /* VCVTA: ties away */
	CHECK_EQ_U(to_int(0xFEFF1B41u, 2.7, 0, &f), 2u); /* VCVTM.U32 */
	/* vcvt.f64.s32 d1, s3 / .u32 */
	v = run(0xEEB81BE1u, (uint64_t)0xFFFFFFFEu << 32, 0, 0, 0);
	CHECK_EQ_U(v.d[1], bits(-2.0));
	v = run(0xEEB81B61u, (uint64_t)0xFFFFFFFEu << 32, 0, 0, 0);
	CHECK_EQ_U(v.d[1], bits(4294967294.0));
	/* vcvt.f64.f32 d1, s3: exact; a signalling NaN is quieted with IOC. */
	v = run(0xEEB71AE1u, (uint64_t)0x3EAAAAABu << 32, 0, 0, 0);
	CHECK_EQ_U(v.d[1], bits((double)0.3333333432674407958984375));
	v = run(0xEEB71AE1u, (uint64_t)0x7F800001u << 32, 0, 0, 0);
	CHECK_EQ_U(v.d[1], 0x7FF8000020000000ull);
	CHECK_EQ_U(v.fpscr & FLAGS, IOC);
	/* vcvt.f32.f64 s3, d1: rounded per FPSCR. */
	for (unsigned mode = 0; mode < 4; mode++) {
		volatile double third = 1.0 / 3.0;
		volatile float want;
		fesetround(host_modes[mode]);
		want = (float)third;
		fesetround(FE_TONEAREST);
		float w = want;
		uint32_t wb;
		memcpy(&wb, &w, 4);
		v = run(0xEEF71BC1u, bits(1.0 / 3.0), 0, 0, mode << 22);
		CHECK_EQ_U((uint32_t)(v.d[1] >> 32), wb);
		CHECK_EQ_U(v.fpscr & FLAGS, IXC);
	}
	v = run(0xEEF71BC1u, bits(1e-39), 0, 0, 0); /* float-subnormal: UFC */
	CHECK_EQ_U(v.fpscr & FLAGS, UFC | IXC);
	/* vmov.f64 d1, #1.0 */
	v = run(0xEEB71B00u, 0, 0, 0, 0);
	CHECK_EQ_U(v.d[1], bits(1.0));
}

static void test_compare_select_round(void)
{
	struct sim_vfp v;

	v = run(0xEEB41B43u, bits(1.0), 0, bits(2.0), 0); /* vcmp.f64 d1, d3 */
	CHECK_EQ_U(v.fpscr >> 28, 0x8u);
	v = run(0xEEB41B43u, bits(2.0), 0, bits(2.0), 0);
	CHECK_EQ_U(v.fpscr >> 28, 0x6u);
	v = run(0xEEB41B43u, bits(3.0), 0, bits(2.0), 0);
	CHECK_EQ_U(v.fpscr >> 28, 0x2u);
	v = run(0xEEB41B43u, bits(3.0), 0, DEFAULT_NAN, 0);
	CHECK_EQ_U(v.fpscr >> 28, 0x3u);
	CHECK_EQ_U(v.fpscr & FLAGS, 0u);
	v = run(0xEEB41BC3u, bits(3.0), 0, DEFAULT_NAN, 0); /* vcmpe: quiet NaN signals */
	CHECK_EQ_U(v.fpscr & FLAGS, IOC);
	v = run(0xEEB51B40u, bits(-0.0), 0, 0, 0); /* vcmp.f64 d1, #0: -0 == 0 */
	CHECK_EQ_U(v.fpscr >> 28, 0x6u);
	/* vseleq / vselgt use APSR */
	v = (struct sim_vfp){.d = {0, 0, bits(1.0), bits(2.0)}, .apsr = 0x40000000u};
	CHECK_EQ_U(sim_vfp_dp_exec(&v, 0xFE021B03u), SIM_VFP_DONE);
	CHECK_EQ_U(v.d[1], bits(1.0));
	v.apsr = 0x80000000u; /* N != V: not GT */
	CHECK_EQ_U(sim_vfp_dp_exec(&v, 0xFE321B03u), SIM_VFP_DONE);
	CHECK_EQ_U(v.d[1], bits(2.0));
	/* vmaxnm / vminnm */
	v = run(0xFE821B03u, 0, DEFAULT_NAN, bits(1.0), 0);
	CHECK_EQ_U(v.d[1], bits(1.0));
	v = run(0xFE821B43u, 0, bits(0.0), bits(-0.0), 0);
	CHECK_EQ_U(v.d[1], bits(-0.0));
	/* vrinta/n/p/m/z/x d1, d3 */
	CHECK_EQ_U(run(0xFEB81B43u, 0, 0, bits(2.5), 0).d[1], bits(3.0));
	CHECK_EQ_U(run(0xFEB91B43u, 0, 0, bits(2.5), 0).d[1], bits(2.0));
	CHECK_EQ_U(run(0xFEBA1B43u, 0, 0, bits(-0.5), 0).d[1], bits(-0.0));
	CHECK_EQ_U(run(0xFEBB1B43u, 0, 0, bits(-0.5), 0).d[1], bits(-1.0));
	CHECK_EQ_U(run(0xEEB61BC3u, 0, 0, bits(-1.7), 0).d[1], bits(-1.0));
	v = run(0xEEB71B43u, 0, 0, bits(1.25), 0); /* VRINTX signals inexact */
	CHECK_EQ_U(v.d[1], bits(1.0));
	CHECK_EQ_U(v.fpscr & FLAGS, IXC);
	v = run(0xEEB61B43u, 0, 0, bits(1.25), 0); /* VRINTR does not */
	CHECK_EQ_U(v.fpscr & FLAGS, 0u);
	/* Not handled here: D16+ (FPv5-D16 has none), fixed point, and core
	 * register moves (Unicorn executes those). */
	v = (struct sim_vfp){{0}, 0, 0};
	CHECK_EQ_U(sim_vfp_dp_exec(&v, dp(3, 0, 17, 2, 3)), SIM_VFP_NOT_DP);
	CHECK_EQ_U(sim_vfp_dp_exec(&v, 0xEEBE1BC8u), SIM_VFP_NOT_DP);
	CHECK_EQ_U(sim_vfp_dp_exec(&v, 0xEC410B10u), SIM_VFP_NOT_DP);
	CHECK_EQ_U(sim_vfp_dp_exec(&v, 0xEE300A81u), SIM_VFP_NOT_DP); /* vadd.f32 */
}

int main(void)
{
	RUN_TEST(test_against_host);
	RUN_TEST(test_vmla_two_roundings);
	RUN_TEST(test_nans);
	RUN_TEST(test_underflow_and_flush);
	RUN_TEST(test_conversions);
	RUN_TEST(test_compare_select_round);
	return TEST_MAIN_END();
}
