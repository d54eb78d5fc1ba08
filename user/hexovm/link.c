// SPDX-License-Identifier: GPL-2.0
/*
 * Offloads through hexo_kvm (include/uapi/hexo/hexo_kvm.h): on the source,
 * a guest parked at a migration point that hexo_kvm asked for is handed to
 * the module, which exports it to the target; on the target, hexovm
 * --incoming takes an offer, pulls the guest's control block, data and heap
 * through the module, and runs it once the source has let go.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hexo/hexo_kvm.h>

#include "hexovm.h"
#include "hxnl.h"
#include "parse.h"

#define HEXOVM_POLL_US	20000

struct hexovm_vm_state {
	uint32_t id, state, error;
};

static int hexovm_state_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct hexovm_vm_state *st = arg;

	if (!tb[HEXO_KVM_A_VM_ID] || !tb[HEXO_KVM_A_STATE])
		return -EPROTO;
	st->id = nla_get_u32(tb[HEXO_KVM_A_VM_ID]);
	st->state = nla_get_u32(tb[HEXO_KVM_A_STATE]);
	st->error = tb[HEXO_KVM_A_ERROR] ? nla_get_u32(tb[HEXO_KVM_A_ERROR]) : 0;
	return 0;
}

int hexovm_link_parked(struct hexovm *vm)
{
	struct hexovm_vm_state st = { 0 };
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	ret = hxnl_open(&nl, HEXO_KVM_GENL_NAME);
	if (ret) {
		hexovm_err("hexo_kvm asked for a migration, but its family is gone: %s",
			   strerror(-ret));
		return ret;
	}
	msg = hxnl_msg(&nl, HEXO_KVM_CMD_PARKED, false);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	nla_put_u32(msg, HEXO_KVM_A_VM_FD, vm->vm_fd);
	nla_put_u32(msg, HEXO_KVM_A_LAYOUT, vm->elf.layout_crc);
	ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, hexovm_state_cb, &st);
	if (ret) {
		hxnl_fail(&nl, "parked at a migration point, but hexo_kvm refused", ret);
		goto out;
	}
	hexovm_err("parked at migration point %u for hexo_kvm (vm %u)", hexovm_cb(vm)->cont.point,
		   st.id);
	/* hexo_kvm bounds every step of an offload; it always ends in one of the two. */
	while (st.state != HEXO_KVM_ST_HANDED_OFF && st.state != HEXO_KVM_ST_ABORTED) {
		usleep(HEXOVM_POLL_US);
		msg = hxnl_msg(&nl, HEXO_KVM_CMD_GET_VM, false);
		if (!msg) {
			ret = -ENOMEM;
			goto out;
		}
		nla_put_u32(msg, HEXO_KVM_A_VM_ID, st.id);
		ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, hexovm_state_cb, &st);
		if (ret) {
			hxnl_fail(&nl, "lost hexo_kvm's view of the offload", ret);
			goto out;
		}
	}
	if (st.state == HEXO_KVM_ST_HANDED_OFF) {
		hexovm_err("handed off at migration point %u: the guest runs on the target now",
			   hexovm_cb(vm)->cont.point);
		ret = 0;
	} else {
		hexovm_err("offload aborted (%s): the guest carries on here",
			   strerror(st.error ? st.error : ECANCELED));
		ret = -(st.error ? st.error : ECANCELED);
	}
out:
	hxnl_close(&nl);
	return ret;
}

struct hexovm_offer_pick {
	const struct hexovm_opts *opts;
	struct hexovm_offer *o;
	unsigned int seen;		/* offers listed, taken or not */
};

