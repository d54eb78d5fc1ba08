// SPDX-License-Identifier: GPL-2.0
/*
 * The heap allocator: first fit over an address-ordered free list, with
 * coalescing, from HEXO_GPA_HEAP to the end of guest memory. Its state is
 * in .bss and its blocks are on the heap, so a migrated guest keeps
 * allocating where it left off. cb->heap_top follows the end of the heap
 * in use, which is all of the heap a checkpoint needs to hold.
 */
#include <hexo/guest.h>

#include "hexo_rt.h"

#define HEXO_ALLOC_ALIGN	16

struct hexo_block {
	size_t size;			/* bytes, header included */
	struct hexo_block *next;	/* next free block (free blocks only) */
};

#define HEXO_HDR	HEXO_ALLOC_ALIGN	/* header room, keeps payloads aligned */

static struct hexo_block *hexo_free_list;
static uintptr_t hexo_brk;	/* end of the highest block ever carved */
static uintptr_t hexo_heap_end;

static void hexo_heap_publish(void)
{
	((volatile struct hexo_cb *)HEXO_GPA_CB)->heap_top =
		(hexo_brk + HEXO_PAGE_SIZE - 1) & ~(uintptr_t)(HEXO_PAGE_SIZE - 1);
}

void hexo_heap_init(void)
{
	hexo_brk = HEXO_GPA_HEAP;
	hexo_heap_end = ((struct hexo_cb *)HEXO_GPA_CB)->mem_size;
	hexo_free_list = NULL;
	hexo_heap_publish();
}

void *hexo_malloc(size_t size)
{
	struct hexo_block **pp, *b;
	size_t need;

	if (size > hexo_heap_end)
		return NULL;
	need = (size + HEXO_HDR + HEXO_ALLOC_ALIGN - 1) & ~(size_t)(HEXO_ALLOC_ALIGN - 1);
	for (pp = &hexo_free_list; (b = *pp); pp = &b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= 2 * HEXO_HDR) {
			struct hexo_block *rest = (struct hexo_block *)((char *)b + need);

			rest->size = b->size - need;
			rest->next = b->next;
			*pp = rest;
			b->size = need;
		} else {
			*pp = b->next;
		}
		return (char *)b + HEXO_HDR;
	}
	if (hexo_heap_end - hexo_brk < need)
		return NULL;
	b = (struct hexo_block *)hexo_brk;
	b->size = need;
	hexo_brk += need;
	hexo_heap_publish();
	return (char *)b + HEXO_HDR;
}

void *hexo_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = hexo_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *hexo_xcalloc(size_t n, size_t size)
{
	void *p = hexo_calloc(n, size);

	if (!p)
		hexo_panic("out of memory allocating %zu x %zu bytes (heap %#llx-%#llx); "
			   "give the guest more with hexovm --mem",
			   n, size, (unsigned long long)HEXO_GPA_HEAP,
			   (unsigned long long)hexo_heap_end);
	return p;
}

void hexo_free(void *p)
{
	struct hexo_block *b, **pp, *prev = NULL;

	if (!p)
		return;
	b = (struct hexo_block *)((char *)p - HEXO_HDR);
	for (pp = &hexo_free_list; *pp && *pp < b; pp = &(*pp)->next)
		prev = *pp;
	b->next = *pp;
	*pp = b;
	if (b->next && (char *)b + b->size == (char *)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (prev && (char *)prev + prev->size == (char *)b) {
		prev->size += b->size;
		prev->next = b->next;
		b = prev;
	}
	/* A free block at the top goes back to the untouched heap. */
	if ((uintptr_t)b + b->size == hexo_brk) {
		for (pp = &hexo_free_list; *pp != b; pp = &(*pp)->next)
			;
		*pp = b->next;
		hexo_brk = (uintptr_t)b;
		hexo_heap_publish();
	}
}
