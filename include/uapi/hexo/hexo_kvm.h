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
 *            HEXO_KVM_A_VM_MEM (u64, bytes of guest memory in its slots)
 *
 * HEXO_KVM_A_PAD only pads u64 attributes to 8 bytes where an ISA needs it;
 * receivers skip it. It is last, so no attribute number changed.
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

	__HEXO_KVM_A_MAX
};
#define HEXO_KVM_A_MAX (__HEXO_KVM_A_MAX - 1)

#endif /* _UAPI_HEXO_KVM_H */