static int hexovm_offer_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct hexovm_offer_pick *pick = arg;
	const struct hexovm_opts *opts = pick->opts;
	struct hexovm_offer *o = pick->o;

	if (!tb[HEXO_KVM_A_OFFER_ID] || !tb[HEXO_KVM_A_VM_MEM] || !tb[HEXO_KVM_A_HEAP_TOP] ||
	    !tb[HEXO_KVM_A_LAYOUT] || !tb[HEXO_KVM_A_POINT] || !tb[HEXO_KVM_A_APP] ||
	    !tb[HEXO_KVM_A_ISA] || !tb[HEXO_KVM_A_PEER] || nla_len(tb[HEXO_KVM_A_PEER]) != 6)
		return -EPROTO;
	pick->seen++;
	if (o->id)
		return 0;	/* the first offer chosen only */
	if (opts->incoming_offer && nla_get_u32(tb[HEXO_KVM_A_OFFER_ID]) != opts->incoming_offer)
		return 0;
	if (opts->incoming_from_set && memcmp(nla_data(tb[HEXO_KVM_A_PEER]), opts->incoming_from, 6))
		return 0;
	o->id = nla_get_u32(tb[HEXO_KVM_A_OFFER_ID]);
	o->mem_size = nla_get_u64(tb[HEXO_KVM_A_VM_MEM]);
	o->heap_top = nla_get_u64(tb[HEXO_KVM_A_HEAP_TOP]);
	o->layout = nla_get_u32(tb[HEXO_KVM_A_LAYOUT]);
	o->point = nla_get_u32(tb[HEXO_KVM_A_POINT]);
	o->isa = nla_get_u32(tb[HEXO_KVM_A_ISA]);
	snprintf(o->app, sizeof(o->app), "%s", nla_get_string(tb[HEXO_KVM_A_APP]));
	o->precopy = !!tb[HEXO_KVM_A_PRECOPY];
	o->timeout_ms = tb[HEXO_KVM_A_TIMEOUT_MS] ? nla_get_u32(tb[HEXO_KVM_A_TIMEOUT_MS]) : 0;
	return 0;
}

/*
 * Offers are announced (HEXO_KVM_CMD_OFFERED, group "events"): a taker that
 * subscribed sleeps until one comes, or until end_ns (at most a second, so
 * that a lost announcement costs no more); without the subscription it
 * polls.
 */
struct hexovm_offer_watch {
	struct hxnl ev;
	bool on;
};

static void hexovm_watch_open(struct hexovm_offer_watch *w)
{
	w->on = !hxnl_open(&w->ev, HEXO_KVM_GENL_NAME);
	if (w->on && hxnl_subscribe(&w->ev, HEXO_KVM_MCGRP_EVENTS)) {
		hxnl_close(&w->ev);
		w->on = false;
	}
}

static void hexovm_watch_close(struct hexovm_offer_watch *w)
{
	if (w->on)
		hxnl_close(&w->ev);
	w->on = false;
}

static void hexovm_watch_wait(struct hexovm_offer_watch *w, uint64_t end_ns)
{
	uint64_t now = hexovm_now_ns(), ms = end_ns > now ? (end_ns - now) / 1000000 + 1 : 0;
	struct pollfd p;

	if (!w->on) {
		usleep(HEXOVM_POLL_US);
		return;
	}
	p.fd = nl_socket_get_fd(w->ev.sk);
	p.events = POLLIN;
	if (poll(&p, 1, ms < 1000 ? (int)ms : 1000) > 0)
		hxnl_recv(&w->ev, HEXO_KVM_A_MAX, NULL, NULL);
}

