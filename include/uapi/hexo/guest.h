/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The HEXO guest ABI: what a HEXO unikernel (guest/) and the VMM that runs
 * it (user/hexovm/) agree on. This header is the contract; Documentation/
 * guest.rst explains the model around it.
 *
 * Guest-physical memory, identity-mapped by both ISAs (virtual == physical):
 *
 *   HEXO_GPA_ARCH    0x00000000  ISA-private: page tables, GDT. Never migrated.
 *   HEXO_GPA_CB      0x00100000  the control block (struct hexo_cb), one page.
 *   HEXO_GPA_STACK   0x00101000  the boot stack, up to HEXO_GPA_TEXT; holds
 *                                ISA-specific frames, so never migrated.
 *   HEXO_GPA_TEXT    0x00200000  .text, .rodata and .hexo_local: different
 *                                code and constants per ISA. Never migrated.
 *   HEXO_GPA_DATA    0x01000000  .data then .bss: same addresses, sizes and
 *                                layout in both ISA builds of an application.
 *   HEXO_GPA_HEAP    0x02000000  the heap, up to the end of guest memory;
 *                                same addresses on both ISAs.
 *   HEXO_GPA_MMIO    0xf0000000  arm64 hypercall doorbell (not memory).
 *
 * Guest memory is one slot from GPA 0 of mem_size bytes, a multiple of
 * HEXO_PAGE_SIZE, between HEXO_MEM_MIN and HEXO_MEM_MAX.
 *
 * Hypercalls: the guest writes the number and arguments into cb->hc, then
 * rings the doorbell: on x86_64, a 32-bit OUT of the number to I/O port
 * HEXO_HC_PORT; on arm64, a 32-bit store of the number to HEXO_GPA_MMIO
 * (memory mapped Device-nGnRnE, so it always exits to the VMM). The VMM
 * serves the call while the vCPU is stopped and writes cb->hc.ret.
 *
 *   HEXO_HC_EXIT      arg0: exit status (0-255). Does not return.
 *   HEXO_HC_CONSOLE   arg0: GPA of bytes, arg1: length (at most
 *                     HEXO_CONSOLE_MAX). Written to the VMM's console.
 *                     ret: bytes written.
 *   HEXO_HC_TIME      ret: the host's monotonic clock in nanoseconds. The
 *                     only clock that means the same on both ISAs.
 *   HEXO_HC_MIGRATE   the guest has recorded cb->cont at a migration point
 *                     and is ready to stop. The VMM captures the guest and
 *                     does not resume it; if the capture fails, or no
 *                     migration was requested, ret is a negative errno and
 *                     the guest carries on.
 *
 * All fields are little-endian (both ISAs are).
 */
#ifndef _UAPI_HEXO_GUEST_H
#define _UAPI_HEXO_GUEST_H

#define HEXO_PAGE_SIZE		4096

#define HEXO_GPA_ARCH		0x00000000
#define HEXO_GPA_CB		0x00100000
#define HEXO_GPA_STACK		0x00101000
#define HEXO_GPA_TEXT		0x00200000
#define HEXO_GPA_DATA		0x01000000
#define HEXO_GPA_HEAP		0x02000000
#define HEXO_GPA_MMIO		0xf0000000

/* Guest memory: at least the heap's first 32 MiB, at most 3 GiB. */
#define HEXO_MEM_MIN		0x04000000
#define HEXO_MEM_MAX		0xc0000000

#define HEXO_HC_PORT		0x0510

/* Constants above; C declarations below (the linker script and start.S
 * include this header too).
 */
#if !defined(__ASSEMBLY__) && !defined(__ASSEMBLER__)
#include <linux/types.h>

enum hexo_hypercall {
	HEXO_HC_EXIT = 1,
	HEXO_HC_CONSOLE = 2,
	HEXO_HC_TIME = 3,
	HEXO_HC_MIGRATE = 4,
};

#define HEXO_CONSOLE_MAX	4096

/* "HXCB": the VMM has filled the control block in. */
#define HEXO_CB_MAGIC		0x42435848
#define HEXO_ABI_VERSION	1

/* struct hexo_cb.migrate: who asked. */
#define HEXO_MIGRATE_VMM	1	/* the VMM itself (signal, option) */
#define HEXO_MIGRATE_HOST	2	/* hexo_kvm (hexoctl kvm offload) */

#define HEXO_CMDLINE_MAX	256
#define HEXO_APP_NAME_MAX	32

/* The ISAs, in cb->cont.isa and in checkpoint images. */
enum hexo_isa {
	HEXO_ISA_NONE = 0,
	HEXO_ISA_X86_64 = 1,
	HEXO_ISA_ARM64 = 2,
};

/*
 * Where to carry on, in terms both ISAs understand: the application's
 * migration point, and its state (a structure in .data or .bss). Written by
 * the guest runtime at a migration point, read by the other ISA's runtime
 * on resume. No register, no stack frame, no code address.
 */
struct hexo_cont {
	__u32 point;		/* the application's migration point id */
	__u32 isa;		/* enum hexo_isa of the build that stopped */
	__u64 state_gpa;	/* the application's state, in .data/.bss */
	__u64 state_size;	/* its size in bytes */
	__u64 seq;		/* migration points crossed before this one */
	__u32 migrations;	/* times this guest has been migrated */
	__u32 reserved;		/* zero */
};

/* The arguments and result of one hypercall (one vCPU: one at a time). */
struct hexo_hc {
	__u64 arg[4];		/* guest -> VMM */
	__s64 ret;		/* VMM -> guest */
};

/*
 * The control block, at HEXO_GPA_CB. Migrated with the guest: the restored
 * VMM clears the request fields and sets resume.
 */
struct hexo_cb {
	__u32 magic;		/* VMM: HEXO_CB_MAGIC */
	__u32 abi_version;	/* VMM: HEXO_ABI_VERSION */
	__u64 mem_size;		/* VMM: bytes of guest memory from GPA 0 */
	__u64 heap_top;		/* guest: end of the heap in use; a checkpoint
				 * holds [HEXO_GPA_HEAP, heap_top)
				 */
	__u32 migrate;		/* VMM: non-zero asks for a migration at the
				 * next migration point (HEXO_MIGRATE_*); the
				 * guest never writes it
				 */
	__u32 stop_point;	/* VMM: with stop_count, a deterministic
				 * request: migrate when point stop_point is
				 * reached for the stop_count-th time (0: off)
				 */
	__u32 stop_count;
	__u32 stop_hits;	/* guest: times stop_point was reached */
	__u32 resume;		/* VMM: 1 = start from cont, not from main */
	__u32 reserved;		/* zero */
	struct hexo_cont cont;	/* guest: the continuation (see above) */
	struct hexo_hc hc;	/* the hypercall in flight */
	char app[HEXO_APP_NAME_MAX];	/* guest: the application's name */
	char cmdline[HEXO_CMDLINE_MAX];	/* VMM: the application's arguments */
	__u64 points;		/* guest: migration points crossed since the
				 * application started, on every node it ran
				 * on: its progress, which the host may read
				 * (a guest that does not count leaves 0)
				 */
};

#endif /* !__ASSEMBLY__ */
#endif /* _UAPI_HEXO_GUEST_H */
