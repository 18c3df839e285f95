/* Double-precision VFP data processing, executed on the host's IEEE 754
 * binary64 arithmetic with the Arm rules where hosts differ (ARMv7-M ARM
 * A2.5 "Floating-point data types and arithmetic", A7.7 instruction
 * pseudocode; ARMv8-M ARM for the FPv5 additions VSEL, VMAXNM/VMINNM,
 * VRINT*, VCVT{A,N,P,M}):
 * - rounding from FPSCR.RMode (nearest, +inf, -inf, zero);
 * - NaNs: a signalling operand wins over a quiet one, first operand first,
 *   and comes out quieted (FPProcessNaNs); invalid operations give the
 *   default NaN 0x7FF8000000000000 (x86 would give a negative one);
 *   FPSCR.DN replaces every NaN result by the default NaN;
 * - underflow is detected before rounding (tiny and inexact): decided by
 *   recomputing in round-to-zero, exact for + - * / sqrt fma;
 * - FPSCR.FZ flushes denormal inputs (IDC) and tiny results (UFC) to zero;
 * - float-to-integer conversions saturate with IOC, NaN converts to 0.
 * Not emulated (left undefined, a UsageFault as before): fixed-point and
 * half-precision conversions with a double operand. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "sim/sim_vfp_dp.h"

#define IOC 0x01u
#define DZC 0x02u
#define OFC 0x04u
#define UFC 0x08u
#define IXC 0x10u
#define IDC 0x80u
#define FPSCR_FZ (1u << 24)
#define FPSCR_DN (1u << 25)
#define SIGN64 0x8000000000000000ull
#define EXP64 0x7FF0000000000000ull
#define FRAC64 0x000FFFFFFFFFFFFFull
#define QUIET64 0x0008000000000000ull
#define DEFAULT_NAN64 0x7FF8000000000000ull
#define DEFAULT_NAN32 0x7FC00000u

enum rmode { RM_N, RM_P, RM_M, RM_Z, RM_A }; /* FPSCR.RMode order, then ties-away */
enum op { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_FMA };

static double f64(uint64_t b)
{
	double d;

	memcpy(&d, &b, 8);
	return d;
}

static uint64_t b64(double d)
{
	uint64_t b;

	memcpy(&b, &d, 8);
	return b;
}

static float f32(uint32_t b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

static uint32_t b32(float f)
{
	uint32_t b;

	memcpy(&b, &f, 4);
	return b;
}

static bool is_nan(uint64_t b)
{
	return (b & EXP64) == EXP64 && (b & FRAC64);
}

static bool is_snan(uint64_t b)
{
	return is_nan(b) && !(b & QUIET64);
}

static uint32_t get_s(const struct sim_vfp *v, unsigned n)
{
	return (uint32_t)(v->d[n / 2] >> (32 * (n & 1u)));
}

static void set_s(struct sim_vfp *v, unsigned n, uint32_t val)
{
	unsigned sh = 32 * (n & 1u);

	v->d[n / 2] = (v->d[n / 2] & ~(0xFFFFFFFFull << sh)) | ((uint64_t)val << sh);
}

static enum rmode fpscr_mode(const struct sim_vfp *v)
{
	return (enum rmode)((v->fpscr >> 22) & 3u);
}

static int host_mode(enum rmode m)
{
	static const int modes[4] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};

	return modes[m & 3u];
}

/* FPUnpack with FZ: a denormal operand is a signed zero (IDC). */
static uint64_t unpack(struct sim_vfp *v, uint64_t b)
{
	if ((v->fpscr & FPSCR_FZ) && !(b & EXP64) && (b & FRAC64)) {
		v->fpscr |= IDC;
		return b & SIGN64;
	}
	return b;
}

/* FPProcessNaNs(3): the first signalling NaN (quieted, IOC), else the first
 * quiet NaN; DN turns it into the default NaN. */