int hexovm_link_wait_offer(const struct hexovm_opts *opts, struct hexovm_offer *o)
{
	double timeout_s = opts->incoming_timeout;
	uint64_t end = hexovm_now_ns() + (uint64_t)(timeout_s * 1e9);
	struct hexovm_offer_pick pick = { .opts = opts, .o = o };
	struct hexovm_offer_watch w;
	char from[64] = "", mac[18];
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	ret = hxnl_open(&nl, HEXO_KVM_GENL_NAME);
	if (ret) {
		hexovm_err("--incoming needs hexo_kvm (modprobe hexo_kvm; hexoctl kvm serve dev "
			   "IFNAME): %s", strerror(-ret));
		return ret;
	}
	/* Subscribed before the first look: an offer after it is announced. */
	hexovm_watch_open(&w);
	memset(o, 0, sizeof(*o));
	for (;;) {
		msg = hxnl_msg(&nl, HEXO_KVM_CMD_GET_OFFER, true);
		if (!msg) {
			ret = -ENOMEM;
			break;
		}
		pick.seen = 0;
		ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, hexovm_offer_cb, &pick);
		if (ret) {
			hxnl_fail(&nl, "cannot list hexo_kvm's offers", ret);
			break;
		}
		if (o->id)
			break;
		/* An offer named by its id is one listed already: it came and went. */
		if (opts->incoming_offer) {
			hexovm_err("--incoming: no offer %u here (hexoctl kvm offers lists them)",
				   opts->incoming_offer);
			ret = -ENOENT;
			break;
		}
		if (hexovm_now_ns() >= end) {
			if (opts->incoming_from_set)
				snprintf(from, sizeof(from), " from %s (%u from others)",
					 fmt_mac(opts->incoming_from, mac, sizeof(mac)), pick.seen);
			hexovm_err("--incoming: no offer%s within %g s", from, timeout_s);
			ret = -ETIMEDOUT;
			break;
		}
		hexovm_watch_wait(&w, end);
	}
	hexovm_watch_close(&w);
	hxnl_close(&nl);
	return ret;
}

static int hexovm_pulled_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	if (!tb[HEXO_KVM_A_LEN])
		return -EPROTO;
	*(uint64_t *)arg = nla_get_u64(tb[HEXO_KVM_A_LEN]);
	return 0;
}

/* [gpa, end) of the guest from its source; with dirty, only what changed there. */
static int hexovm_pull_as(struct hxnl *nl, const struct hexovm_offer *o, struct hexovm *vm,
			  uint64_t gpa, uint64_t end, bool dirty)
{
	uint64_t pulled;
	struct nl_msg *msg;
	int ret;

	gpa &= ~(uint64_t)(HEXO_PAGE_SIZE - 1);
	end = (end + HEXO_PAGE_SIZE - 1) & ~(uint64_t)(HEXO_PAGE_SIZE - 1);
	if (end <= gpa)
		return 0;
	pulled = end - gpa;
	msg = hxnl_msg(nl, HEXO_KVM_CMD_PULL, false);
	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, HEXO_KVM_A_OFFER_ID, o->id);
	nla_put_u64(msg, HEXO_KVM_A_GPA, gpa);
	nla_put_u64(msg, HEXO_KVM_A_LEN, end - gpa);
	nla_put_u64(msg, HEXO_KVM_A_ADDR, (uintptr_t)(vm->mem + gpa));
	if (dirty)
		nla_put_flag(msg, HEXO_KVM_A_DIRTY);
	ret = hxnl_call(nl, msg, HEXO_KVM_A_MAX, dirty ? hexovm_pulled_cb : NULL, &pulled);
	if (ret)
		hxnl_fail(nl, "pulling the guest from its source", ret);
	else
		vm->stats.pulled_bytes += pulled;
	return ret;
}

static int hexovm_pull(struct hxnl *nl, const struct hexovm_offer *o, struct hexovm *vm,
		       uint64_t gpa, uint64_t end)
{
	return hexovm_pull_as(nl, o, vm, gpa, end, false);
}

/* Accepting, the VM is attached to hexo_kvm: the source may reclaim it. */
static int hexovm_answer(struct hxnl *nl, const struct hexovm *vm, const struct hexovm_offer *o,
			 bool accept, bool postcopy)
{
	struct nl_msg *msg = hxnl_msg(nl, accept ? HEXO_KVM_CMD_ACCEPT : HEXO_KVM_CMD_REJECT,
				      false);
	int ret;

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, HEXO_KVM_A_OFFER_ID, o->id);
	if (accept)
		nla_put_u32(msg, HEXO_KVM_A_VM_FD, vm->vm_fd);
	if (postcopy)
		nla_put_flag(msg, HEXO_KVM_A_POSTCOPY);
	ret = hxnl_call(nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
	if (ret && accept)
		hxnl_fail(nl, "the source did not let go of the guest; not running it", ret);
	return ret;
}

