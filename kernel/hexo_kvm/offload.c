// SPDX-License-Identifier: GPL-2.0
/*
 * Offloads, source side (include/uapi/hexo/hexo_kvm.h, HEXO_KVM_CMD_OFFLOAD;
 * include/uapi/hexo/wire.h, HEXO_SVC_KVM). A VM goes
 *
 *   IDLE [-> PRECOPYING] pre-copy: the dirty log on, the running guest's
 *                       heap lent to the target, which pulls it and says
 *                       COPIED (dirty.c)
 *        -> REQUESTED   the guest's migration flag raised, vCPUs kicked
 *        -> OFFERING    the VMM parked the guest at a migration point: its
 *                       control block, data and heap are pinned and
 *                       exported (after a pre-copy: the pages written
 *                       since are named in a dirty map), and the target is
 *                       sent an OFFER
 *        -> OFFERED     the target pulls what it needs
 *        -> HANDED_OFF  the target said DONE: it runs the VM now
 *
 * and to ABORTED, with the guest running on here, when the guest reaches no
 * migration point in time, the VMM is gone, the target cannot be told, or
 * the target says ABORT or nothing in time. One delayed work per VM drives
 * it; every deadline is the offload's timeout.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/highmem.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <hexo/guest.h>
#include <hexo/wire.h>

#include "dirty.h"
#include "guestmem.h"
#include "link/hexo_link.h"
#include "netlink.h"
#include "offload.h"
#include "reclaim.h"
#include "service.h"
#include "vm.h"

static_assert(sizeof(struct hexo_cb) <= HEXO_PAGE_SIZE);

/*
 * After a post-copy hand-off the source lends the guest's memory until the
 * taker's RELEASE; a taker that reads none of it for this long is gone (its
 * node died, or its RELEASE never came): the memory is let go. Longer than
 * any offload waits; tests shorten it.
 */
static unsigned int lend_idle_ms = HEXO_KVM_TIMEOUT_MAX_MS;
module_param(lend_idle_ms, uint, 0644);
MODULE_PARM_DESC(lend_idle_ms,
		 "post-copy: ms without a read after which a source stops lending a taken VM's memory (1000 at least; a change applies from the next check)");
#define HKVM_LEND_IDLE_MIN_MS	1000

static unsigned long hkvm_lend_idle(void)
{
	return msecs_to_jiffies(max_t(unsigned int, READ_ONCE(lend_idle_ms),
				      HKVM_LEND_IDLE_MIN_MS));
}

/* A parked VM's memory, lent to one target. */
struct hkvm_export {
	u16 id;
	u64 token;
	u8 peer[ETH_ALEN];
	struct hkvm_vm *vm;
	struct page **pages;		/* by gfn; NULL: not lent */
	u64 npages;
	int answer;			/* HKVM_ANS_*: the target's word */
	bool released;			/* after TAKE: RELEASE came */
	unsigned long read_at;		/* jiffies: the taker's last read */
	bool parked;			/* the guest stopped; before: pre-copy */
	bool copied;			/* pre-copy: the target said COPIED */
	u64 precopy_top;		/* pre-copy: the heap PRECOPY lent */
	u8 *map;			/* pre-copy, once parked: the dirty map */
	u64 map_bytes;
	/* Counted under hkvm_exp_lock; added to vm->stats when it goes. */
	ktime_t taken;			/* when DONE or TAKE came */
	u64 reads;			/* pages read: a pre-copy's progress */
	u64 sent_pages, zero_pages, stop_pages, precopy_pages, dirty_pages;
	u64 demand_pages, background_pages;	/* RELEASE's */
};

enum {
	HKVM_ANS_ABORT = -1,
	HKVM_ANS_NONE = 0,
	HKVM_ANS_DONE = 1,		/* took it, holds it all */
	HKVM_ANS_TAKE = 2,		/* took it, pulls the rest (post-copy) */
};

/* The exports by id; the service reads them in softirq. */
static DEFINE_SPINLOCK(hkvm_exp_lock);
static struct hkvm_export *hkvm_exports[HEXO_KVM_MAX_EXPORTS + 1];

/*
 * Exports handed off lately, so that a target's DONE retransmitted after
 * its export is gone is still confirmed (its first answer was lost).
 */
struct hkvm_handed {
	u16 id;
	u64 token;
	u8 peer[ETH_ALEN];
};

static struct hkvm_handed hkvm_handed[HEXO_KVM_MAX_EXPORTS];
static unsigned int hkvm_handed_next;

/*
 * Takes exp out of the table and returns its answer: after this, a DONE
 * for it is refused (so the target never runs what runs on here) unless
 * it was given before (1, and then it is remembered as handed off).
 */