static bool process_nans(struct sim_vfp *v, const uint64_t *ops, unsigned n, uint64_t *out)
{
	unsigned i;

	for (i = 0; i < n && !is_snan(ops[i]); i++)
		;
	if (i < n) {
		v->fpscr |= IOC;
		*out = ops[i] | QUIET64;
	} else {
		for (i = 0; i < n && !is_nan(ops[i]); i++)
			;
		if (i == n)
			return false;
		*out = ops[i];
	}
	if (v->fpscr & FPSCR_DN)
		*out = DEFAULT_NAN64;
	return true;
}

static double host_op(enum op op, double a, double b, double c)
{
	switch (op) {
	case OP_ADD: return a + b;
	case OP_SUB: return a - b;
	case OP_MUL: return a * b;
	case OP_DIV: return a / b;
	case OP_SQRT: return sqrt(a);
	default: return fma(a, b, c); /* a * b + c, one rounding */
	}
}

/* One operation rounded per FPSCR, its flags in Arm terms. Operands are
 * unpacked, not NaN. The volatiles keep the arithmetic between the
 * rounding-mode change and the flag read. */
static uint64_t compute(struct sim_vfp *v, enum op op, uint64_t a, uint64_t b, uint64_t c)
{
	volatile double x = f64(a), y = f64(b), z = f64(c), r, rz;
	fenv_t saved;
	int exc;

	feholdexcept(&saved);
	fesetround(host_mode(fpscr_mode(v)));
	feclearexcept(FE_ALL_EXCEPT);
	r = host_op(op, x, y, z);
	exc = fetestexcept(FE_ALL_EXCEPT);
	fesetround(FE_TOWARDZERO);
	rz = host_op(op, x, y, z);
	fesetenv(&saved);

	uint64_t res = b64(r);
	bool inexact = (exc & FE_INEXACT) != 0;
	/* Tiny before rounding: the exact result is below the smallest
	 * normal, which is so iff its truncation is. */
	bool tiny = fabs(rz) < DBL_MIN && (rz != 0.0 || inexact);

	if (is_nan(res))
		res = DEFAULT_NAN64; /* an invalid operation: Arm's default NaN */
	if (exc & FE_INVALID)
		v->fpscr |= IOC;
	if (exc & FE_DIVBYZERO)
		v->fpscr |= DZC;
	if (exc & FE_OVERFLOW)
		v->fpscr |= OFC;
	if (tiny && (v->fpscr & FPSCR_FZ)) {
		v->fpscr |= UFC; /* flushed: no IXC (FPRound) */
		return b64(rz) & SIGN64;
	}
	if (tiny && inexact)
		v->fpscr |= UFC;
	if (inexact)
		v->fpscr |= IXC;
	return res;
}

static uint64_t arith2(struct sim_vfp *v, enum op op, uint64_t a, uint64_t b)
{
	uint64_t ops[2] = {unpack(v, a), unpack(v, b)}, r;

	if (process_nans(v, ops, 2, &r))
		return r;
	return compute(v, op, ops[0], ops[1], 0);
}

/* FPMulAdd(addend, op1, op2): fused. A quiet-NaN addend with inf * 0 is
 * still an invalid operation. */
static uint64_t muladd(struct sim_vfp *v, uint64_t addend, uint64_t a, uint64_t b)
{
	uint64_t ops[3] = {unpack(v, addend), unpack(v, a), unpack(v, b)}, r;
	bool inf_zero = (((ops[1] & ~SIGN64) == EXP64) && !(ops[2] & ~SIGN64)) ||
			(!(ops[1] & ~SIGN64) && ((ops[2] & ~SIGN64) == EXP64));

	if (process_nans(v, ops, 3, &r)) {
		if (is_nan(ops[0]) && !is_snan(ops[0]) && inf_zero) {
			v->fpscr |= IOC;
			r = DEFAULT_NAN64;
		}
		return r;
	}
	return compute(v, OP_FMA, ops[1], ops[2], ops[0]);
}

