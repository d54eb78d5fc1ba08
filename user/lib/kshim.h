/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's vocabulary for the kernel's pure protocol code
 * (kernel/link/proto.c) to build in user space, for HEXO's raw-socket tools
 * and the host-side unit tests. One piece of protocol code serves all three.
 */
#ifndef _HEXO_KSHIM_H
#define _HEXO_KSHIM_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define cpu_to_be16(x) ((__be16)htobe16(x))
#define cpu_to_be32(x) ((__be32)htobe32(x))
#define cpu_to_be64(x) ((__be64)htobe64(x))
#define be16_to_cpu(x) be16toh((uint16_t)(x))
#define be32_to_cpu(x) be32toh((uint32_t)(x))
#define be64_to_cpu(x) be64toh((uint64_t)(x))

#ifndef min
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#endif
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define min_t(t, a, b) min((t)(a), (t)(b))
#ifndef offsetof
#define offsetof(t, m) __builtin_offsetof(t, m)
#endif

/* CRC-32C update without pre/post inversion, as the kernel's __crc32c_le(). */
u32 hexo_crc32c_update(u32 crc, const void *p, size_t len);

#endif /* _HEXO_KSHIM_H */
