/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hexovm: a small KVM VMM for HEXO's unikernel guests (guest/). One vCPU,
 * one memory slot of anonymous memory, hypercalls per include/uapi/hexo/
 * guest.h, and migration at the guest's migration points.
 */
#ifndef _HEXOVM_H
#define _HEXOVM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <hexo/guest.h>

#include "image.h"

#if defined(__x86_64__)
#define HEXOVM_ISA	HEXO_ISA_X86_64
#elif defined(__aarch64__)
#define HEXOVM_ISA	HEXO_ISA_ARM64
#else
#error "hexovm runs on x86_64 and arm64"
#endif

struct hexovm_migrator;

struct hexovm_opts {
	const char *elf;		/* application ELF */
	const char *restore;		/* image to restore, or NULL */
	const char *console;		/* console file, or NULL for stdout */
	const char *checkpoint;		/* where a checkpoint goes */
	const char *guest_dir;		/* where --restore looks for APP.elf */
	const char *migrator;		/* name of the capture hook */
	char cmdline[HEXO_CMDLINE_MAX];	/* the application's arguments */
	uint64_t mem_size;
	double checkpoint_after;	/* seconds, < 0: never */
	double migrate_timeout;		/* seconds */
	bool incoming;			/* take an offer through hexo_kvm */
	bool stop_and_copy;		/* ... pulling all of it before the guest runs */
	double incoming_timeout;	/* seconds to wait for it */
	uint32_t incoming_offer;	/* that offer only (its id), 0: any */
	bool incoming_from_set;		/* offers from incoming_from only */
	uint8_t incoming_from[6];
	uint32_t stop_point, stop_count;
	bool stats;
};

/* What the ELF says about the application. */
struct hexovm_elf {
	uint64_t entry;
	uint64_t data_start, data_end;	/* the aligned .data/.bss */
	uint32_t layout_crc;		/* see hexovm_elf_load() */
};

struct hexovm_stats {
	uint64_t exits, exits_intr;
	uint64_t hc[HEXO_HC_MIGRATE + 1];
	uint64_t console_bytes;
	uint64_t requests, timeouts;
	uint64_t pulled_bytes;		/* --incoming: guest memory pulled before the start */
	uint64_t demand_pulls, bg_pulls;	/* post-copy: pulls after it */
	uint64_t t0_ns;
	uint64_t points0;		/* the guest's cb->points when it started here */
	/* hexovm_progress_mark(): its progress and this process's CPU time then */
	bool marked;
	uint64_t points1;
	double cpu_user_s, cpu_sys_s;
};

struct hexovm {
	struct hexovm_opts *opts;
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;			/* guest memory, GPA 0 upwards */
	uint64_t mem_size;
	struct hexovm_elf elf;
	FILE *console;
	const struct hexovm_migrator *migrator;
	/* Migration request state (migrate.c). */
	bool pending;			/* cb->migrate set, guest not there yet */
	bool stop_armed;		/* --checkpoint-at is in force */
	uint64_t deadline_ns;		/* of the pending request */
	uint64_t request_at_ns;		/* --checkpoint-after, 0 if none */
	bool done;			/* the guest exited or was captured */
	int status;			/* hexovm's exit status once done */
	struct hexovm_stats stats;
};

static inline struct hexo_cb *hexovm_cb(struct hexovm *vm)
{
	return (struct hexo_cb *)(vm->mem + HEXO_GPA_CB);
}

/* Guest memory [gpa, gpa + len), or NULL if it is not all guest memory. */
void *hexovm_gpa(struct hexovm *vm, uint64_t gpa, uint64_t len);

uint64_t hexovm_now_ns(void);
/*
 * Records the guest's progress (cb->points) and the CPU time this process
 * has had (user, system, all threads) for --stats; the first call counts:
 * at a migration point that stops the guest, before its capture.
 */
void hexovm_progress_mark(struct hexovm *vm);
void hexovm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* kvm.c: the VM, its memory and vCPU, and the run loop. */
int hexovm_kvm_init(struct hexovm *vm, uint64_t mem_size);
void hexovm_kvm_uninit(struct hexovm *vm);
int hexovm_kvm_run(struct hexovm *vm);