static int hkvm_export_close(struct hkvm_export *exp)
{
	struct hkvm_handed *h;
	bool listed;
	int answer;

	spin_lock_bh(&hkvm_exp_lock);
	listed = exp->id && hkvm_exports[exp->id] == exp;
	if (listed)
		hkvm_exports[exp->id] = NULL;
	answer = exp->answer;
	if (listed && answer > 0) {
		h = &hkvm_handed[hkvm_handed_next++ % ARRAY_SIZE(hkvm_handed)];
		h->id = exp->id;
		h->token = exp->token;
		ether_addr_copy(h->peer, exp->peer);
	}
	spin_unlock_bh(&hkvm_exp_lock);
	return answer;
}

/* Adds exp's counters to st; under hkvm_exp_lock. */
static void hkvm_export_stats(const struct hkvm_export *exp, struct hkvm_stats *st)
{
	st->pages += exp->sent_pages;
	st->zero_pages += exp->zero_pages;
	st->stop_pages += exp->stop_pages;
	st->precopy_pages += exp->precopy_pages;
	st->dirty_pages += exp->dirty_pages;
	st->demand_pages += exp->demand_pages;
	st->background_pages += exp->background_pages;
	if (exp->taken)
		st->taken = exp->taken;
}

void hkvm_offload_stats(const struct hkvm_vm *vm, struct hkvm_stats *st)
{
	*st = vm->stats;
	if (!vm->exp)
		return;
	spin_lock_bh(&hkvm_exp_lock);
	hkvm_export_stats(vm->exp, st);
	spin_unlock_bh(&hkvm_exp_lock);
}

/* Ends exp, out of the table for good: its counters stay in its VM's. */
static void hkvm_export_free(struct hkvm_export *exp)
{
	u64 i;

	hkvm_export_close(exp);
	/* Closed: no reader counts any more. */
	hkvm_export_stats(exp, &exp->vm->stats);
	for (i = 0; i < exp->npages; i++)
		if (exp->pages[i])
			unpin_user_page(exp->pages[i]);
	kvfree(exp->pages);
	kvfree(exp->map);
	kfree(exp);
}

/*
 * Pins [gpa, end) into pages (indexed by gfn). Pinned for writing while
 * the guest runs (pre-copy), so that each is the page the guest goes on
 * writing (an untouched one is not the shared zero page). On error,
 * nothing stays pinned and pages is as it was.
 */
static int hkvm_export_pin(struct page **pages, struct kvm *kvm, u64 gpa, u64 end,
			   bool running)
{
	u64 gfn = gpa >> PAGE_SHIFT, n = (end - gpa) >> PAGE_SHIFT;
	int ret;

	if (end <= gpa)
		return 0;
	ret = hkvm_guest_pin(kvm, gfn, n, pages + gfn, running);
	if (ret)
		memset(pages + gfn, 0, n * sizeof(*pages));
	return ret;
}

/* The heap's top in cb, or its bottom when cb's is not sane. */
static u64 hkvm_heap_top(const struct hexo_cb *cb)
{
	u64 top = cb->heap_top;

	if (top <= HEXO_GPA_HEAP || top > cb->mem_size || top % HEXO_PAGE_SIZE)
		return HEXO_GPA_HEAP;
	return top;
}

/*
 * Pins and exports what the target needs of a guest: its control block,
 * its data (HEXO_GPA_DATA up to the heap) and its heap in use. The guest's
 * code and ISA-private pages are the target's own. Parked, or running for
 * a pre-copy.
 */
static int hkvm_export_create(struct hkvm_vm *vm, const struct hexo_cb *cb, bool running,
			      struct hkvm_export **out)
{
	u64 heap_top = hkvm_heap_top(cb), npages = cb->mem_size >> PAGE_SHIFT;
	struct hkvm_export *exp;
	int ret, id;

	exp = kzalloc(sizeof(*exp), GFP_KERNEL);
	if (!exp)
		return -ENOMEM;
	exp->pages = kvcalloc(npages, sizeof(*exp->pages), GFP_KERNEL);
	if (!exp->pages) {
		kfree(exp);
		return -ENOMEM;
	}
	exp->npages = npages;
	exp->vm = vm;
	exp->token = get_random_u64();
	ether_addr_copy(exp->peer, vm->peer);
	exp->parked = !running;
	exp->precopy_top = heap_top;
	ret = hkvm_export_pin(exp->pages, vm->kvm, HEXO_GPA_CB, HEXO_GPA_CB + HEXO_PAGE_SIZE,
			      running);
	if (!ret)
		ret = hkvm_export_pin(exp->pages, vm->kvm, HEXO_GPA_DATA, HEXO_GPA_HEAP, running);
	if (!ret)
		ret = hkvm_export_pin(exp->pages, vm->kvm, HEXO_GPA_HEAP, heap_top, running);
	if (ret)
		goto err;

