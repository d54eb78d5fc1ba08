/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one linker script of every HEXO guest, on both ISAs: the aligned
 * multi-ISA layout of include/uapi/hexo/guest.h. Code and constants differ
 * per ISA and stay below HEXO_GPA_DATA; .data and .bss start at
 * HEXO_GPA_DATA on both, so with the same sources, compiler flags and link
 * order their symbols land at the same addresses (scripts/guest-layout-check
 * proves it for every application at build time).
 */
#include <hexo/guest.h>

ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5);		/* R X */
	local PT_LOAD FLAGS(6);		/* R W */
	data PT_LOAD FLAGS(6);		/* R W */
}

SECTIONS
{
	. = HEXO_GPA_TEXT;
	.text : {
		KEEP(*(.text.start))
		*(.text .text.*)
	} :text
	.rodata : {
		*(.rodata .rodata.*)
	}
	/* Per-ISA variables (timer frequency and the like): never migrated. */
	.hexo_local : ALIGN(16) {
		*(.hexo_local)
	} :local
	__hexo_text_end = .;
	ASSERT(__hexo_text_end <= HEXO_GPA_DATA, "code and constants overrun HEXO_GPA_DATA")

	/*
	 * Each variable is its own input section (-fdata-sections), in
	 * definition order (-fno-toplevel-reorder); SUBALIGN gives every one
	 * the same 16-byte alignment on both ISAs, where the ABIs differ
	 * (x86_64 aligns aggregates of 16 bytes or more to 16, arm64 to 8).
	 */
	. = HEXO_GPA_DATA;
	__hexo_data_start = .;
	.data : SUBALIGN(16) {
		*(.data .data.*)
	} :data
	.bss : SUBALIGN(16) {
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(HEXO_PAGE_SIZE);
	}
	__hexo_data_end = .;
	ASSERT(__hexo_data_end <= HEXO_GPA_HEAP, ".data and .bss overrun the heap: allocate large arrays")

	/* Pointers to code in data would not survive a change of ISA. */
	.got : { *(.got .got.*) }
	ASSERT(SIZEOF(.got) == 0, "guest code must not use a GOT: build with -fno-pic")
	.init_array : { *(.init_array .init_array.* .ctors .ctors.*) }
	ASSERT(SIZEOF(.init_array) == 0, "guests have no constructors")

	/DISCARD/ : {
		*(.eh_frame .eh_frame_hdr .note .note.* .comment)
	}
}
