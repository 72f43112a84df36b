// SPDX-License-Identifier: GPL-2.0
/*
 * The request/reply engine: one libnl socket, the family resolved once, and
 * a receive loop that understands acks, errors with extack, and dumps whose
 * NLMSG_DONE carries an error (libnl itself ignores that one).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include "lib/nl_internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Large enough that a burst of replies or events rarely overruns. */
#define PCPNAT_RCVBUF	(4 << 20)

/* State of one transaction, shared by the libnl callbacks below. */
struct xact {
	struct pcpnl_client *c;
	const struct nlmsghdr *req;	/* what extack offsets point into */
	pcpnl_reply_fn fn;
	void *arg;
	int err;	/* first error: from the kernel or from fn */
	bool done;
};

static void copy_extack(struct xact *x, char *out, size_t len,
			const struct nlattr *tlvs, int tlvlen, int error)
{
	pcpnl_extack_text(out, len, x->req, tlvs, tlvlen, error);
}

/*
 * The extack of an NLMSG_ERROR message (nlh, payload e) into out: after a
 * failure the reason, after a success (error 0) a warning.
 */
static void ack_tlvs(struct xact *x, const struct nlmsghdr *nlh,
		     const struct nlmsgerr *e, char *out, size_t len)
{
	size_t off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* The TLVs follow the echoed request: only its header when capped. */
	off = NLMSG_HDRLEN + sizeof(int);
	off += (nlh->nlmsg_flags & NLM_F_CAPPED) ? NLMSG_HDRLEN :
		NLMSG_ALIGN(e->msg.nlmsg_len);
	if (off < nlh->nlmsg_len)
		copy_extack(x, out, len, (const void *)((const char *)nlh + off),
			    nlh->nlmsg_len - off, e->error);
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);
	struct xact *x = arg;

	(void)nla;
	if (!x->err)
		x->err = e->error < 0 ? e->error : -EPROTO;
	x->done = true;
	ack_tlvs(x, nlh, e, x->c->error, sizeof(x->c->error));
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xact *x = arg;

	x->done = true;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nlmsgerr))
		ack_tlvs(x, nlh, nlmsg_data(nlh), x->c->warning,
			 sizeof(x->c->warning));
	return NL_STOP;
}

/* A dump ends in NLMSG_DONE, whose payload is an errno and maybe extack. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xact *x = arg;
	int len = nlmsg_datalen(nlh);
	int error;

	x->done = true;
	if (len < (int)sizeof(int))
		return NL_STOP;
	memcpy(&error, nlmsg_data(nlh), sizeof(error));
	if (error < 0 && !x->err)
		x->err = error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		copy_extack(x, x->c->error, sizeof(x->c->error),
			    (const void *)((char *)nlmsg_data(nlh) +
					   NLMSG_ALIGN(sizeof(int))),
			    len - NLMSG_ALIGN(sizeof(int)), error);
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PCPNAT_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xact *x = arg;
	int rc;

	/* After a failure keep draining the dump, but deliver nothing. */
	if (x->err || !x->fn)
		return NL_SKIP;
	if (genlmsg_parse(nlh, 0, tb, PCPNAT_A_MAX, NULL) < 0) {
		x->err = -EBADMSG;
		return NL_SKIP;
	}
	rc = x->fn(nlh, tb, x->arg);
	if (rc < 0)
		x->err = rc;
	return NL_SKIP;
}

/* The map dump handles interruption itself (it resumes by key). */
static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int nlerr_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_MSG_TRUNC:	return -EMSGSIZE;
	case NLE_SEQ_MISMATCH:	return -EILSEQ;
	default:		return -EIO;
	}
}