	ret = -EBUSY;
	spin_lock_bh(&hkvm_exp_lock);
	for (id = 1; id <= HEXO_KVM_MAX_EXPORTS; id++) {
		if (!hkvm_exports[id]) {
			exp->id = id;
			hkvm_exports[id] = exp;
			ret = 0;
			break;
		}
	}
	spin_unlock_bh(&hkvm_exp_lock);
	if (ret)
		goto err;
	*out = exp;
	return 0;
err:
	hkvm_export_free(exp);
	return ret;
}

bool hkvm_export_read(u16 e, u64 gfn, const u8 *peer, u64 index,
		      void (*emit)(void *arg, const void *data, u32 crc), void *arg)
{
	struct hkvm_export *exp;
	struct page *page;
	u64 k;
	void *p;

	if (!e || e > HEXO_KVM_MAX_EXPORTS)
		return false;
	spin_lock(&hkvm_exp_lock);
	exp = hkvm_exports[e];
	if (!exp || !ether_addr_equal(exp->peer, peer)) {
		spin_unlock(&hkvm_exp_lock);
		return false;
	}
	if (gfn >= HEXO_KVM_MAP_GFN) {
		/* The dirty map: kvzalloc'ed to whole pages. */
		k = gfn - HEXO_KVM_MAP_GFN;
		p = exp->map && k < DIV_ROUND_UP(exp->map_bytes, PAGE_SIZE) ?
		    exp->map + k * PAGE_SIZE : NULL;
		if (p && memchr_inv(p, 0, PAGE_SIZE))
			emit(arg, p, hxl_page_crc(index, p));
		else
			emit(arg, NULL, 0);
		spin_unlock(&hkvm_exp_lock);
		return true;
	}
	exp->reads++;
	exp->read_at = jiffies;
	page = gfn < exp->npages ? exp->pages[gfn] : NULL;
	if (page) {
		p = kmap_local_page(page);
		/* Zero pages travel as ABSENT: the reader zeroes them. */
		if (memchr_inv(p, 0, PAGE_SIZE)) {
			emit(arg, p, hxl_page_crc(index, p));
			exp->sent_pages++;
			if (!exp->parked)
				exp->precopy_pages++;
			else if (exp->answer == HKVM_ANS_NONE)
				exp->stop_pages++;
		} else {
			emit(arg, NULL, 0);
			exp->zero_pages++;
		}
		kunmap_local(p);
	} else {
		emit(arg, NULL, 0);
	}
	spin_unlock(&hkvm_exp_lock);
	return true;
}

bool hkvm_export_answer(u16 e, const u8 *peer, const struct hexo_kvm_msg *msg)
{
	int type = be16_to_cpu(msg->type);
	u64 token = be64_to_cpu(msg->token);
	int want = type == HEXO_KVM_MSG_DONE ? HKVM_ANS_DONE :
		   type == HEXO_KVM_MSG_TAKE ? HKVM_ANS_TAKE : HKVM_ANS_ABORT;
	/* Neither ABORT nor RELEASE needs a confirmation: they give back. */
	bool ok = type == HEXO_KVM_MSG_ABORT || type == HEXO_KVM_MSG_RELEASE;
	struct hkvm_export *exp;
	unsigned int i;

	if (!e || e > HEXO_KVM_MAX_EXPORTS)
		return ok;
	spin_lock(&hkvm_exp_lock);
	exp = hkvm_exports[e];
	if (exp && exp->token == token && ether_addr_equal(exp->peer, peer)) {
		if (type == HEXO_KVM_MSG_COPIED) {
			/* Confirmed until the answer: the guest stops, an OFFER follows. */
			ok = exp->answer == HKVM_ANS_NONE;
			if (ok && !exp->copied && !exp->parked) {
				exp->copied = true;
				mod_delayed_work(system_wq, &exp->vm->work, 0);
			}
		} else if (!exp->parked && want > 0) {
			ok = false;	/* it runs here: no OFFER was sent yet */
		} else if (type == HEXO_KVM_MSG_RELEASE) {
			if (exp->answer == HKVM_ANS_TAKE && !exp->released) {
				exp->released = true;
				/* The target's counts, bounded by what it could have pulled. */
				exp->demand_pages = min(be64_to_cpu(msg->demand), exp->npages);
				exp->background_pages = min(be64_to_cpu(msg->background),
							    exp->npages);
				mod_delayed_work(system_wq, &exp->vm->work, 0);
			}
		} else {
			if (exp->answer == HKVM_ANS_NONE) {
				exp->answer = want;
				if (want > 0)
					exp->taken = ktime_get();
				mod_delayed_work(system_wq, &exp->vm->work, 0);
			}
			ok = exp->answer == want;
		}
	} else if (type == HEXO_KVM_MSG_DONE) {
		for (i = 0; i < ARRAY_SIZE(hkvm_handed); i++)
			if (hkvm_handed[i].id == e && hkvm_handed[i].token == token &&
			    ether_addr_equal(hkvm_handed[i].peer, peer))
				ok = true;
	}
	spin_unlock(&hkvm_exp_lock);
	return ok;
}

