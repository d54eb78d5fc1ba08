// SPDX-License-Identifier: GPL-2.0
/*
 * HEXO's generic netlink client over libnl-genl-3: resolve a family, send a
 * request, walk the replies, and keep the kernel's extack explanation of a
 * failure so tools can print it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>

#include "err.h"
#include "hxnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct hxnl_req {
	struct hxnl *nl;
	int maxattr;
	hxnl_cb cb;
	void *arg;
	int err;
	bool done;
};

static int hxnl_libnl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_INVAL:		return -EINVAL;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_NODEV:		return -ENODEV;
	case NLE_RANGE:		return -ERANGE;
	case NLE_EXIST:		return -EEXIST;
	case NLE_BUSY:		return -EBUSY;
	default:		return -EIO;
	}
}

static int hxnl_socket(struct nl_sock **skp)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, ret;

	if (!sk)
		return -ENOMEM;
	ret = genl_connect(sk);
	if (ret < 0) {
		nl_socket_free(sk);
		return hxnl_libnl_errno(ret);
	}
	/* Ask for extack reports, without the echoed request. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	*skp = sk;
	return 0;
}

int hxnl_open(struct hxnl *nl, const char *family)
{
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->name = family;
	nl->ext_miss_type = -1;
	nl->ext_offset = -1;
	ret = hxnl_socket(&nl->sk);
	if (ret)
		return ret;
	/* The kernel loads the module behind MODULE_ALIAS_GENL_FAMILY here. */
	ret = genl_ctrl_resolve(nl->sk, family);
	if (ret < 0) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return ret == -NLE_OBJ_NOTFOUND ? -ENOENT : hxnl_libnl_errno(ret);
	}
	nl->family = ret;
	return 0;
}

void hxnl_close(struct hxnl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *hxnl_msg(struct hxnl *nl, uint8_t cmd, bool dump)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 dump ? NLM_F_DUMP : 0, cmd, 1)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int hxnl_valid(struct nl_msg *msg, void *arg)
{
	struct hxnl_req *req = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[req->maxattr + 1];
	int ret;

	if (!req->cb)
		return NL_OK;
	ret = genlmsg_parse(nlh, 0, tb, req->maxattr, NULL);
	if (ret < 0) {
		req->err = -EPROTO;
		return NL_STOP;
	}
	ret = req->cb(tb, gh->cmd, req->arg);
	if (ret < 0) {
		req->err = ret;
		return NL_STOP;
	}
	return NL_OK;
}

static void hxnl_parse_extack(struct hxnl *nl, struct nlmsghdr *nlh, struct nlmsgerr *e)
{
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	struct nlattr *a;
	int rem;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (off >= nlh->nlmsg_len)
		return;
	nla_for_each_attr(a, (struct nlattr *)((char *)nlh + off), nlh->nlmsg_len - off, rem) {
		switch (nla_type(a)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%.*s",
				 (int)strnlen(nla_data(a), nla_len(a)), (char *)nla_data(a));
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (nla_len(a) >= 4)
				nl->ext_miss_type = nla_get_u32(a);
			break;
		case NLMSGERR_ATTR_OFFS:
			if (nla_len(a) >= 4)
				nl->ext_offset = nla_get_u32(a);
			break;
		}
	}
}

static int hxnl_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct hxnl_req *req = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	req->err = e->error;
	req->done = true;
	hxnl_parse_extack(req->nl, nlh, e);
	return NL_STOP;
}

static int hxnl_finish(struct nl_msg *msg, void *arg)
{
	struct hxnl_req *req = arg;

	req->done = true;
	return NL_STOP;
}

static struct nl_cb *hxnl_cbs(struct hxnl_req *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, hxnl_valid, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, hxnl_finish, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, hxnl_finish, req);
	nl_cb_err(cb, NL_CB_CUSTOM, hxnl_error, req);
	return cb;
}

int hxnl_call(struct hxnl *nl, struct nl_msg *msg, int maxattr, hxnl_cb cb, void *arg)
{
	struct hxnl_req req = { .nl = nl, .maxattr = maxattr, .cb = cb, .arg = arg };
	struct nl_cb *cbs;
	int ret;

	nl->ext_msg[0] = '\0';
	nl->ext_miss_type = -1;
	nl->ext_offset = -1;
	cbs = hxnl_cbs(&req);
	if (!cbs) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cbs);
		return hxnl_libnl_errno(ret);
	}
	while (!req.done && !req.err) {
		ret = nl_recvmsgs(nl->sk, cbs);
		if (ret < 0 && !req.err) {
			req.err = hxnl_libnl_errno(ret);
			break;
		}
	}
	nl_cb_put(cbs);
	return req.err;
}

int hxnl_subscribe(struct hxnl *nl, const char *group)
{
	int grp = genl_ctrl_resolve_grp(nl->sk, nl->name, group);
	int ret;

	if (grp < 0)
		return hxnl_libnl_errno(grp);
	nl_socket_disable_seq_check(nl->sk);
	ret = nl_socket_add_membership(nl->sk, grp);
	return ret < 0 ? hxnl_libnl_errno(ret) : 0;
}

static int hxnl_no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

int hxnl_recv(struct hxnl *nl, int maxattr, hxnl_cb cb, void *arg)
{
	struct hxnl_req req = { .nl = nl, .maxattr = maxattr, .cb = cb, .arg = arg };
	struct nl_cb *cbs = hxnl_cbs(&req);
	int ret;

	if (!cbs)
		return -ENOMEM;
	/* Multicast notifications answer no request: their sequence is 0. */
	nl_cb_set(cbs, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, hxnl_no_seq_check, NULL);
	ret = nl_recvmsgs(nl->sk, cbs);
	nl_cb_put(cbs);
	if (req.err)
		return req.err;
	return ret < 0 ? hxnl_libnl_errno(ret) : 0;
}

/* The families that are registered now, from a dump of the controller. */
struct hxnl_find {
	const char *name;
	bool found;
};

static int hxnl_find_family(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct hxnl_find *f = arg;

	if (tb[CTRL_ATTR_FAMILY_NAME] &&
	    !strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), f->name))
		f->found = true;
	return 0;
}

int hxnl_family_registered(const char *family, bool *registered)
{
	struct hxnl nl = { .family = GENL_ID_CTRL, .name = "nlctrl" };
	struct hxnl_find f = { .name = family };
	struct nl_msg *msg;
	int ret;

	ret = hxnl_socket(&nl.sk);
	if (ret)
		return ret;
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0,
				 NLM_F_DUMP, CTRL_CMD_GETFAMILY, 1)) {
		nlmsg_free(msg);
		hxnl_close(&nl);
		return -ENOMEM;
	}
	ret = hxnl_call(&nl, msg, CTRL_ATTR_MAX, hxnl_find_family, &f);
	hxnl_close(&nl);
	*registered = f.found;
	return ret;
}

const char *hxnl_strerror(const struct hxnl *nl, int err, char *buf, size_t len)
{
	const char *e = strerror(err < 0 ? -err : err);

	if (nl && nl->ext_msg[0])
		snprintf(buf, len, "%s: %s", e, nl->ext_msg);
	else if (nl && nl->ext_miss_type >= 0)
		snprintf(buf, len, "%s: missing attribute %d", e, nl->ext_miss_type);
	else
		snprintf(buf, len, "%s", e);
	return buf;
}

int hxnl_fail(const struct hxnl *nl, const char *what, int err)
{
	char buf[384];

	hx_err("%s: %s", what, hxnl_strerror(nl, err, buf, sizeof(buf)));
	return err;
}
