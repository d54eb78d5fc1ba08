// SPDX-License-Identifier: GPL-2.0
/*
 * Bad generic netlink input to HEXO's families gets clean errors with extack
 * explanations: unknown commands, missing, oversized, out-of-range and unknown
 * attributes, a size past NETSWAP_MAX_SIZE, header bits no command takes,
 * hexo_link's ECHO and SET_PORT, non-root callers of privileged commands.
 * Then the well-formed requests still work.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hexo/hexo_kvm.h>
#include <hexo/hexo_link.h>
#include <hexo/netswap.h>

#include "hxnl.h"
#include "kselftest_harness.h"

struct family {
	const char *name;
	const char *module;
};

static const struct family families[] = {
	{ NETSWAP_GENL_NAME, "netswap" },
	{ HEXO_KVM_GENL_NAME, "hexo_kvm" },
};

FIXTURE(genl) {
	struct hxnl nl[2];
};

FIXTURE_SETUP(genl)
{
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, hxnl_open(&self->nl[i], families[i].name))
			TH_LOG("family %s: is %s loadable?", families[i].name, families[i].module);
	}
}

FIXTURE_TEARDOWN(genl)
{
	for (int i = 0; i < 2; i++)
		hxnl_close(&self->nl[i]);
}

/* Sends cmd with one raw attribute (type, len bytes of data; none if len < 0). */
static int send_raw(struct hxnl *nl, uint8_t cmd, int type, int len, const void *data)
{
	struct nl_msg *msg = hxnl_msg(nl, cmd, false);

	if (!msg)
		return -ENOMEM;
	if (len >= 0 && nla_put(msg, type, len, data)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return hxnl_call(nl, msg, 32, NULL, NULL);
}

/*
 * hexo_link's ECHO and SET_PORT (include/uapi/hexo/hexo_link.h): sends cmd
 * with the interface ifname (none if NULL), then one raw attribute as
 * send_raw() does, and a well-formed peer unless the attribute is the peer.
 */
static int send_link(struct hxnl *nl, uint8_t cmd, const char *ifname, int type, int len,
		     const void *data)
{
	static const uint8_t peer[6] = { 0x52, 0x54, 0x00, 0x48, 0x58, 0x77 };
	struct nl_msg *msg = hxnl_msg(nl, cmd, false);

	if (!msg)
		return -ENOMEM;
	if ((ifname && nla_put_string(msg, HEXO_LINK_A_PORT_IFNAME, ifname)) ||
	    (cmd == HEXO_LINK_CMD_ECHO && type != HEXO_LINK_A_ECHO_PEER &&
	     nla_put(msg, HEXO_LINK_A_ECHO_PEER, sizeof(peer), peer)) ||
	    (len >= 0 && nla_put(msg, type, len, data))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return hxnl_call(nl, msg, HEXO_LINK_A_MAX, NULL, NULL);
}

/*
 * hexo_kvm's REPORT: sends it with the interface ifname (none if NULL), a
 * well-formed peer unless type is the peer, then one raw attribute as
 * send_raw() does.
 */
static int send_report(struct hxnl *nl, const char *ifname, int type, int len, const void *data)
{
	static const uint8_t peer[6] = { 0x52, 0x54, 0x00, 0x48, 0x58, 0x77 };
	struct nl_msg *msg = hxnl_msg(nl, HEXO_KVM_CMD_REPORT, false);

	if (!msg)
		return -ENOMEM;
	if ((ifname && nla_put_string(msg, HEXO_KVM_A_IFNAME, ifname)) ||
	    (type != HEXO_KVM_A_PEER && nla_put(msg, HEXO_KVM_A_PEER, sizeof(peer), peer)) ||
	    (len >= 0 && nla_put(msg, type, len, data))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return hxnl_call(nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
}

TEST_F(genl, unknown_command)
{
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(-EOPNOTSUPP, send_raw(&self->nl[i], 200, 0, -1, NULL))
			TH_LOG("%s", families[i].name);
	}
}

TEST_F(genl, info_needs_no_attributes)
{
	EXPECT_EQ(0, send_raw(&self->nl[0], NETSWAP_CMD_GET_INFO, 0, -1, NULL));
	EXPECT_EQ(0, send_raw(&self->nl[1], HEXO_KVM_CMD_GET_INFO, 0, -1, NULL));
}

TEST_F(genl, missing_attribute_is_named)
{
	struct hxnl *nl = &self->nl[0];

	EXPECT_EQ(-EINVAL, send_raw(nl, NETSWAP_CMD_GET_DEV, 0, -1, NULL));
	EXPECT_EQ(NETSWAP_A_DEV_INDEX, nl->ext_miss_type);
	EXPECT_NE(NULL, strstr(nl->ext_msg, "missing NETSWAP_A_DEV_INDEX")) TH_LOG("%s", nl->ext_msg);

	nl = &self->nl[1];
	EXPECT_EQ(-EINVAL, send_raw(nl, HEXO_KVM_CMD_DETACH, 0, -1, NULL));
	EXPECT_EQ(HEXO_KVM_A_VM_ID, nl->ext_miss_type);
	EXPECT_NE(NULL, strstr(nl->ext_msg, "missing HEXO_KVM_A_VM_ID")) TH_LOG("%s", nl->ext_msg);
}

TEST_F(genl, oversized_integer)
{
	uint64_t big = 0;

	EXPECT_EQ(-EINVAL, send_raw(&self->nl[0], NETSWAP_CMD_GET_DEV, NETSWAP_A_DEV_INDEX,
				    sizeof(big), &big));
	EXPECT_NE(0, self->nl[0].ext_msg[0]);
	EXPECT_NE(-1, self->nl[0].ext_offset);
	EXPECT_EQ(-EINVAL, send_raw(&self->nl[1], HEXO_KVM_CMD_GET_VM, HEXO_KVM_A_VM_ID,
				    sizeof(big), &big));
}

TEST_F(genl, truncated_integer)
{
	uint16_t small = 1;

	EXPECT_EQ(-EINVAL, send_raw(&self->nl[0], NETSWAP_CMD_GET_DEV, NETSWAP_A_DEV_INDEX,
				    sizeof(small), &small));
}

TEST_F(genl, out_of_range)
{
	uint32_t v = NETSWAP_MAX_DEVS;

	EXPECT_EQ(-ERANGE, send_raw(&self->nl[0], NETSWAP_CMD_GET_DEV, NETSWAP_A_DEV_INDEX,
				    sizeof(v), &v));
	EXPECT_NE(0, self->nl[0].ext_msg[0]);
	v = 0;
	EXPECT_EQ(-ERANGE, send_raw(&self->nl[1], HEXO_KVM_CMD_GET_VM, HEXO_KVM_A_VM_ID,
				    sizeof(v), &v));
}

TEST_F(genl, oversized_string)
{
	char name[200];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	EXPECT_EQ(-EINVAL, send_raw(&self->nl[1], HEXO_KVM_CMD_ATTACH, HEXO_KVM_A_VM_NAME,
				    sizeof(name), name));
	EXPECT_NE(-1, self->nl[1].ext_offset);
}

TEST_F(genl, unknown_attribute)
{
	uint32_t v = 0;

	EXPECT_EQ(-EINVAL, send_raw(&self->nl[0], NETSWAP_CMD_GET_INFO, NETSWAP_A_MAX + 3,
				    sizeof(v), &v));
	EXPECT_EQ(-EINVAL, send_raw(&self->nl[1], HEXO_KVM_CMD_GET_INFO, HEXO_KVM_A_MAX + 3,
				    sizeof(v), &v));
}

/*
 * An attach past NETSWAP_MAX_SIZE is refused by the policy, before the
 * device's page bitmaps are sized from it (a huge size used to reach
 * kvmalloc's warning). Named on lo with a MAC so that nothing else is wrong.
 */
TEST_F(genl, attach_size_bounded)
{
	struct hxnl *nl = &self->nl[0];
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x48, 0x58, 0x77 };
	uint64_t sizes[] = { 1ULL << 60, NETSWAP_MAX_SIZE + 4096 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct nl_msg *msg = hxnl_msg(nl, NETSWAP_CMD_ATTACH, false);

		ASSERT_NE(NULL, msg);
		ASSERT_EQ(0, nla_put_string(msg, NETSWAP_A_IFNAME, "lo"));
		ASSERT_EQ(0, nla_put(msg, NETSWAP_A_SERVER_MAC, sizeof(mac), mac));
		ASSERT_EQ(0, nla_put_u64(msg, NETSWAP_A_SIZE, sizes[i]));
		EXPECT_EQ(-ERANGE, hxnl_call(nl, msg, NETSWAP_A_MAX, NULL, NULL))
			TH_LOG("size %llu: %s", (unsigned long long)sizes[i], nl->ext_msg);
		EXPECT_NE(0, nl->ext_msg[0]);
		EXPECT_NE(-1, nl->ext_offset);
	}
}

/* Sends cmd (no attributes) after edit changed its headers. */
static int send_edited(struct hxnl *nl, uint8_t cmd, void (*edit)(struct nlmsghdr *nlh))
{
	struct nl_msg *msg = hxnl_msg(nl, cmd, false);

	if (!msg)
		return -ENOMEM;
	edit(nlmsg_hdr(msg));
	return hxnl_call(nl, msg, 32, NULL, NULL);
}

static void set_reserved(struct nlmsghdr *nlh)
{
	((struct genlmsghdr *)nlmsg_data(nlh))->reserved = 1;
}

static void set_replace(struct nlmsghdr *nlh)
{
	nlh->nlmsg_flags |= NLM_F_REPLACE;
}

/*
 * Every command is validated strictly (resv_start_op 0): a nonzero reserved
 * field of the generic netlink header, or nlmsg_flags no command consumes,
 * are refused, not ignored.
 */
TEST_F(genl, strict_headers)
{
	for (int i = 0; i < 2; i++) {
		uint8_t info = i ? HEXO_KVM_CMD_GET_INFO : NETSWAP_CMD_GET_INFO;
		struct hxnl *nl = &self->nl[i];

		EXPECT_EQ(-EINVAL, send_edited(nl, info, set_reserved)) TH_LOG("%s", families[i].name);
		EXPECT_NE(NULL, strstr(nl->ext_msg, "reserved")) TH_LOG("%s", nl->ext_msg);
		EXPECT_EQ(-EINVAL, send_edited(nl, info, set_replace)) TH_LOG("%s", families[i].name);
		EXPECT_NE(NULL, strstr(nl->ext_msg, "nlmsg_flags")) TH_LOG("%s", nl->ext_msg);
	}
}

TEST_F(genl, missing_object)
{
	uint32_t v = 7;

	EXPECT_EQ(-ENODEV, send_raw(&self->nl[0], NETSWAP_CMD_GET_DEV, NETSWAP_A_DEV_INDEX,
				    sizeof(v), &v));
	EXPECT_NE(NULL, strstr(self->nl[0].ext_msg, "no netswap device"));
	EXPECT_EQ(-ENOENT, send_raw(&self->nl[1], HEXO_KVM_CMD_GET_VM, HEXO_KVM_A_VM_ID,
				    sizeof(v), &v));
}

TEST_F(genl, attach_bad_descriptors)
{
	uint32_t fd = 1000;	/* not open */
	int null;

	EXPECT_EQ(-EBADF, send_raw(&self->nl[1], HEXO_KVM_CMD_ATTACH, HEXO_KVM_A_VM_FD,
				   sizeof(fd), &fd));
	null = open("/dev/null", O_RDONLY);
	ASSERT_LE(0, null);
	fd = null;
	EXPECT_EQ(-EINVAL, send_raw(&self->nl[1], HEXO_KVM_CMD_ATTACH, HEXO_KVM_A_VM_FD,
				    sizeof(fd), &fd));
	EXPECT_NE(NULL, strstr(self->nl[1].ext_msg, "not a KVM VM"));
	close(null);
}

/* An unprivileged caller: privileged commands fail with EPERM, queries work. */
TEST(non_root)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		struct hxnl nl;
		uint32_t id = 1;
		int ret;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (hxnl_open(&nl, HEXO_KVM_GENL_NAME))
			_exit(11);
		ret = send_raw(&nl, HEXO_KVM_CMD_DETACH, HEXO_KVM_A_VM_ID, sizeof(id), &id);
		if (ret != -EPERM)
			_exit(12);
		ret = send_raw(&nl, HEXO_KVM_CMD_ATTACH, HEXO_KVM_A_VM_FD, sizeof(id), &id);
		if (ret != -EPERM)
			_exit(13);
		if (send_raw(&nl, HEXO_KVM_CMD_GET_INFO, 0, -1, NULL))
			_exit(14);
		hxnl_close(&nl);
		if (hxnl_open(&nl, HEXO_LINK_GENL_NAME))
			_exit(15);
		if (send_link(&nl, HEXO_LINK_CMD_ECHO, "lo", 0, -1, NULL) != -EPERM)
			_exit(16);
		if (send_link(&nl, HEXO_LINK_CMD_SET_PORT, "lo", HEXO_LINK_A_PORT_ECHO, 1, "") !=
		    -EPERM)
			_exit(17);
		if (send_link(&nl, HEXO_LINK_CMD_GET_INFO, NULL, 0, -1, NULL))
			_exit(18);
		hxnl_close(&nl);
		if (hxnl_open(&nl, HEXO_KVM_GENL_NAME))
			_exit(19);
		if (send_report(&nl, "lo", 0, -1, NULL) != -EPERM)
			_exit(20);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child step %d failed", WEXITSTATUS(status));
}

TEST(link_echo_bad)
{
	uint8_t mac5[5] = {}, group[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 }, two = 2;
	uint32_t v;
	struct hxnl nl;

	ASSERT_EQ(0, hxnl_open(&nl, HEXO_LINK_GENL_NAME)) TH_LOG("is hexo_link loadable?");
	EXPECT_EQ(-EINVAL, send_link(&nl, HEXO_LINK_CMD_ECHO, "lo", HEXO_LINK_A_ECHO_PEER, -1, NULL));
	EXPECT_EQ(HEXO_LINK_A_ECHO_PEER, nl.ext_miss_type);
	EXPECT_EQ(-EINVAL, send_link(&nl, HEXO_LINK_CMD_ECHO, NULL, 0, -1, NULL));
	EXPECT_EQ(HEXO_LINK_A_PORT_IFNAME, nl.ext_miss_type);
	EXPECT_EQ(-ERANGE, send_link(&nl, HEXO_LINK_CMD_ECHO, "lo", HEXO_LINK_A_ECHO_PEER,
				     sizeof(mac5), mac5));
	EXPECT_EQ(-EINVAL, send_link(&nl, HEXO_LINK_CMD_ECHO, "lo", HEXO_LINK_A_ECHO_PEER,
				     sizeof(group), group));
	EXPECT_NE(NULL, strstr(nl.ext_msg, "unicast")) TH_LOG("%s", nl.ext_msg);
	v = 0;
	EXPECT_EQ(-ERANGE, send_link(&nl, HEXO_LINK_CMD_ECHO, "lo", HEXO_LINK_A_ECHO_COUNT,
				     sizeof(v), &v));
	v = HEXO_LINK_ECHO_MAX_COUNT + 1;
	EXPECT_EQ(-ERANGE, send_link(&nl, HEXO_LINK_CMD_ECHO, "lo", HEXO_LINK_A_ECHO_COUNT,
				     sizeof(v), &v));
	v = HEXO_LINK_ECHO_MAX_TIMEOUT_MS + 1;
	EXPECT_EQ(-ERANGE, send_link(&nl, HEXO_LINK_CMD_ECHO, "lo", HEXO_LINK_A_ECHO_TIMEOUT_MS,
				     sizeof(v), &v));
	v = 4097;
	EXPECT_EQ(-ERANGE, send_link(&nl, HEXO_LINK_CMD_ECHO, "lo", HEXO_LINK_A_ECHO_SIZE,
				     sizeof(v), &v));
	/* Well-formed, on an interface that is not Ethernet: refused, saying why. */
	EXPECT_EQ(-EINVAL, send_link(&nl, HEXO_LINK_CMD_ECHO, "lo", 0, -1, NULL));
	EXPECT_NE(NULL, strstr(nl.ext_msg, "not an Ethernet interface")) TH_LOG("%s", nl.ext_msg);
	EXPECT_EQ(-ENODEV, send_link(&nl, HEXO_LINK_CMD_ECHO, "nosuch0", 0, -1, NULL));
	EXPECT_EQ(-ERANGE, send_link(&nl, HEXO_LINK_CMD_SET_PORT, "lo", HEXO_LINK_A_PORT_ECHO,
				     sizeof(two), &two));
	EXPECT_EQ(-EINVAL, send_link(&nl, HEXO_LINK_CMD_SET_PORT, "lo", 0, -1, NULL));
	EXPECT_NE(NULL, strstr(nl.ext_msg, "nothing to set")) TH_LOG("%s", nl.ext_msg);
	hxnl_close(&nl);
}

TEST(kvm_report_bad)
{
	uint8_t mac5[5] = {}, group[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	struct hxnl nl;
	uint32_t v;

	ASSERT_EQ(0, hxnl_open(&nl, HEXO_KVM_GENL_NAME)) TH_LOG("is hexo_kvm loadable?");
	EXPECT_EQ(-EINVAL, send_report(&nl, "lo", HEXO_KVM_A_PEER, -1, NULL));
	EXPECT_EQ(HEXO_KVM_A_PEER, nl.ext_miss_type);
	EXPECT_EQ(-ERANGE, send_report(&nl, "lo", HEXO_KVM_A_PEER, sizeof(mac5), mac5));
	EXPECT_EQ(-EINVAL, send_report(&nl, "lo", HEXO_KVM_A_PEER, sizeof(group), group));
	EXPECT_NE(NULL, strstr(nl.ext_msg, "unicast")) TH_LOG("%s", nl.ext_msg);
	v = HEXO_KVM_TIMEOUT_MIN_MS - 1;
	EXPECT_EQ(-ERANGE, send_report(&nl, "lo", HEXO_KVM_A_TIMEOUT_MS, sizeof(v), &v));
	/* Reply-only attributes are not taken in a request. */
	v = 1;
	EXPECT_EQ(-EINVAL, send_report(&nl, "lo", HEXO_KVM_A_CPUS, sizeof(v), &v));
	EXPECT_EQ(-EINVAL, send_report(&nl, NULL, 0, -1, NULL));
	EXPECT_EQ(-ENODEV, send_report(&nl, "nosuch0", 0, -1, NULL));
	/* Well-formed, on an interface that is not Ethernet: refused, saying why. */
	EXPECT_EQ(-EINVAL, send_report(&nl, "lo", 0, -1, NULL));
	EXPECT_NE(NULL, strstr(nl.ext_msg, "Ethernet")) TH_LOG("%s", nl.ext_msg);
	hxnl_close(&nl);
}

/* The well-formed path, on the caller's own VM descriptor. */
TEST_F(genl, attach_own_vm)
{
	struct hxnl *nl = &self->nl[1];
	uint32_t fd, id = 0;
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		SKIP(return, "no /dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	fd = vm;
	ASSERT_EQ(0, send_raw(nl, HEXO_KVM_CMD_ATTACH, HEXO_KVM_A_VM_FD, sizeof(fd), &fd));
	EXPECT_EQ(-EEXIST, send_raw(nl, HEXO_KVM_CMD_ATTACH, HEXO_KVM_A_VM_FD, sizeof(fd), &fd));
	/* Ids start at 1; find ours by detaching upward. */
	for (uint32_t i = 1; i <= 64 && !id; i++)
		if (!send_raw(nl, HEXO_KVM_CMD_GET_VM, HEXO_KVM_A_VM_ID, sizeof(i), &i))
			id = i;
	ASSERT_NE(0U, id);
	close(vm);
	close(kvm);
	EXPECT_EQ(0, send_raw(nl, HEXO_KVM_CMD_DETACH, HEXO_KVM_A_VM_ID, sizeof(id), &id));
	EXPECT_EQ(-ENOENT, send_raw(nl, HEXO_KVM_CMD_DETACH, HEXO_KVM_A_VM_ID, sizeof(id), &id));
}

TEST_HARNESS_MAIN