/* Every change of an offload's state is an event. Under hkvm_vms_lock. */
static void hkvm_offload_set(struct hkvm_vm *vm, enum hexo_kvm_state state)
{
	vm->state = state;
	hkvm_genl_event(vm);
}

static int hkvm_set_flag(struct hkvm_vm *vm, u32 flag)
{
	return hkvm_guest_rw(vm->kvm, HEXO_GPA_CB + offsetof(struct hexo_cb, migrate), &flag,
			     sizeof(flag), true);
}

/*
 * The target runs the VM now: its VMM lets go. After a TAKE the export
 * stays, lent to the target until its RELEASE (or the VM's detach).
 */
/*
 * The work again after delay, asked by the work itself: an answer that came
 * while it ran queued it at once already, and that stays.
 */
static void hkvm_offload_again(struct hkvm_vm *vm, unsigned long delay)
{
	queue_delayed_work(system_wq, &vm->work, delay);
}

static void hkvm_offload_handed(struct hkvm_vm *vm, int answer)
{
	hkvm_dirty_stop(vm->kvm, &vm->dirty);
	vm->handed_export = vm->exp->id;
	vm->handed_token = vm->exp->token;
	hkvm_reclaim_forget(vm->id);	/* it runs elsewhere: nothing to send back */
	if (answer != HKVM_ANS_TAKE) {
		hkvm_export_free(vm->exp);
		vm->exp = NULL;
		vm->stats.end = ktime_get();
	} else {
		/* Lent on: until RELEASE, or until the taker has been silent too long. */
		spin_lock_bh(&hkvm_exp_lock);
		vm->exp->read_at = jiffies;
		spin_unlock_bh(&hkvm_exp_lock);
		hkvm_offload_again(vm, hkvm_lend_idle());
	}
	vm->offloads++;
	hkvm_offload_set(vm, HEXO_KVM_ST_HANDED_OFF);
	put_net(vm->net);
	vm->net = NULL;
	pr_info("VM %u: handed off to %pM\n", vm->id, vm->peer);
}

/*
 * WITHDRAWs, sent after the offload ended (best effort, a second at most):
 * the target drops the offer, and whatever it set up to take it.
 */
#define HKVM_WITHDRAW_MS	1000

struct hkvm_withdraw {
	struct work_struct work;
	struct net *net;		/* held */
	int ifindex;
	u8 peer[ETH_ALEN];
	u16 export;
	u64 token;
};

static struct workqueue_struct *hkvm_withdraw_wq;

static void hkvm_withdraw_fn(struct work_struct *work)
{
	struct hkvm_withdraw *w = container_of(work, struct hkvm_withdraw, work);
	struct hexo_kvm_msg msg = {};
	int ret;

	msg.magic = cpu_to_be32(HEXO_KVM_MSG_MAGIC);
	msg.type = cpu_to_be16(HEXO_KVM_MSG_WITHDRAW);
	msg.export = cpu_to_be16(w->export);
	msg.token = cpu_to_be64(w->token);
	ret = hkvm_service_send(w->net, w->ifindex, w->peer, &msg, HKVM_WITHDRAW_MS);
	if (ret)
		pr_info("offer of export %u to %pM not withdrawn (%d): it expires there\n",
			w->export, w->peer, ret);
	put_net(w->net);
	kfree(w);
}

/* Tells vm's target that exp's offer is off (its offload ended here). */
static void hkvm_offload_withdraw(struct hkvm_vm *vm, const struct hkvm_export *exp)
{
	struct hkvm_withdraw *w;

	if (!vm->net)
		return;
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return;		/* the target's offer expires */
	INIT_WORK(&w->work, hkvm_withdraw_fn);
	w->net = get_net(vm->net);
	w->ifindex = vm->ifindex;
	ether_addr_copy(w->peer, vm->peer);
	w->export = exp->id;
	w->token = exp->token;
	queue_work(hkvm_withdraw_wq, &w->work);
}