static uint64_t sqrt_dp(struct sim_vfp *v, uint64_t a)
{
	uint64_t ops[1] = {unpack(v, a)}, r;

	if (process_nans(v, ops, 1, &r))
		return r;
	return compute(v, OP_SQRT, ops[0], 0, 0);
}

/* FPCompare: NZCV into FPSCR; quiet compare signals only for SNaN. */
static void compare(struct sim_vfp *v, uint64_t a, uint64_t b, bool signal_qnan)
{
	uint32_t nzcv;

	a = unpack(v, a);
	b = unpack(v, b);
	if (is_nan(a) || is_nan(b)) {
		nzcv = 0x3u;
		if (signal_qnan || is_snan(a) || is_snan(b))
			v->fpscr |= IOC;
	} else if (f64(a) == f64(b)) {
		nzcv = 0x6u;
	} else if (f64(a) < f64(b)) {
		nzcv = 0x8u;
	} else {
		nzcv = 0x2u;
	}
	v->fpscr = (v->fpscr & 0x0FFFFFFFu) | nzcv << 28;
}

static double round_int(double x, enum rmode m)
{
	switch (m) {
	case RM_P: return ceil(x);
	case RM_M: return floor(x);
	case RM_Z: return trunc(x);
	case RM_A: return round(x);
	default: return nearbyint(x); /* the host runs in round-to-nearest-even */
	}
}

/* VRINT*: round to an integral double; only VRINTX signals inexact. */
static uint64_t rint_dp(struct sim_vfp *v, uint64_t a, enum rmode m, bool exact_flag)
{
	uint64_t ops[1] = {unpack(v, a)}, r;
	double x, y;

	if (process_nans(v, ops, 1, &r))
		return r;
	x = f64(ops[0]);
	if (isinf(x) || x == 0.0)
		return ops[0];
	y = round_int(x, m);
	if (exact_flag && y != x)
		v->fpscr |= IXC;
	return b64(y);
}

/* FPToFixed with 0 fraction bits: saturating, NaN -> 0, both with IOC. */
static uint32_t to_int(struct sim_vfp *v, uint64_t a, enum rmode m, bool is_signed)
{
	double x, y;

	a = unpack(v, a);
	if (is_nan(a)) {
		v->fpscr |= IOC;
		return 0;
	}
	x = f64(a);
	y = round_int(x, m);
	if (is_signed ? y > 2147483647.0 : y > 4294967295.0) {
		v->fpscr |= IOC;
		return is_signed ? 0x7FFFFFFFu : 0xFFFFFFFFu;
	}
	if (is_signed ? y < -2147483648.0 : y < 0.0) {
		v->fpscr |= IOC;
		return is_signed ? 0x80000000u : 0u;
	}
	if (y != x)
		v->fpscr |= IXC;
	return is_signed ? (uint32_t)(int32_t)y : (uint32_t)y;
}

/* VCVT.F64.F32: exact; NaN payloads move to the top of the fraction. */
static uint64_t widen(struct sim_vfp *v, uint32_t s)
{
	uint64_t sign = (uint64_t)(s >> 31) << 63;

	if ((v->fpscr & FPSCR_FZ) && !(s & 0x7F800000u) && (s & 0x007FFFFFu)) {
		v->fpscr |= IDC;
		return sign;
	}
	if ((s & 0x7F800000u) == 0x7F800000u && (s & 0x007FFFFFu)) {
		if (!(s & 0x00400000u))
			v->fpscr |= IOC;
		if (v->fpscr & FPSCR_DN)
			return DEFAULT_NAN64;
		return sign | EXP64 | QUIET64 | ((uint64_t)(s & 0x003FFFFFu) << 29);
	}
	return b64((double)f32(s));
}