/* The heap's top an offer gives, or its bottom when that is not sane. */
static uint64_t hexovm_offer_top(const struct hexovm *vm, const struct hexovm_offer *o)
{
	if (o->heap_top > HEXO_GPA_HEAP && o->heap_top <= vm->mem_size &&
	    !(o->heap_top % HEXO_PAGE_SIZE))
		return o->heap_top;
	return HEXO_GPA_HEAP;
}

/*
 * An offer in its pre-copy round: the heap it lends is pulled while the
 * guest runs on at the source, the round's end is said (ACCEPT with
 * HEXO_KVM_A_PRECOPY), and the source's final offer, once the guest
 * stopped, replaces *o. *top: where the round's heap ended.
 */
static int hexovm_precopy(struct hxnl *nl, struct hexovm *vm, struct hexovm_offer *o,
			  uint64_t *top)
{
	uint64_t t0 = hexovm_now_ns(), end, bound_ms;
	static const struct hexovm_opts any;	/* the offer asked for by its id */
	struct hexovm_offer_watch w;
	struct hexovm_offer f;
	struct hexovm_offer_pick pick = { .opts = &any, .o = &f };
	struct nl_msg *msg;
	int ret;

	*top = hexovm_offer_top(vm, o);
	ret = hexovm_pull(nl, o, vm, HEXO_GPA_HEAP, *top);
	if (ret)
		return ret;
	msg = hxnl_msg(nl, HEXO_KVM_CMD_ACCEPT, false);
	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, HEXO_KVM_A_OFFER_ID, o->id);
	nla_put_flag(msg, HEXO_KVM_A_PRECOPY);
	ret = hxnl_call(nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
	if (ret) {
		hxnl_fail(nl, "the source did not take the pre-copy round's end", ret);
		return ret;
	}
	hexovm_err("pre-copy: %llu KiB of %s's heap pulled in %llu ms while it ran at the "
		   "source; waiting for it to stop", (unsigned long long)((*top - HEXO_GPA_HEAP) >> 10),
		   o->app, (unsigned long long)((hexovm_now_ns() - t0) / 1000000));
	/* The source parks the guest, then offers: each within its timeout. */
	bound_ms = 2ULL * (o->timeout_ms ? o->timeout_ms : HEXO_KVM_TIMEOUT_DEFAULT_MS) + 1000;
	end = hexovm_now_ns() + bound_ms * 1000000;
	hexovm_watch_open(&w);
	for (;;) {
		memset(&f, 0, sizeof(f));
		msg = hxnl_msg(nl, HEXO_KVM_CMD_GET_OFFER, false);
		if (!msg) {
			ret = -ENOMEM;
			break;
		}
		nla_put_u32(msg, HEXO_KVM_A_OFFER_ID, o->id);
		ret = hxnl_call(nl, msg, HEXO_KVM_A_MAX, hexovm_offer_cb, &pick);
		if (ret) {
			hxnl_fail(nl, "lost the pre-copied offer", ret);
			break;
		}
		if (!f.precopy)
			break;
		if (hexovm_now_ns() >= end) {
			hexovm_err("pre-copy: the source did not stop %s within %llu ms", o->app,
				   (unsigned long long)bound_ms);
			ret = -ETIMEDOUT;
			break;
		}
		hexovm_watch_wait(&w, end);
	}
	hexovm_watch_close(&w);
	if (ret)
		return ret;
	if (f.mem_size != o->mem_size || strcmp(f.app, o->app)) {
		hexovm_err("pre-copy: the final offer is not the pre-copied guest's");
		return -EPROTO;
	}
	*o = f;
	return 0;
}