/* Ends the offload in flight: the guest runs on here. Under hkvm_vms_lock or out of the table. */
static void hkvm_offload_end(struct hkvm_vm *vm, int err)
{
	if (vm->exp) {
		/* Offered (or about to be): the target must not wait on it. */
		hkvm_offload_withdraw(vm, vm->exp);
		hkvm_export_free(vm->exp);
		vm->exp = NULL;
	}
	hkvm_dirty_stop(vm->kvm, &vm->dirty);
	hkvm_set_flag(vm, 0);
	vm->error = err;
	vm->stats.end = ktime_get();
	hkvm_offload_set(vm, HEXO_KVM_ST_ABORTED);
	put_net(vm->net);
	vm->net = NULL;
	pr_info("VM %u: offload to %pM aborted (%d); it runs on here\n", vm->id, vm->peer, err);
}

/* The guest's control block, checked; kfree() it. */
static int hkvm_offload_read_cb(struct hkvm_vm *vm, struct hexo_cb **out)
{
	struct hexo_cb *cb;
	int ret;

	cb = kmalloc(sizeof(*cb), GFP_KERNEL);
	if (!cb)
		return -ENOMEM;
	ret = hkvm_guest_rw(vm->kvm, HEXO_GPA_CB, cb, sizeof(*cb), false);
	if (!ret && (cb->magic != HEXO_CB_MAGIC || cb->abi_version != HEXO_ABI_VERSION ||
		     !cb->mem_size || cb->mem_size % HEXO_PAGE_SIZE ||
		     cb->mem_size >> PAGE_SHIFT > HEXO_KVM_MAP_GFN ||
		     cb->mem_size < HEXO_GPA_HEAP || cb->mem_size > hkvm_vm_mem_bytes(vm->kvm)))
		ret = -EPROTO;	/* what it says sizes our allocations: bounded by its VM */
	if (ret) {
		kfree(cb);
		return ret;
	}
	*out = cb;
	return 0;
}

static int hkvm_offload_send(struct hkvm_vm *vm, const struct hkvm_export *exp,
			     const struct hexo_cb *cb, int type, u64 heap_top)
{
	struct hexo_kvm_msg msg = {};

	msg.magic = cpu_to_be32(HEXO_KVM_MSG_MAGIC);
	msg.type = cpu_to_be16(type);
	msg.export = cpu_to_be16(exp->id);
	msg.token = cpu_to_be64(exp->token);
	msg.mem_size = cpu_to_be64(cb->mem_size);
	msg.heap_top = cpu_to_be64(heap_top);
	msg.isa = cpu_to_be32(HKVM_ISA);
	msg.layout = cpu_to_be32(vm->layout);
	if (type == HEXO_KVM_MSG_OFFER)
		msg.point = cpu_to_be32(cb->cont.point);
	else
		msg.timeout_ms = cpu_to_be32(vm->timeout_ms);
	memcpy(msg.app, cb->app, min(sizeof(msg.app), sizeof(cb->app)));
	msg.app[sizeof(msg.app) - 1] = 0;
	return hkvm_service_send(vm->net, vm->ifindex, vm->peer, &msg, vm->timeout_ms);
}

/*
 * PRECOPYING, first step, outside hkvm_vms_lock: the dirty log on, then
 * the running guest exported and the target sent a PRECOPY.
 */
static int hkvm_offload_precopy(struct hkvm_vm *vm)
{
	struct hkvm_export *exp;
	struct hexo_cb *cb;
	int ret;

	ret = hkvm_dirty_start(vm->kvm, &vm->dirty);
	if (ret)
		return ret;
	/* Read after the log is on: what changes from here is logged. */
	ret = hkvm_offload_read_cb(vm, &cb);
	if (ret)
		return ret;
	ret = hkvm_export_create(vm, cb, true, &exp);
	if (!ret) {
		mutex_lock(&hkvm_vms_lock);
		vm->exp = exp;
		mutex_unlock(&hkvm_vms_lock);
		ret = hkvm_offload_send(vm, exp, cb, HEXO_KVM_MSG_PRECOPY, exp->precopy_top);
	}
	kfree(cb);
	return ret;
}

/*
 * A pre-copied export, the guest parked: the heap above what PRECOPY lent
 * is pinned, and the pages written since are named in the dirty map.
 */