/* VCVT.F32.F64: rounded per FPSCR, with the same underflow rule. */
static uint32_t narrow(struct sim_vfp *v, uint64_t a)
{
	volatile double x;
	volatile float r, rz;
	fenv_t saved;
	int exc;

	a = unpack(v, a);
	if (is_nan(a)) {
		if (is_snan(a))
			v->fpscr |= IOC;
		if (v->fpscr & FPSCR_DN)
			return DEFAULT_NAN32;
		return (uint32_t)(a >> 32) & 0x80000000u ? 0xFFC00000u | (uint32_t)((a & FRAC64) >> 29)
							  : 0x7FC00000u | (uint32_t)((a & FRAC64) >> 29);
	}
	x = f64(a);
	feholdexcept(&saved);
	fesetround(host_mode(fpscr_mode(v)));
	feclearexcept(FE_ALL_EXCEPT);
	r = (float)x;
	exc = fetestexcept(FE_ALL_EXCEPT);
	fesetround(FE_TOWARDZERO);
	rz = (float)x;
	fesetenv(&saved);
	bool inexact = (exc & FE_INEXACT) != 0;
	bool tiny = fabsf(rz) < FLT_MIN && (rz != 0.0f || inexact);
	if (exc & FE_OVERFLOW)
		v->fpscr |= OFC;
	if (tiny && (v->fpscr & FPSCR_FZ)) {
		v->fpscr |= UFC;
		return b32(rz) & 0x80000000u;
	}
	if (tiny && inexact)
		v->fpscr |= UFC;
	if (inexact)
		v->fpscr |= IXC;
	return b32(r);
}

/* FPMaxNum/FPMinNum (VMAXNM, VMINNM): a quiet NaN loses to a number. */
static uint64_t maxmin_num(struct sim_vfp *v, uint64_t a, uint64_t b, bool is_max)
{
	uint64_t ops[2] = {unpack(v, a), unpack(v, b)}, r, inf = is_max ? SIGN64 | EXP64 : EXP64;
	bool qa = is_nan(ops[0]) && !is_snan(ops[0]), qb = is_nan(ops[1]) && !is_snan(ops[1]);

	if (qa && !qb)
		ops[0] = inf;
	else if (!qa && qb)
		ops[1] = inf;
	if (process_nans(v, ops, 2, &r))
		return r;
	if (!(ops[0] & ~SIGN64) && !(ops[1] & ~SIGN64)) /* +0 and -0 */
		return is_max ? ops[0] & ops[1] : ops[0] | ops[1];
	if (is_max)
		return f64(ops[0]) > f64(ops[1]) ? ops[0] : ops[1];
	return f64(ops[0]) < f64(ops[1]) ? ops[0] : ops[1];
}

/* VMOV (immediate), A7.7 VFPExpandImm for 64 bits. */
static uint64_t expand_imm(uint32_t insn)
{
	uint32_t imm8 = ((insn >> 12) & 0xF0u) | (insn & 0xFu);
	uint64_t b6 = (imm8 >> 6) & 1u;
	uint64_t exp = ((b6 ^ 1u) << 10) | (b6 ? 0x3FCu : 0u) | ((imm8 >> 4) & 3u);

	return (uint64_t)(imm8 >> 7) << 63 | exp << 52 | (uint64_t)(imm8 & 0xFu) << 48;
}

/* Arm condition on APSR.NZCV for VSEL: EQ, VS, GE, GT. */
static bool vsel_cond(uint32_t nzcv, unsigned cc)
{
	bool n = nzcv & 8u, z = nzcv & 4u, vf = nzcv & 1u;

	switch (cc) {
	case 0: return z;
	case 1: return vf;
	case 2: return n == vf;
	default: return !z && n == vf;
	}
}

/* VSEL, VMAXNM/VMINNM, VRINT{A,N,P,M}, VCVT{A,N,P,M}: the unconditional
 * 0xFE.. space (ARMv8-M), double precision only. */