struct nl_msg *pcpnl_msg_new(struct pcpnl_client *c, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags,
			 cmd, PCPNAT_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int pcpnl_transact(struct pcpnl_client *c, struct nl_msg *msg,
		    pcpnl_reply_fn fn, void *arg)
{
	struct xact x = { .c = c, .req = nlmsg_hdr(msg), .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int rc;

	c->error[0] = '\0';
	c->warning[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &x);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &x);

	/* msg lives until the answer: extack offsets point into it. */
	rc = nl_send_auto(c->sk, msg);
	if (rc < 0) {
		nl_cb_put(cb);
		nlmsg_free(msg);
		return nlerr_to_errno(rc);
	}
	while (!x.done) {
		rc = nl_recvmsgs(c->sk, cb);
		/* Errors reported by the kernel are already in x.err. */
		if (rc < 0 && !x.done) {
			if (!x.err)
				x.err = nlerr_to_errno(rc);
			break;
		}
	}
	nl_cb_put(cb);
	nlmsg_free(msg);
	return x.err;
}

/* Resolve the family; *version gets the ABI version the module registered. */
static int resolve(struct nl_sock *sk, int *family, uint32_t *version,
		   char *err, size_t errlen)
{
	struct nl_cache *cache;
	struct genl_family *fam;
	int rc;

	rc = genl_ctrl_alloc_cache(sk, &cache);
	if (rc < 0) {
		snprintf(err, errlen, "cannot list generic netlink families: %s",
			 nl_geterror(rc));
		return nlerr_to_errno(rc);
	}
	fam = genl_ctrl_search_by_name(cache, PCPNAT_GENL_NAME);
	if (!fam) {
		nl_cache_free(cache);
		snprintf(err, errlen,
			 "the pcpnat module is not loaded (no generic netlink family \"%s\")",
			 PCPNAT_GENL_NAME);
		return -ENOENT;
	}
	*family = genl_family_get_id(fam);
	*version = genl_family_get_version(fam);
	genl_family_put(fam);
	nl_cache_free(cache);
	return 0;
}

static int sock_open(struct nl_sock **skp, char *err, size_t errlen)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, rc;

	if (!sk) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = genl_connect(sk);
	if (rc < 0) {
		snprintf(err, errlen, "cannot open a netlink socket: %s",
			 nl_geterror(rc));
		nl_socket_free(sk);
		return nlerr_to_errno(rc);
	}
	/* Ask for the kernel's reasons, and not for our request echoed back. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	/* Dump messages may exceed a page: let libnl size its buffer. */
	nl_socket_enable_msg_peek(sk);
	nl_socket_set_buffer_size(sk, PCPNAT_RCVBUF, 0);
	*skp = sk;
	return 0;
}

int pcpnl_probe_version(uint32_t *version, char *err, size_t errlen)
{
	struct nl_sock *sk;
	int family, rc;

	rc = sock_open(&sk, err, errlen);
	if (rc < 0)
		return rc;
	rc = resolve(sk, &family, version, err, errlen);
	nl_socket_free(sk);
	return rc;
}

int pcpnl_client_open(struct pcpnl_client **cp, char *err, size_t errlen)
{
	struct pcpnl_client *c;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = sock_open(&c->sk, err, errlen);
	if (rc < 0) {
		free(c);
		return rc;
	}
	rc = resolve(c->sk, &c->family, &c->version, err, errlen);
	if (!rc && c->version != PCPNAT_GENL_VERSION) {
		/* Say which side is behind, so the fix is obvious. */
		snprintf(err, errlen,
			 "the pcpnat module speaks ABI version %u, this program version %u: please update the %s",
			 c->version, PCPNAT_GENL_VERSION,
			 c->version < PCPNAT_GENL_VERSION ? "module" : "tools");
		rc = -EPROTO;
	}
	if (rc < 0) {
		pcpnl_client_close(c);
		return rc;
	}
	*cp = c;
	return 0;
}

void pcpnl_client_close(struct pcpnl_client *c)
{
	if (!c)
		return;
	nl_socket_free(c->sk);
	free(c);
}

const char *pcpnl_client_error(const struct pcpnl_client *c)
{
	return c->error;
}

const char *pcpnl_client_warning(const struct pcpnl_client *c)
{
	return c->warning;
}

uint32_t pcpnl_client_module_version(const struct pcpnl_client *c)
{
	return c->version;
}

/* Attribute readers: the kernel is trusted, but a wrong length is a bug. */
bool pcpnl_attr_u8(const struct nlattr *a, uint8_t *v)
{
	if (!a || nla_len(a) != 1)
		return false;
	*v = nla_get_u8((struct nlattr *)a);
	return true;
}

bool pcpnl_attr_u16(const struct nlattr *a, uint16_t *v)
{
	if (!a || nla_len(a) != 2)
		return false;
	*v = nla_get_u16((struct nlattr *)a);
	return true;
}

bool pcpnl_attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || nla_len(a) != 4)
		return false;
	*v = nla_get_u32((struct nlattr *)a);
	return true;
}

bool pcpnl_attr_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a || nla_len(a) != 8)
		return false;
	memcpy(v, nla_data(a), sizeof(*v));
	return true;
}

bool pcpnl_attr_be16(const struct nlattr *a, uint16_t *host)
{
	uint16_t be;

	if (!pcpnl_attr_u16(a, &be))
		return false;
	*host = ntohs(be);
	return true;
}

bool pcpnl_attr_in(const struct nlattr *a, struct in_addr *v)
{
	if (!a || nla_len(a) != 4)
		return false;
	memcpy(&v->s_addr, nla_data(a), 4);
	return true;
}