static int hkvm_export_finish(struct hkvm_vm *vm, struct hkvm_export *exp, u64 heap_top)
{
	u64 bytes = DIV_ROUND_UP(exp->npages, 8), ndirty, top = exp->precopy_top, g;
	struct page **grown = NULL;
	u8 *map;
	int ret;

	map = kvzalloc(round_up(bytes, PAGE_SIZE), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	if (heap_top > top) {
		grown = kvcalloc(exp->npages, sizeof(*grown), GFP_KERNEL);
		ret = grown ? hkvm_export_pin(grown, vm->kvm, top, heap_top, false) : -ENOMEM;
		if (ret) {
			kvfree(grown);
			kvfree(map);
			return ret;
		}
	}
	ndirty = hkvm_dirty_map(vm->kvm, map, exp->npages);
	spin_lock_bh(&hkvm_exp_lock);
	for (g = top >> PAGE_SHIFT; grown && g < heap_top >> PAGE_SHIFT; g++)
		exp->pages[g] = grown[g];
	exp->map = map;
	exp->map_bytes = bytes;
	exp->dirty_pages = ndirty;
	exp->parked = true;
	spin_unlock_bh(&hkvm_exp_lock);
	kvfree(grown);
	return 0;
}

/*
 * OFFERING, outside hkvm_vms_lock (the fields it reads do not change while
 * an offload is in flight): exports the parked guest, or finishes its
 * pre-copied export, and tells the target.
 */
static int hkvm_offload_offer(struct hkvm_vm *vm)
{
	struct hkvm_export *exp = vm->exp;
	struct hexo_cb *cb;
	int ret;

	ret = hkvm_offload_read_cb(vm, &cb);
	if (ret)
		return ret;
	if (exp) {
		ret = -EPROTO;
		if (cb->mem_size >> PAGE_SHIFT == exp->npages)
			ret = hkvm_export_finish(vm, exp, hkvm_heap_top(cb));
	} else {
		ret = hkvm_export_create(vm, cb, false, &exp);
		if (!ret) {
			mutex_lock(&hkvm_vms_lock);
			vm->exp = exp;
			mutex_unlock(&hkvm_vms_lock);
		}
	}
	if (!ret)
		ret = hkvm_offload_send(vm, exp, cb, HEXO_KVM_MSG_OFFER, hkvm_heap_top(cb));
	kfree(cb);
	return ret;
}

/* Raises the guest's migration flag: it parks at its next migration point. */
static int hkvm_offload_request(struct hkvm_vm *vm)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;
	int ret;

	ret = hkvm_set_flag(vm, HEXO_MIGRATE_HOST);
	if (ret)
		return ret;
	kvm_for_each_vcpu(i, vcpu, vm->kvm)
		kvm_vcpu_kick(vcpu);
	return 0;
}

/* PRECOPYING, under hkvm_vms_lock: on to REQUESTED once the target holds the heap. */
static void hkvm_offload_precopying(struct hkvm_vm *vm)
{
	bool copied;
	int answer, ret;
	u64 reads;

	if (!vm->exp && !vm->vmm_exited) {
		mutex_unlock(&hkvm_vms_lock);
		ret = hkvm_offload_precopy(vm);
		mutex_lock(&hkvm_vms_lock);
		if (ret) {
			hkvm_offload_end(vm, ret);
			return;
		}
		vm->deadline = jiffies + msecs_to_jiffies(vm->timeout_ms);
	}
	if (vm->vmm_exited) {
		hkvm_offload_end(vm, -ESRCH);
		return;
	}
	spin_lock_bh(&hkvm_exp_lock);
	copied = vm->exp->copied;
	answer = vm->exp->answer;
	reads = vm->exp->reads;
	spin_unlock_bh(&hkvm_exp_lock);
	if (answer < 0) {
		hkvm_offload_end(vm, -ECANCELED);
		return;
	}
	if (copied) {
		ret = hkvm_offload_request(vm);
		if (ret) {
			hkvm_offload_end(vm, ret == -EFAULT ? -EFAULT : -ESRCH);
			return;
		}
		vm->deadline = jiffies + msecs_to_jiffies(vm->timeout_ms);
		hkvm_offload_set(vm, HEXO_KVM_ST_REQUESTED);
		hkvm_offload_again(vm, vm->deadline - jiffies);
		return;
	}
	/* A target that pulls has as long as it takes; one that stops, a timeout. */
	if (reads != vm->precopy_reads) {
		vm->precopy_reads = reads;
		vm->deadline = jiffies + msecs_to_jiffies(vm->timeout_ms);
	}
	if (time_before(jiffies, vm->deadline))
		hkvm_offload_again(vm, vm->deadline - jiffies);
	else
		hkvm_offload_end(vm, -ETIMEDOUT);
}