static int exec_v8(struct sim_vfp *v, uint32_t insn, unsigned dd, unsigned dn, unsigned dm)
{
	static const enum rmode rm[4] = {RM_A, RM_N, RM_P, RM_M};
	unsigned sd = ((insn >> 11) & 0x1Eu) | ((insn >> 22) & 1u);

	if (!(insn & (1u << 23))) {
		v->d[dd] = vsel_cond(v->apsr >> 28, (insn >> 20) & 3u) ? v->d[dn] : v->d[dm];
		return SIM_VFP_DONE;
	}
	if (((insn >> 20) & 3u) == 0) {
		v->d[dd] = maxmin_num(v, v->d[dn], v->d[dm], !(insn & 0x40u));
		return SIM_VFP_DONE;
	}
	if (((insn >> 18) & 0xFu) == 0xEu && (insn & 0xC0u) == 0x40u) {
		v->d[dd] = rint_dp(v, v->d[dm], rm[(insn >> 16) & 3u], false);
		return SIM_VFP_DONE;
	}
	if (((insn >> 18) & 0xFu) == 0xFu && (insn & 0x40u)) {
		set_s(v, sd, to_int(v, v->d[dm], rm[(insn >> 16) & 3u], insn & 0x80u));
		return SIM_VFP_DONE;
	}
	return SIM_VFP_NOT_DP;
}

/* opc1 = 0b1x11 with opc3 = x1: the "other" data-processing group. */
static int exec_other(struct sim_vfp *v, uint32_t insn, unsigned dd, unsigned dm)
{
	unsigned opc2 = (insn >> 16) & 0xFu, sd = ((insn >> 11) & 0x1Eu) | ((insn >> 22) & 1u);
	unsigned sm = ((insn & 0xFu) << 1) | ((insn >> 5) & 1u);
	bool b7 = insn & 0x80u;

	switch (opc2) {
	case 0x0: v->d[dd] = b7 ? v->d[dm] & ~SIGN64 : v->d[dm]; break; /* VABS, VMOV */
	case 0x1:
		if (b7)
			v->d[dd] = sqrt_dp(v, v->d[dm]);
		else
			v->d[dd] = v->d[dm] ^ SIGN64; /* VNEG */
		break;
	case 0x4: compare(v, v->d[dd], v->d[dm], b7); break;
	case 0x5: compare(v, v->d[dd], 0, b7); break;
	case 0x6: v->d[dd] = rint_dp(v, v->d[dm], b7 ? RM_Z : fpscr_mode(v), false); break;
	case 0x7:
		if (!b7)
			v->d[dd] = rint_dp(v, v->d[dm], fpscr_mode(v), true); /* VRINTX */
		else
			set_s(v, sd, narrow(v, v->d[dm])); /* VCVT.F32.F64 */
		break;
	case 0x8: /* VCVT.F64.S32 / .U32: exact */
		v->d[dd] = b64(b7 ? (double)(int32_t)get_s(v, sm) : (double)get_s(v, sm));
		break;
	case 0xC: case 0xD: /* VCVT (round to zero) / VCVTR (FPSCR mode) to S32/U32 */
		set_s(v, sd, to_int(v, v->d[dm], b7 ? RM_Z : fpscr_mode(v), opc2 & 1u));
		break;
	default: return SIM_VFP_NOT_DP; /* half precision, fixed point */
	}
	return SIM_VFP_DONE;
}

