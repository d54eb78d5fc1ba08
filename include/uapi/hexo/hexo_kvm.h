/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * hexo_kvm: the generic netlink contract between hexo_kvm.ko and its users
 * (hexoctl, hexovm). This header is the documentation of the family.
 *
 * Family "hexo_kvm", version HEXO_KVM_GENL_VERSION. Commands that change state
 * need CAP_NET_ADMIN. Every request is validated strictly: unknown attributes,
 * wrong lengths and out-of-range values are refused with an extack message
 * naming the attribute, and so are a nonzero genlmsghdr.reserved and
 * nlmsg_flags no command consumes (EINVAL).
 *
 * HEXO_KVM_CMD_GET_INFO
 *   Request: no attributes.
 *   Reply:   HEXO_KVM_A_VERSION    string, module version ("0.1.0")
 *            HEXO_KVM_A_NVMS       u32, VMs attached now
 *            HEXO_KVM_A_MAX_VMS    u32, most VMs that can be attached
 *
 * HEXO_KVM_CMD_ATTACH (CAP_NET_ADMIN)
 *   Attaches hexo_kvm to a KVM virtual machine. The caller must hold the VM's
 *   file descriptor (from KVM_CREATE_VM) in its own file table: a VMM attaches
 *   its own VM, and hexoctl first duplicates the VMM's descriptor with
 *   pidfd_getfd(2). hexo_kvm keeps its own reference to the VM, so the
 *   descriptor may be closed after the call.
 *   Request: HEXO_KVM_A_VM_FD     u32, required: the VM's descriptor
 *            HEXO_KVM_A_VM_PID    u32, optional: the VMM's pid, for display
 *                                 (default: the caller's)
 *            HEXO_KVM_A_VM_NAME   string, optional, at most
 *                                 HEXO_KVM_NAME_MAX - 1 bytes
 *   Reply:   the VM, as in HEXO_KVM_CMD_GET_VM.
 *   Errors:  EBADF the descriptor is not open; EINVAL it is not a KVM VM;
 *            EEXIST the VM is attached already; ENOSPC HEXO_KVM_A_MAX_VMS
 *            are attached.
 *
 * HEXO_KVM_CMD_DETACH (CAP_NET_ADMIN)
 *   Request: HEXO_KVM_A_VM_ID     u32, required
 *   Errors:  ENOENT no such VM.
 *
 * HEXO_KVM_CMD_GET_VM (do and dump)
 *   do:      HEXO_KVM_A_VM_ID required; dump: every attached VM.
 *   Reply:   HEXO_KVM_A_VM_ID, HEXO_KVM_A_VM_PID, HEXO_KVM_A_VM_NAME,
 *            HEXO_KVM_A_VM_VCPUS (u32, vCPUs created),
 *            HEXO_KVM_A_VM_MEM (u64, bytes of guest memory in its slots),
 *            HEXO_KVM_A_ISA (u32, enum hexo_isa: this node's)
 *
 *            HEXO_KVM_A_STATE (u32, enum hexo_kvm_state), HEXO_KVM_A_ERROR
 *            (u32, the errno that ended the last offload, 0 if none),
 *            HEXO_KVM_A_PEER (6 bytes, the target of the last offload, when
 *            there was one), HEXO_KVM_A_OFFLOADS (u32, offloads completed),
 *            HEXO_KVM_A_LENDING (u32, 1 while a post-copy target still
 *            pulls its memory), HEXO_KVM_A_STATS (the last offload's, once
 *            one started: enum hexo_kvm_stat), HEXO_KVM_A_VMM_EXITED (flag:
 *            its VMM exited and hexo_kvm let go of the KVM VM; the entry
 *            stays as a record of it until HEXO_KVM_CMD_DETACH),
 *            HEXO_KVM_A_ORIGIN (6 bytes: the node it was taken from, for a
 *            VM attached by HEXO_KVM_CMD_ACCEPT), HEXO_KVM_A_POINTS (u64,
 *            for a HEXO guest running here: the migration points it has
 *            crossed since it started, on every node, struct
 *            hexo_cb.points; its progress), and with it HEXO_KVM_A_APP and
 *            HEXO_KVM_A_ARGS (strings: its application and arguments,
 *            struct hexo_cb.app and .cmdline, as the guest wrote them,
 *            non-printable bytes as '?')
 *
 * HEXO_KVM_CMD_EVENT (multicast, group HEXO_KVM_MCGRP_EVENTS, all network
 *   namespaces)
 *   Sent when an offload changes a VM's HEXO_KVM_A_STATE, and when a
 *   post-copy target releases its memory (HEXO_KVM_A_LENDING drops to 0).
 *   Carries the VM as in HEXO_KVM_CMD_GET_VM.
 *
 * HEXO_KVM_CMD_OFFERED (multicast, group HEXO_KVM_MCGRP_EVENTS, all network
 *   namespaces)
 *   Sent when an offer comes, and when a pre-copied offer's final offer
 *   replaces it: one message per offer this node holds, as in
 *   HEXO_KVM_CMD_GET_OFFER, so that a taker waits for it instead of polling.
 *
 * HEXO_KVM_CMD_SERVE, HEXO_KVM_CMD_UNSERVE (CAP_NET_ADMIN)
 *   Serves HEXO_SVC_KVM (include/uapi/hexo/wire.h) on an interface, or stops:
 *   a node takes offers and lends its exports there.
 *   Request: HEXO_KVM_A_IFINDEX u32 or HEXO_KVM_A_IFNAME string (one of them)
 *   Errors:  ENODEV no such interface; EEXIST served already (SERVE);
 *            ENOENT not served (UNSERVE).
 *
 * HEXO_KVM_CMD_OFFLOAD (CAP_NET_ADMIN)
 *   Starts handing a VM to the hexo_kvm at HEXO_KVM_A_PEER on the interface:
 *   raises the guest's migration flag (struct hexo_cb.migrate =
 *   HEXO_MIGRATE_HOST) and kicks its vCPUs. The VMM answers at the guest's
 *   next migration point with HEXO_KVM_CMD_PARKED; the rest follows in the
 *   background, reported by HEXO_KVM_A_STATE. The interface must be served.
 *   Request: HEXO_KVM_A_VM_ID, HEXO_KVM_A_PEER, HEXO_KVM_A_IFINDEX or
 *            HEXO_KVM_A_IFNAME, all required; HEXO_KVM_A_TIMEOUT_MS u32,
 *            optional, 100 to 600000 (default 10000): the bound on each of
 *            reaching a migration point and the target's answer;
 *            HEXO_KVM_A_PRECOPY (flag): pre-copy. hexo_kvm turns on KVM's
 *            dirty log on the VM's memory slots, lends the running guest's
 *            heap to the target, which pulls it (HEXO_KVM_ST_PRECOPYING: no
 *            timeout while it makes progress, one timeout without), and
 *            only then raises the flag; the target then pulls what changed.
 *            The dirty log is turned off again when the offload ends.
 *   Reply:   the VM, as in HEXO_KVM_CMD_GET_VM.
 *   Errors:  ENOENT no such VM; EBUSY an offload of it is in flight;
 *            ENOTCONN the interface is not served; ESRCH its VMM is gone.
 *   A VMM that exits before its guest parks ends the offload at once
 *   (ESRCH); one that exits after leaves the offload to end as it would,
 *   the parked guest's memory being pinned. Either way hexo_kvm lets go of
 *   the KVM VM when the offload ends.
 *
 * HEXO_KVM_CMD_PARKED (CAP_NET_ADMIN)
 *   From the VMM: its guest stopped at a migration point after
 *   HEXO_MIGRATE_HOST, and its vCPU stays out of KVM_RUN until the VM's
 *   state is HANDED_OFF (the VMM lets go of the VM) or ABORTED (the guest
 *   carries on; the VMM clears the flag).
 *   Request: HEXO_KVM_A_VM_FD (required), HEXO_KVM_A_LAYOUT u32 (required,
 *            the guest's data layout checksum).
 *   Reply:   the VM, as in HEXO_KVM_CMD_GET_VM.
 *   Errors:  ENOENT the VM is not attached; ESTALE no offload waits for it.
 *
 * HEXO_KVM_CMD_GET_OFFER (do and dump)
 *   The offers this node was sent and has not answered.
 *   do:      HEXO_KVM_A_OFFER_ID required; dump: every offer.
 *   Reply:   HEXO_KVM_A_OFFER_ID, HEXO_KVM_A_PEER (the source), HEXO_KVM_A_IFINDEX,
 *            HEXO_KVM_A_APP, HEXO_KVM_A_ISA, HEXO_KVM_A_VM_MEM, HEXO_KVM_A_HEAP_TOP,
 *            HEXO_KVM_A_LAYOUT, HEXO_KVM_A_POINT, HEXO_KVM_A_TIMEOUT_MS (the
 *            source's bound on stopping the guest after a pre-copy round,
 *            HEXO_KVM_TIMEOUT_DEFAULT_MS when the source's was out of range;
 *            0 for other offers);
 *            HEXO_KVM_A_PRECOPY (flag) while the offer is in its pre-copy
 *            round: the guest still runs at the source, only the heap up to
 *            HEXO_KVM_A_HEAP_TOP may be pulled, and the caller says it holds
 *            it with ACCEPT and HEXO_KVM_A_PRECOPY. The source's final offer
 *            then replaces it (same id: no HEXO_KVM_A_PRECOPY, the final
 *            heap top and migration point).
 *
 * HEXO_KVM_CMD_PULL (CAP_NET_ADMIN)
 *   Reads guest memory of an offer from its source into the caller's memory:
 *   the guest's [HEXO_KVM_A_GPA, + HEXO_KVM_A_LEN) to the caller's address
 *   HEXO_KVM_A_ADDR (all page-aligned, u64). Returns when all of it is there.
 *   After a post-copy ACCEPT, HEXO_KVM_A_BACKGROUND (flag) counts the pages
 *   as pulled in the background rather than at a guest's fault; RELEASE
 *   reports both counts to the source (HEXO_KVM_STAT_*_PAGES). A pull
 *   without it has a guest waiting: its requests to the source go ahead of
 *   every background pull's not yet sent.
 *   HEXO_KVM_A_DIRTY (flag), after a pre-copy round: only the pages of the
 *   range that changed at the source since are pulled; the others are left
 *   as the round pulled them. The reply then carries HEXO_KVM_A_LEN, the
 *   bytes pulled.
 *   Errors:  ENOENT no such offer; EINVAL outside the guest's memory; EFAULT
 *            the address range is not the caller's writable memory; EIO the
 *            source did not answer or holds no such export.
 *
 * HEXO_KVM_CMD_ACCEPT, HEXO_KVM_CMD_REJECT (CAP_NET_ADMIN)
 *   Answers an offer (HEXO_KVM_A_OFFER_ID): ACCEPT returns once the source
 *   confirmed it lets go of the VM (then, and only then, may the caller run
 *   it); REJECT tells the source to carry on. Either ends the offer, except
 *   ACCEPT with HEXO_KVM_A_POSTCOPY (flag): the source keeps lending the
 *   guest's memory, the caller pulls the rest while the VM runs, and ends
 *   the offer with HEXO_KVM_CMD_RELEASE once it holds every page.
 *   ACCEPT with HEXO_KVM_A_PRECOPY ends an offer's pre-copy round: the
 *   source stops the guest and sends its final offer; the offer stays.
 *   ACCEPT may carry HEXO_KVM_A_VM_FD, the caller's VM (from KVM_CREATE_VM)
 *   that will run the guest: it is attached to hexo_kvm, named after the
 *   application, with the source as its HEXO_KVM_A_ORIGIN, so that the
 *   source can reclaim it (HEXO_KVM_CMD_RECLAIM) and this node offload it.
 *   Errors:  ENOENT no such offer; EIO the source did not confirm (ACCEPT:
 *            do not run the VM); the errors of HEXO_KVM_CMD_ATTACH (the
 *            offer is not answered then).
 *
 * HEXO_KVM_CMD_RECLAIM (CAP_NET_ADMIN)
 *   Asks the node a VM was handed off to (its HEXO_KVM_A_PEER) to offload it
 *   back here: that node's hexo_kvm starts the offload as if
 *   HEXO_KVM_CMD_OFFLOAD named this node, and a VMM here takes the offer
 *   (hexovm --incoming). Returns once the other node agreed.
 *   Request: HEXO_KVM_A_VM_ID (required, a VM in state HANDED_OFF whose
 *            target accepted with HEXO_KVM_A_VM_FD), HEXO_KVM_A_TIMEOUT_MS
 *            (optional: the bound on the other node's answer, and the
 *            timeout of the offload back)
 *   Errors:  ENOENT no such VM; EINVAL it was not handed off from here;
 *            EBUSY its target still pulls its memory (post-copy);
 *            ENOTCONN the interface is not served; EIO the other node did
 *            not agree (it does not run the VM any more, or is gone).
 *
 * HEXO_KVM_CMD_RELEASE (CAP_NET_ADMIN)
 *   After a post-copy ACCEPT: the caller holds every page; the source may
 *   free them. Ends the offer. Request: HEXO_KVM_A_OFFER_ID.
 *
 * HEXO_KVM_CMD_REPORT (CAP_NET_ADMIN)
 *   Reads the report of the hexo_kvm at HEXO_KVM_A_PEER (struct
 *   hexo_kvm_report, include/uapi/hexo/wire.h): what that node has, and the
 *   VMs handed off from here that it runs, so that a server's policy sees
 *   its boards. The interface need not be served.
 *   Request: HEXO_KVM_A_PEER, HEXO_KVM_A_IFINDEX or HEXO_KVM_A_IFNAME, all
 *            required; HEXO_KVM_A_TIMEOUT_MS, optional (default 2000)
 *   Reply:   HEXO_KVM_A_PEER, HEXO_KVM_A_ISA (the node's), HEXO_KVM_A_CPUS
 *            (u32, its CPUs online), HEXO_KVM_A_NVMS (VMs attached there,
 *            from any node), HEXO_KVM_A_MEM_TOTAL, HEXO_KVM_A_MEM_AVAIL,
 *            HEXO_KVM_A_SWAP_FREE (u64, bytes), HEXO_KVM_A_AGE_MS (u32: how
 *            old the node's snapshot was when it answered, at most
 *            HEXO_KVM_REPORT_FRESH_MS), and HEXO_KVM_A_REPORT_VMS: a nest
 *            holding a HEXO_KVM_A_REPORT_VM nest per VM that node runs and
 *            took from here, of HEXO_KVM_A_VM_ID (the VM here that was
 *            handed off as it; absent when none is: detached, or handed
 *            off again since), HEXO_KVM_A_VM_VCPUS, HEXO_KVM_A_POINTS (only where the guest
 *            keeps a count), HEXO_KVM_A_CPU_NS (u64: CPU time of the process
 *            that runs it there, all threads), HEXO_KVM_A_RSS and
 *            HEXO_KVM_A_SWAP (u64, that process's bytes resident and
 *            swapped out).
 *            The timeout bounds the connection and the read together
 *            (the read gets at least 50 ms).
 *   Errors:  ENODEV no such interface; EINVAL not an Ethernet interface;
 *            ETIMEDOUT no answer within the timeout; ENOTCONN the node does
 *            not serve HEXO_SVC_KVM there; EUSERS it serves as many
 *            sessions as it takes; EOPNOTSUPP it serves, but does not
 *            report (an older hexo_kvm); EPROTO a malformed report.
 *
 * HEXO_KVM_A_PAD only pads u64 attributes to 8 bytes where an ISA needs it;
 * receivers skip it.
 */
#ifndef _UAPI_HEXO_KVM_H
#define _UAPI_HEXO_KVM_H

#define HEXO_KVM_GENL_NAME	"hexo_kvm"
#define HEXO_KVM_GENL_VERSION	1
#define HEXO_KVM_NAME_MAX	32

enum hexo_kvm_cmd {
	HEXO_KVM_CMD_UNSPEC,
	HEXO_KVM_CMD_GET_INFO,
	HEXO_KVM_CMD_ATTACH,
	HEXO_KVM_CMD_DETACH,
	HEXO_KVM_CMD_GET_VM,
	HEXO_KVM_CMD_SERVE,
	HEXO_KVM_CMD_UNSERVE,
	HEXO_KVM_CMD_OFFLOAD,
	HEXO_KVM_CMD_PARKED,
	HEXO_KVM_CMD_GET_OFFER,
	HEXO_KVM_CMD_PULL,
	HEXO_KVM_CMD_ACCEPT,
	HEXO_KVM_CMD_REJECT,
	HEXO_KVM_CMD_RELEASE,
	HEXO_KVM_CMD_EVENT,
	HEXO_KVM_CMD_RECLAIM,
	HEXO_KVM_CMD_OFFERED,
	HEXO_KVM_CMD_REPORT,

	__HEXO_KVM_CMD_MAX
};
#define HEXO_KVM_CMD_MAX (__HEXO_KVM_CMD_MAX - 1)

enum hexo_kvm_attr {
	HEXO_KVM_A_UNSPEC,
	HEXO_KVM_A_VERSION,		/* string */
	HEXO_KVM_A_NVMS,		/* u32 */
	HEXO_KVM_A_MAX_VMS,		/* u32 */
	HEXO_KVM_A_VM_ID,		/* u32 */
	HEXO_KVM_A_VM_FD,		/* u32 */
	HEXO_KVM_A_VM_PID,		/* u32 */
	HEXO_KVM_A_VM_NAME,		/* string */
	HEXO_KVM_A_VM_VCPUS,		/* u32 */
	HEXO_KVM_A_VM_MEM,		/* u64 */
	HEXO_KVM_A_PAD,			/* alignment padding of u64 attributes */
	HEXO_KVM_A_IFINDEX,		/* u32 */
	HEXO_KVM_A_IFNAME,		/* string */
	HEXO_KVM_A_PEER,		/* binary, 6 bytes: a MAC */
	HEXO_KVM_A_TIMEOUT_MS,		/* u32 */
	HEXO_KVM_A_STATE,		/* u32, enum hexo_kvm_state */
	HEXO_KVM_A_ERROR,		/* u32, an errno */
	HEXO_KVM_A_OFFLOADS,		/* u32 */
	HEXO_KVM_A_LAYOUT,		/* u32 */
	HEXO_KVM_A_OFFER_ID,		/* u32 */
	HEXO_KVM_A_APP,			/* string */
	HEXO_KVM_A_ISA,			/* u32, enum hexo_isa */
	HEXO_KVM_A_HEAP_TOP,		/* u64 */
	HEXO_KVM_A_POINT,		/* u32 */
	HEXO_KVM_A_GPA,			/* u64 */
	HEXO_KVM_A_LEN,			/* u64 */
	HEXO_KVM_A_ADDR,		/* u64 */
	HEXO_KVM_A_POSTCOPY,		/* flag */
	HEXO_KVM_A_LENDING,		/* u32: handed off, its memory still lent */
	HEXO_KVM_A_STATS,		/* nest of enum hexo_kvm_stat */
	HEXO_KVM_A_BACKGROUND,		/* flag */
	HEXO_KVM_A_VMM_EXITED,		/* flag */
	HEXO_KVM_A_ORIGIN,		/* binary, 6 bytes: a MAC */
	HEXO_KVM_A_PRECOPY,		/* flag */
	HEXO_KVM_A_DIRTY,		/* flag */
	HEXO_KVM_A_POINTS,		/* u64 */
	HEXO_KVM_A_ARGS,		/* string */
	HEXO_KVM_A_CPUS,		/* u32 */
	HEXO_KVM_A_MEM_TOTAL,		/* u64 */
	HEXO_KVM_A_MEM_AVAIL,		/* u64 */
	HEXO_KVM_A_SWAP_FREE,		/* u64 */
	HEXO_KVM_A_AGE_MS,		/* u32 */
	HEXO_KVM_A_REPORT_VMS,		/* nest of HEXO_KVM_A_REPORT_VM */
	HEXO_KVM_A_REPORT_VM,		/* nest of HEXO_KVM_A_* */
	HEXO_KVM_A_CPU_NS,		/* u64 */
	HEXO_KVM_A_RSS,			/* u64 */
	HEXO_KVM_A_SWAP,		/* u64 */

	__HEXO_KVM_A_MAX
};
#define HEXO_KVM_A_MAX (__HEXO_KVM_A_MAX - 1)

/* A VM's offload state (HEXO_KVM_A_STATE). */
enum hexo_kvm_state {
	HEXO_KVM_ST_IDLE,		/* running here, no offload in flight */
	HEXO_KVM_ST_REQUESTED,		/* flag raised, waiting for a migration point */
	HEXO_KVM_ST_OFFERING,		/* parked: exporting, telling the target */
	HEXO_KVM_ST_OFFERED,		/* the target pulls; waiting for its answer */
	HEXO_KVM_ST_HANDED_OFF,		/* the target runs it: the VMM lets go */
	HEXO_KVM_ST_ABORTED,		/* the offload failed (HEXO_KVM_A_ERROR): it runs on here */
	HEXO_KVM_ST_PRECOPYING,		/* pre-copy: the target pulls, the guest runs on */
};

/*
 * The last offload's statistics (HEXO_KVM_A_STATS, u64 each), kept until
 * the next one starts. Pages are counted as the source's export sent them.
 */
enum hexo_kvm_stat {
	HEXO_KVM_STAT_UNSPEC,
	HEXO_KVM_STAT_PAD,
	HEXO_KVM_STAT_BYTES,		/* bytes of guest pages sent to the target */
	HEXO_KVM_STAT_PAGES,		/* pages sent (zero pages not counted) */
	HEXO_KVM_STAT_ZERO_PAGES,	/* pages of zeros, answered without data */
	HEXO_KVM_STAT_STOP_PAGES,	/* pages sent while the guest was stopped */
	HEXO_KVM_STAT_DEMAND_PAGES,	/* post-copy: pulled at a guest's fault (target's count) */
	HEXO_KVM_STAT_BACKGROUND_PAGES,	/* post-copy: pulled in the background (target's count) */
	HEXO_KVM_STAT_DOWNTIME_US,	/* parked until the target took the VM */
	HEXO_KVM_STAT_DURATION_US,	/* the request until the source let go of the last page */
	HEXO_KVM_STAT_PARKING_US,	/* the request until the guest parked */
	HEXO_KVM_STAT_PRECOPY_PAGES,	/* pre-copy: pages sent while the guest ran */
	HEXO_KVM_STAT_DIRTY_PAGES,	/* pre-copy: pages that changed meanwhile */

	__HEXO_KVM_STAT_MAX
};
#define HEXO_KVM_STAT_MAX (__HEXO_KVM_STAT_MAX - 1)

/* The multicast group of HEXO_KVM_CMD_EVENT (CAP_NET_ADMIN). */
#define HEXO_KVM_MCGRP_EVENTS		"events"

#define HEXO_KVM_TIMEOUT_MIN_MS		100
#define HEXO_KVM_TIMEOUT_MAX_MS		600000
#define HEXO_KVM_TIMEOUT_DEFAULT_MS	10000
#define HEXO_KVM_MAX_OFFERS		16
#define HEXO_KVM_REPORT_TIMEOUT_MS	2000

#endif /* _UAPI_HEXO_KVM_H */