/* The target's word on vm's export (HKVM_ANS_*), NONE without one. */
static int hkvm_offload_answer(const struct hkvm_vm *vm)
{
	int answer = HKVM_ANS_NONE;

	if (vm->exp) {
		spin_lock_bh(&hkvm_exp_lock);
		answer = vm->exp->answer;
		spin_unlock_bh(&hkvm_exp_lock);
	}
	return answer;
}

static void hkvm_offload_work(struct work_struct *work)
{
	struct hkvm_vm *vm = container_of(to_delayed_work(work), struct hkvm_vm, work);
	unsigned long lapse, idle;
	bool released;
	int ret, answer;

	mutex_lock(&hkvm_vms_lock);
	switch (vm->state) {
	case HEXO_KVM_ST_PRECOPYING:
		hkvm_offload_precopying(vm);
		break;
	case HEXO_KVM_ST_REQUESTED:
		/* After a pre-copy round: the target may have given up meanwhile. */
		answer = hkvm_offload_answer(vm);
		if (answer < 0)
			hkvm_offload_end(vm, -ECANCELED);
		else if (time_before(jiffies, vm->deadline))
			hkvm_offload_again(vm, vm->deadline - jiffies);
		else
			hkvm_offload_end(vm, -ETIMEDOUT);
		break;
	case HEXO_KVM_ST_OFFERING:
		answer = hkvm_offload_answer(vm);
		if (answer < 0) {
			hkvm_offload_end(vm, -ECANCELED);	/* refused after its pre-copy round */
			break;
		}
		mutex_unlock(&hkvm_vms_lock);
		ret = hkvm_offload_offer(vm);
		mutex_lock(&hkvm_vms_lock);
		if (ret) {
			hkvm_offload_end(vm, ret);
			break;
		}
		hkvm_offload_set(vm, HEXO_KVM_ST_OFFERED);
		vm->deadline = jiffies + msecs_to_jiffies(vm->timeout_ms);
		fallthrough;	/* the target may have answered already */
	case HEXO_KVM_ST_OFFERED:
		answer = hkvm_offload_answer(vm);
		if (!answer && time_before(jiffies, vm->deadline)) {
			hkvm_offload_again(vm, vm->deadline - jiffies);
			break;
		}
		if (answer == HKVM_ANS_TAKE) {
			/* Lent on: the table keeps it for the target's reads. */
			hkvm_offload_handed(vm, answer);
			break;
		}
		/* Decided now: a DONE after this is refused. */
		answer = hkvm_export_close(vm->exp);
		if (answer > 0)
			hkvm_offload_handed(vm, answer);
		else
			hkvm_offload_end(vm, answer < 0 ? -ECANCELED : -ETIMEDOUT);
		break;
	case HEXO_KVM_ST_HANDED_OFF:
		if (!vm->exp)
			break;
		lapse = hkvm_lend_idle();
		spin_lock_bh(&hkvm_exp_lock);
		released = vm->exp->released;
		idle = jiffies - vm->exp->read_at;
		spin_unlock_bh(&hkvm_exp_lock);
		if (!released && idle < lapse) {
			hkvm_offload_again(vm, lapse - idle);
			break;
		}
		hkvm_export_free(vm->exp);
		vm->exp = NULL;
		vm->stats.end = ktime_get();
		hkvm_genl_event(vm);	/* no longer lending */
		if (released)
			pr_info("VM %u: %pM holds all of it; memory released\n", vm->id, vm->peer);
		else
			pr_info("VM %u: %pM read nothing for %u ms after it took the VM; memory released\n",
				vm->id, vm->peer, jiffies_to_msecs(idle));
		break;
	default:
		break;
	}
	hkvm_vm_reap(vm);	/* its VMM may have exited meanwhile */
	mutex_unlock(&hkvm_vms_lock);
}

int hkvm_offload_init(void)
{
	hkvm_withdraw_wq = alloc_ordered_workqueue("hexo_kvm_withdraw", 0);
	return hkvm_withdraw_wq ? 0 : -ENOMEM;
}

void hkvm_offload_uninit(void)
{
	destroy_workqueue(hkvm_withdraw_wq);	/* the WITHDRAWs queued are sent first */
}

void hkvm_offload_init_vm(struct hkvm_vm *vm)
{
	vm->state = HEXO_KVM_ST_IDLE;
	INIT_DELAYED_WORK(&vm->work, hkvm_offload_work);
}

static bool hkvm_offload_in_flight(const struct hkvm_vm *vm)
{
	return vm->state == HEXO_KVM_ST_PRECOPYING || vm->state == HEXO_KVM_ST_REQUESTED ||
	       vm->state == HEXO_KVM_ST_OFFERING || vm->state == HEXO_KVM_ST_OFFERED;
}