int sim_vfp_dp_exec(struct sim_vfp *v, uint32_t insn)
{
	unsigned hi = insn >> 16, coproc = (insn >> 8) & 0xFu;
	unsigned dd = ((insn >> 18) & 0x10u) | ((insn >> 12) & 0xFu);
	unsigned dn = ((insn >> 3) & 0x10u) | ((insn >> 16) & 0xFu);
	unsigned dm = ((insn >> 1) & 0x10u) | (insn & 0xFu);
	unsigned opc1 = ((insn >> 21) & 4u) | ((insn >> 20) & 3u);
	bool op = insn & 0x40u;

	if ((coproc != 0xAu && coproc != 0xBu) || (insn & 0x10u))
		return SIM_VFP_NOT_DP; /* not VFP data processing */
	if (coproc == 0xAu) {
		/* Single precision is Unicorn's, except VCVT.F64.F32. */
		if ((hi & 0xFFBFu) != 0xEEB7u || (insn & 0xC0u) != 0xC0u || (dd & 0x10u))
			return SIM_VFP_NOT_DP;
		v->d[dd] = widen(v, get_s(v, ((insn & 0xFu) << 1) | ((insn >> 5) & 1u)));
		return SIM_VFP_DONE;
	}
	/* D16-D31 do not exist on FPv5-D16; bit 7 names Dn only in the
	 * three-operand forms (elsewhere it is an opcode bit). */
	bool v8 = (hi & 0xFF00u) == 0xFE00u;
	unsigned opc2 = (insn >> 16) & 0xFu;
	bool three = v8 ? !(insn & (1u << 23)) || !((insn >> 20) & 3u) : opc1 != 7;
	bool other = !v8 && opc1 == 7 && op;
	/* ... and the single-precision operand of a conversion is Vx:bit. */
	bool s_dst = (v8 && ((insn >> 18) & 0xFu) == 0xFu) ||
		     (other && (opc2 == 0xC || opc2 == 0xD || (opc2 == 7 && (insn & 0x80u))));
	bool s_src = other && opc2 == 8;
	if ((!s_dst && (dd & 0x10u)) || (!s_src && (dm & 0x10u)) || (three && (dn & 0x10u)))
		return SIM_VFP_NOT_DP;
	if ((hi & 0xFF00u) == 0xFE00u)
		return exec_v8(v, insn, dd, dn, dm);
	if ((hi & 0xFF00u) != 0xEE00u)
		return SIM_VFP_NOT_DP;
	uint64_t d = v->d[dd & 15u], n = v->d[dn & 15u], m = v->d[dm & 15u], p;
	switch (opc1) {
	case 0: /* VMLA, VMLS: d + (n * m), two roundings */
		p = arith2(v, OP_MUL, n, m);
		v->d[dd] = arith2(v, OP_ADD, d, op ? p ^ SIGN64 : p);
		break;
	case 1: /* VNMLS (op 0): -d + n * m; VNMLA (op 1): -d - n * m */
		p = arith2(v, OP_MUL, n, m);
		v->d[dd] = arith2(v, OP_ADD, d ^ SIGN64, op ? p ^ SIGN64 : p);
		break;
	case 2: /* VMUL, VNMUL */
		p = arith2(v, OP_MUL, n, m);
		v->d[dd] = op ? p ^ SIGN64 : p;
		break;
	case 3: v->d[dd] = arith2(v, op ? OP_SUB : OP_ADD, n, m); break;
	case 4:
		if (op)
			return SIM_VFP_NOT_DP;
		v->d[dd] = arith2(v, OP_DIV, n, m);
		break;
	case 5: /* VFNMS (op 0): -d + n * m; VFNMA (op 1): -d - n * m */
		v->d[dd] = muladd(v, d ^ SIGN64, op ? n ^ SIGN64 : n, m);
		break;
	case 6: /* VFMA, VFMS: d + (+-n) * m, one rounding */
		v->d[dd] = muladd(v, d, op ? n ^ SIGN64 : n, m);
		break;
	default:
		if (!op) {
			if (insn & 0xA0u)
				return SIM_VFP_NOT_DP; /* VMOV immediate: bits 7 and 5 are 0 */
			v->d[dd] = expand_imm(insn);
			break;
		}
		return exec_other(v, insn, dd, dm);
	}
	return SIM_VFP_DONE;
}