/* x86_64.c or arm64.c: the ISA's vCPU setup and its hypercall exits. */
int hexovm_arch_vm_init(struct hexovm *vm);
int hexovm_arch_vcpu_init(struct hexovm *vm);
/* 1 and *nr set if the exit is a hypercall, 0 if not ours, < 0 on error. */
int hexovm_arch_hypercall_exit(struct hexovm *vm, uint32_t *nr);
/* Reports an exit that is not a hypercall; returns hexovm's exit status. */
int hexovm_arch_bad_exit(struct hexovm *vm);
extern const uint16_t hexovm_elf_machine;

/* elf.c */
/*
 * Maps the whole file at path read-only; a file shorter than min bytes (or
 * empty) fails with -EINVAL and the message "PATH: what".
 */
int hexovm_map_file(const char *path, size_t min, const char *what, void **map, size_t *len);
int hexovm_elf_load(struct hexovm *vm, const char *path, bool load_data);

/* hypercall.c */
void hexovm_hypercall(struct hexovm *vm, uint32_t nr);

/* migrate.c: requests, capture through the migrator, restore. */
int hexovm_migrate_init(struct hexovm *vm);
void hexovm_migrate_uninit(struct hexovm *vm);
void hexovm_migrate_poll(struct hexovm *vm);
int64_t hexovm_migrate_ready(struct hexovm *vm);
int hexovm_restore(struct hexovm *vm, const struct hexovm_image *img);
int hexovm_image_map(const char *path, struct hexovm_image *img);
void hexovm_image_unmap(struct hexovm_image *img);

/*
 * The capture hook. At a migration point the guest is stopped with its
 * continuation in the control block, and nothing ISA-specific is live:
 * capture() takes the guest (memory regions per hexovm_capture_regions())
 * wherever it goes. 0: captured, hexovm exits; a negative errno: the guest
 * carries on where it is. The file baseline writes an image
 * (include/uapi/hexo/image.h) to --checkpoint; the hexo_kvm module takes
 * over capture and transfer through the same hook (Documentation/
 * hexovm.rst, "The capture hook").
 */
struct hexovm_migrator {
	const char *name;
	int (*capture)(struct hexovm *vm);
};

const struct hexovm_migrator *hexovm_migrator_find(const char *name);

/* link.c: offloads through hexo_kvm. */
struct hexovm_offer {
	uint32_t id;
	uint64_t mem_size, heap_top;
	uint32_t layout, point, isa;
	char app[HEXO_APP_NAME_MAX];
	bool precopy;			/* in its pre-copy round: the guest runs there */
	uint32_t timeout_ms;		/* the source's bound on stopping it after one */
};

/*
 * The guest is parked at a migration point hexo_kvm asked for: hands it to
 * the module and waits for the end. 0: handed off (hexovm lets go);
 * a negative errno: the guest carries on here.
 */
int hexovm_link_parked(struct hexovm *vm);
/*
 * Waits up to opts->incoming_timeout for an offer that opts accepts (its id,
 * its source); 0 and *o filled.
 */
int hexovm_link_wait_offer(const struct hexovm_opts *opts, struct hexovm_offer *o);
/*
 * Pulls the offered guest into vm (its ELF loaded, no data), and takes it
 * from the source: 0 only when the source let go of it; else the offer is
 * rejected and the guest runs on at the source.
 */
int hexovm_link_take(struct hexovm *vm, struct hexovm_offer *o);

/*
 * postcopy.c: the guest runs while [start, end) is still at the source of
 * offer (accepted for post-copy); pages come on demand from start(), in the
 * background from go() (once the source let go). stop() after the run:
 * ends the pulls, releases the source.
 */
int hexovm_postcopy_start(struct hexovm *vm, uint32_t offer, uint64_t start, uint64_t end);
int hexovm_postcopy_go(struct hexovm *vm);
void hexovm_postcopy_stop(struct hexovm *vm);

/* The regions a capture holds and the header that describes them. */
unsigned int hexovm_capture_regions(struct hexovm *vm, struct hexovm_image_src *src,
				    struct hexo_image_hdr *hdr);

#endif /* _HEXOVM_H */