bool hkvm_offload_idle(const struct hkvm_vm *vm)
{
	return !hkvm_offload_in_flight(vm) && !vm->exp;
}

void hkvm_offload_vmm_exited(struct hkvm_vm *vm)
{
	lockdep_assert_held(&hkvm_vms_lock);
	/*
	 * Nothing will park: end it now. Parked, its memory is pinned and the
	 * offload goes on (the target may still take it) until it ends.
	 */
	if (vm->state == HEXO_KVM_ST_REQUESTED) {
		cancel_delayed_work(&vm->work);
		hkvm_offload_end(vm, -ESRCH);
	} else if (vm->state == HEXO_KVM_ST_PRECOPYING) {
		/* Its work may be exporting, out of the lock: it ends it. */
		mod_delayed_work(system_wq, &vm->work, 0);
	}
}

void hkvm_offload_cancel(struct hkvm_vm *vm)
{
	int answer;

	cancel_delayed_work_sync(&vm->work);
	/* Out of the table: the lock only orders the events. */
	mutex_lock(&hkvm_vms_lock);
	if (!hkvm_offload_in_flight(vm)) {
		/* A post-copy target loses what it has not pulled yet. */
		if (vm->exp)
			hkvm_export_free(vm->exp);
		vm->exp = NULL;
	} else {
		answer = vm->exp ? hkvm_export_close(vm->exp) : HKVM_ANS_NONE;
		if (answer > 0)
			hkvm_offload_handed(vm, HKVM_ANS_DONE);	/* the target took it already */
		else
			hkvm_offload_end(vm, -ECANCELED);
	}
	mutex_unlock(&hkvm_vms_lock);
	/*
	 * An answer that came before the export left the table queued the work
	 * again; now that it is out, nothing does: the VM is ours alone.
	 */
	cancel_delayed_work_sync(&vm->work);
}

int hkvm_offload_start(struct hkvm_vm *vm, struct net *net, int ifindex, const u8 *peer,
		       u32 timeout_ms, bool precopy, struct netlink_ext_ack *extack)
{
	int ret = 0;

	lockdep_assert_held(&hkvm_vms_lock);
	if (!vm->kvm || vm->vmm_exited) {
		NL_SET_ERR_MSG(extack, "this VM's VMM exited: nothing runs to offload");
		return -ESRCH;
	}
	if (hkvm_offload_in_flight(vm)) {
		NL_SET_ERR_MSG(extack, "an offload of this VM is in flight");
		return -EBUSY;
	}
	if (vm->state == HEXO_KVM_ST_HANDED_OFF) {
		NL_SET_ERR_MSG(extack, "this VM was handed off: it runs elsewhere now");
		return -EBUSY;
	}
	if (!hkvm_service_serves(net, ifindex)) {
		NL_SET_ERR_MSG(extack, "the interface is not served: hexoctl kvm serve dev IF first");
		return -ENOTCONN;
	}
	if (!precopy)
		ret = hkvm_offload_request(vm);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot reach the guest's control block: is its VMM gone?");
		return ret == -EFAULT ? -EFAULT : -ESRCH;
	}
	ether_addr_copy(vm->peer, peer);
	vm->has_peer = true;
	vm->ifindex = ifindex;
	vm->net = get_net(net);
	vm->timeout_ms = timeout_ms;
	vm->error = 0;
	vm->stats = (struct hkvm_stats){ .valid = true, .start = ktime_get() };
	vm->precopy = precopy;
	vm->precopy_reads = 0;
	vm->deadline = jiffies + msecs_to_jiffies(timeout_ms);
	if (precopy) {
		/* The work turns the dirty log on and exports (sleeps, VMM's mm). */
		hkvm_offload_set(vm, HEXO_KVM_ST_PRECOPYING);
		mod_delayed_work(system_wq, &vm->work, 0);
	} else {
		hkvm_offload_set(vm, HEXO_KVM_ST_REQUESTED);
		mod_delayed_work(system_wq, &vm->work, msecs_to_jiffies(timeout_ms));
	}
	return 0;
}

int hkvm_offload_parked(struct hkvm_vm *vm, u32 layout, struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&hkvm_vms_lock);
	if (vm->state != HEXO_KVM_ST_REQUESTED) {
		NL_SET_ERR_MSG(extack, "no offload waits for this VM (it timed out, or none was asked)");
		return -ESTALE;
	}
	vm->layout = layout;
	vm->stats.parked = ktime_get();
	hkvm_offload_set(vm, HEXO_KVM_ST_OFFERING);
	mod_delayed_work(system_wq, &vm->work, 0);
	return 0;
}