int hexovm_link_take(struct hexovm *vm, struct hexovm_offer *o)
{
	uint64_t t0 = hexovm_now_ns(), heap_top, pre_top = 0, base = 0;
	struct hexo_cb *cb = hexovm_cb(vm);
	bool postcopy, precopied = false;
	struct hxnl nl;
	int ret;

	ret = hxnl_open(&nl, HEXO_KVM_GENL_NAME);
	if (ret) {
		hexovm_err("hexo_kvm is gone: %s", strerror(-ret));
		return ret;
	}
	/* The guest's layout is known once it stopped: after a pre-copy round. */
	if (o->precopy) {
		ret = hexovm_precopy(&nl, vm, o, &pre_top);
		if (ret)
			goto reject;
		precopied = true;
		/* The guest stopped at the source: what is pulled from here on. */
		t0 = hexovm_now_ns();
		base = vm->stats.pulled_bytes;
	}
	if (o->layout != vm->elf.layout_crc) {
		hexovm_err("%s does not match the offered guest: its data layout is %08x, the "
			   "ELF's %08x; run the %s build of the same %s sources", vm->opts->elf,
			   o->layout, vm->elf.layout_crc, hexovm_isa_name(HEXOVM_ISA), o->app);
		ret = -EINVAL;
		goto reject;
	}
	heap_top = hexovm_offer_top(vm, o);
	/*
	 * Post-copy: the guest starts with its control block and data; the
	 * heap follows. After a pre-copy round: what changed of it, and what
	 * grew, with the guest stopped.
	 */
	postcopy = !precopied && !vm->opts->stop_and_copy && heap_top > HEXO_GPA_HEAP;
	ret = hexovm_pull(&nl, o, vm, HEXO_GPA_CB, HEXO_GPA_CB + HEXO_PAGE_SIZE);
	if (!ret)
		ret = hexovm_pull(&nl, o, vm, vm->elf.data_start, vm->elf.data_end);
	if (!ret && precopied) {
		ret = hexovm_pull_as(&nl, o, vm, HEXO_GPA_HEAP,
				     heap_top < pre_top ? heap_top : pre_top, true);
		if (!ret)
			ret = hexovm_pull(&nl, o, vm, pre_top, heap_top);
	} else if (!ret && !postcopy) {
		ret = hexovm_pull(&nl, o, vm, HEXO_GPA_HEAP, heap_top);
	}
	if (ret)
		goto reject;
	if (cb->magic != HEXO_CB_MAGIC || cb->abi_version != HEXO_ABI_VERSION ||
	    cb->mem_size != vm->mem_size) {
		hexovm_err("the offered guest's control block is not of guest ABI %u",
			   HEXO_ABI_VERSION);
		ret = -EINVAL;
		goto reject;
	}
	/* Registered before the source lets go: nothing touches the heap before. */
	if (postcopy && hexovm_postcopy_start(vm, o->id, HEXO_GPA_HEAP, heap_top)) {
		ret = -EIO;
		goto reject;
	}
	ret = hexovm_answer(&nl, vm, o, true, postcopy);
	if (ret) {
		if (postcopy)
			_exit(1);	/* its threads wait on a source that runs the guest on */
		goto out;
	}
	if (postcopy && hexovm_postcopy_go(vm))
		_exit(1);	/* the guest is here, and its heap would never follow */
	cb->resume = 1;
	cb->migrate = 0;
	cb->cont.migrations++;
	hexovm_err("took %s from %s at migration point %u (migration %u): %llu KiB pulled in "
		   "%llu ms%s", o->app, hexovm_isa_name(o->isa), cb->cont.point,
		   cb->cont.migrations, (unsigned long long)((vm->stats.pulled_bytes - base) >> 10),
		   (unsigned long long)((hexovm_now_ns() - t0) / 1000000),
		   postcopy ? "; the heap follows (post-copy)" :
		   precopied ? " after the pre-copy round" : "");
	goto out;
reject:
	hexovm_answer(&nl, vm, o, false, false);
out:
	hxnl_close(&nl);
	return ret;
}
