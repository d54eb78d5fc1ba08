// SPDX-License-Identifier: GPL-2.0
/*
 * Which CRC-32C hexo_link computes with, chosen at load by timing both on
 * a page, as the RAID6 and XOR code choose theirs: libcrc32c's crc32c(),
 * the crypto API's fastest "crc32c" (the CRC32 instruction on x86_64:
 * crc32c-intel), or __crc32c_le(), the library's own (the generic table
 * code on x86_64, the CRC32 instructions on arm64). Both compute the same
 * function; only the time differs. Where the CPU is emulated (QEMU's TCG
 * runs the x86 CRC32 instruction a bit at a time) the table code is the
 * faster, on real x86 hardware the instruction by far.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32c.h>
#include <linux/crypto.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "link.h"
#include "proto.h"

DEFINE_STATIC_KEY_FALSE(hxp_crc32c_lib);

static char hxl_crc32c_name[CRYPTO_MAX_ALG_NAME] = "none";
module_param_string(crc32c, hxl_crc32c_name, sizeof(hxl_crc32c_name), 0444);
MODULE_PARM_DESC(crc32c, "the CRC-32C code in use, chosen at load (read only)");

#define HXL_CRC_ROUNDS	3	/* the best of each counts */
#define HXL_CRC_PAGES	16	/* per round */

/* The best of HXL_CRC_ROUNDS rounds of HXL_CRC_PAGES pages, in ns. */
static u64 hxl_crc_time(u32 (*fn)(u32, const void *, unsigned int), const void *buf,
			u32 *out)
{
	u64 best = U64_MAX, t;
	u32 crc = 0;
	int r, i;

	for (r = 0; r < HXL_CRC_ROUNDS; r++) {
		t = ktime_get_ns();
		for (i = 0; i < HXL_CRC_PAGES; i++)
			crc = fn(crc, buf, PAGE_SIZE);
		t = ktime_get_ns() - t;
		best = min(best, t);
	}
	*out = crc;
	return best;
}

static u32 hxl_crc_lib(u32 crc, const void *p, unsigned int len)
{
	return crc32c(crc, p, len);
}

static u32 hxl_crc_le(u32 crc, const void *p, unsigned int len)
{
	return __crc32c_le(crc, p, len);
}

int __init hxl_crc_init(void)
{
	u64 t_lib, t_le;
	u32 c_lib, c_le;
	void *buf;

	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0x5a, PAGE_SIZE);
	t_lib = hxl_crc_time(hxl_crc_lib, buf, &c_lib);
	t_le = hxl_crc_time(hxl_crc_le, buf, &c_le);
	kfree(buf);
	if (c_lib != c_le) {
		/* Not the same function: never take it. */
		pr_warn("crc32c: %s disagrees with __crc32c_le (%08x, %08x); not used\n",
			crc32c_impl(), c_lib, c_le);
		t_lib = U64_MAX;
	}
	if (t_lib < t_le) {
		static_branch_enable(&hxp_crc32c_lib);
		strscpy(hxl_crc32c_name, crc32c_impl(), sizeof(hxl_crc32c_name));
	} else {
		strscpy(hxl_crc32c_name, "__crc32c_le", sizeof(hxl_crc32c_name));
	}
	pr_info("crc32c: %s (%s %llu MB/s, __crc32c_le %llu MB/s)\n", hxl_crc32c_name,
		crc32c_impl(), t_lib == U64_MAX ? 0ULL :
		div64_u64((u64)HXL_CRC_PAGES * PAGE_SIZE * 1000, max(t_lib, 1ULL)),
		div64_u64((u64)HXL_CRC_PAGES * PAGE_SIZE * 1000, max(t_le, 1ULL)));
	return 0;
}
