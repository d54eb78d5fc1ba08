// SPDX-License-Identifier: GPL-2.0
/*
 * CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, table-driven, for
 * the user-space build of the protocol code. Same contract as the kernel's
 * __crc32c_le(): no inversion on entry or exit.
 */
#include "kshim.h"

static u32 crc32c_table[256];

static void crc32c_init(void)
{
	for (u32 i = 0; i < 256; i++) {
		u32 c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc32c_table[i] = c;
	}
}

u32 hexo_crc32c_update(u32 crc, const void *p, size_t len)
{
	const u8 *b = p;

	if (!crc32c_table[1])
		crc32c_init();
	while (len--)
		crc = crc32c_table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return crc;
}
