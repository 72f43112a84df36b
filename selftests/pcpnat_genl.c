// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat genl family, spoken to directly through libnl: every command's
 * happy path, strict validation with extack, permissions, events, dumps
 * under churn, and namespace isolation. Each test runs in a network
 * namespace of its own (the harness forks per test), so it starts from an
 * unconfigured instance and leaves its mappings for the namespace teardown
 * to free.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* unshare, setns */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/pcpnat.h>

#include "harness.h"
#include "genl_util.h"

/*
 * Mappings in the dump test: enough that one dump spans many netlink
 * messages while another process adds and deletes keys, so a walk that
 * loses or repeats entries between messages shows.
 */
static int dump_count(void)
{
	const char *e = getenv("PCPNAT_DUMP_COUNT");	/* the debug kernel's is smaller */

	return e && atoi(e) > 0 ? atoi(e) : 100000;
}
#define CHURN_BASE	0x0b000000	/* 11.0.0.0: churn keys, apart from the stable ones */

struct conn {
	struct nl_sock *sk;
	int fam;
	char errmsg[256];	/* extack message of the last error */
};

struct map {
	uint8_t proto, kind;
	uint32_t int_addr, ext_addr, sub;	/* network order */
	uint16_t int_port, ext_port;		/* network order */
	uint32_t lifetime, idle;
	bool has_nonce, has_idle;
	uint8_t nonce[PCPNAT_NONCE_LEN];
	int nfilters;
	char descr[PCPNAT_DESCR_MAX];
	int reason;
};

static uint32_t A(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static int conn_open(struct conn *c)
{
	int rcvbuf = 16 << 20;

	memset(c, 0, sizeof(*c));
	c->fam = genl_util_open(&c->sk, 30);
	if (c->fam < 0)
		return -1;
	nl_socket_set_buffer_size(c->sk, 8 << 20, 1 << 20);
	/*
	 * Above rmem_max: pipelined requests must not overflow it. Root only:
	 * without CAP_NET_ADMIN (the permissions test) it fails, and the
	 * size asked for above stands, as far as rmem_max allows.
	 */
	setsockopt(nl_socket_get_fd(c->sk), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		   sizeof(rcvbuf));
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

static struct nl_msg *req(struct conn *c, uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc_size(64 * 1024);

	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, c->fam, 0, flags, cmd,
		    PCPNAT_GENL_VERSION);
	return m;
}

typedef void (*reply_fn)(struct nlmsghdr *nlh, void *arg);

static void parse_errmsg(struct conn *c, struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = nlmsg_data(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len;

	c->errmsg[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(e + 1), len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(c->errmsg, sizeof(c->errmsg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

/* A dump's error comes in NLMSG_DONE: the errno, then the extack TLVs. */
static void parse_done_errmsg(struct conn *c, struct nlmsghdr *nlh)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(int);

	c->errmsg[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + sizeof(int)), len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(c->errmsg, sizeof(c->errmsg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

/*
 * Receive until `want` requests are finished (an ack/error each, or
 * NLMSG_DONE for a dump). Returns the first error (negative errno) or 0.
 */
static int recv_until(struct conn *c, int want, reply_fn fn, void *arg)
{
	int first_err = 0, done = 0;

	while (done < want) {
		struct sockaddr_nl nla;
		unsigned char *buf = NULL;
		struct nlmsghdr *nlh;
		int n = nl_recv(c->sk, &nla, &buf, NULL);

		if (n <= 0)
			return n < 0 ? -EIO : -ENODATA;
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, n);
		     nlh = nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = nlmsg_data(nlh);

				if (e->error && !first_err) {
					first_err = e->error;
					parse_errmsg(c, nlh);
				}
				done++;
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				int err = *(int *)nlmsg_data(nlh);

				if (err && !first_err) {
					first_err = err;
					parse_done_errmsg(c, nlh);
				}
				done++;
			} else if (fn) {
				fn(nlh, arg);
			}
		}
		free(buf);
	}
	return first_err;
}

/* Send, wait for the ack (doit) or the end (dump); frees m. */
static int xact(struct conn *c, struct nl_msg *m, reply_fn fn, void *arg)
{
	int err = nl_send_auto(c->sk, m);

	nlmsg_free(m);
	if (err < 0)
		return -EIO;
	c->errmsg[0] = 0;
	return recv_until(c, 1, fn, arg);
}

static void parse_map_nest(struct nlattr *nest, struct map *mp)
{
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1], *f;
	int rem;

	memset(mp, 0, sizeof(*mp));
	mp->reason = -1;
	nla_parse_nested(tb, PCPNAT_MAP_A_MAX, nest, NULL);
	if (tb[PCPNAT_MAP_A_PROTO])
		mp->proto = nla_get_u8(tb[PCPNAT_MAP_A_PROTO]);
	if (tb[PCPNAT_MAP_A_INT_ADDR])
		mp->int_addr = nla_get_u32(tb[PCPNAT_MAP_A_INT_ADDR]);
	if (tb[PCPNAT_MAP_A_INT_PORT])
		mp->int_port = nla_get_u16(tb[PCPNAT_MAP_A_INT_PORT]);
	if (tb[PCPNAT_MAP_A_EXT_ADDR])
		mp->ext_addr = nla_get_u32(tb[PCPNAT_MAP_A_EXT_ADDR]);
	if (tb[PCPNAT_MAP_A_EXT_PORT])
		mp->ext_port = nla_get_u16(tb[PCPNAT_MAP_A_EXT_PORT]);
	if (tb[PCPNAT_MAP_A_KIND])
		mp->kind = nla_get_u8(tb[PCPNAT_MAP_A_KIND]);
	if (tb[PCPNAT_MAP_A_LIFETIME])
		mp->lifetime = nla_get_u32(tb[PCPNAT_MAP_A_LIFETIME]);
	if (tb[PCPNAT_MAP_A_SUBSCRIBER])
		mp->sub = nla_get_u32(tb[PCPNAT_MAP_A_SUBSCRIBER]);
	if (tb[PCPNAT_MAP_A_IDLE]) {
		mp->has_idle = true;
		mp->idle = nla_get_u32(tb[PCPNAT_MAP_A_IDLE]);
	}
	if (tb[PCPNAT_MAP_A_NONCE]) {
		mp->has_nonce = true;
		memcpy(mp->nonce, nla_data(tb[PCPNAT_MAP_A_NONCE]), PCPNAT_NONCE_LEN);
	}
	if (tb[PCPNAT_MAP_A_DESCR])
		snprintf(mp->descr, sizeof(mp->descr), "%s",
			 nla_get_string(tb[PCPNAT_MAP_A_DESCR]));
	if (tb[PCPNAT_MAP_A_FILTERS])
		nla_for_each_nested(f, tb[PCPNAT_MAP_A_FILTERS], rem)
			mp->nfilters++;
}

static void map_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[PCPNAT_A_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, PCPNAT_A_MAX, NULL) || !tb[PCPNAT_A_MAP])
		return;
	parse_map_nest(tb[PCPNAT_A_MAP], arg);
}

/* --- request builders --- */

struct cfgreq {
	const char *pool;	/* "A/L" or NULL: not sent */
	const char *internal;
	int port_min, port_max;
	int udp_timeout, max_mappings;
	int quota, allow_all, filtering;	/* value + 1, 0: not sent */
};

static void put_prefix_list(struct nl_msg *m, int attr, const char *pfx)
{
	struct nlattr *list = nla_nest_start(m, attr), *p;
	char buf[64], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", pfx);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(tok, '/');

		*slash = 0;
		p = nla_nest_start(m, PCPNAT_LIST_A_PREFIX);
		nla_put_u32(m, PCPNAT_PFX_A_ADDR, A(tok));
		nla_put_u8(m, PCPNAT_PFX_A_LEN, atoi(slash + 1));
		nla_nest_end(m, p);
	}
	nla_nest_end(m, list);
}

static int config_set(struct conn *c, const struct cfgreq *r)
{
	struct nl_msg *m = req(c, PCPNAT_CMD_CONFIG_SET, 0);
	struct nlattr *n = nla_nest_start(m, PCPNAT_A_CONFIG);

	if (r->pool)
		put_prefix_list(m, PCPNAT_CFG_A_EXT_POOL, r->pool);
	if (r->internal)
		put_prefix_list(m, PCPNAT_CFG_A_INT_PREFIXES, r->internal);
	if (r->port_min)
		nla_put_u16(m, PCPNAT_CFG_A_PORT_MIN, r->port_min);
	if (r->port_max)
		nla_put_u16(m, PCPNAT_CFG_A_PORT_MAX, r->port_max);
	if (r->udp_timeout)
		nla_put_u32(m, PCPNAT_CFG_A_UDP_TIMEOUT, r->udp_timeout);
	if (r->quota)
		nla_put_u32(m, PCPNAT_CFG_A_SUBSCRIBER_QUOTA, r->quota - 1);
	if (r->max_mappings)
		nla_put_u32(m, PCPNAT_CFG_A_MAX_MAPPINGS, r->max_mappings);
	if (r->allow_all)
		nla_put_u8(m, PCPNAT_CFG_A_ALLOW_ALL_PORTS, r->allow_all - 1);
	if (r->filtering)
		nla_put_u8(m, PCPNAT_CFG_A_FILTERING, r->filtering - 1);
	nla_nest_end(m, n);
	return xact(c, m, NULL, NULL);
}

struct cfgview {
	uint32_t version, udp, tcp_est, quota, max, epoch, mappings;
	uint64_t state_id;
	uint16_t pmin, pmax;
	int npool;
	uint8_t filtering, standby;
};

static void cfg_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[PCPNAT_A_MAX + 1], *c[PCPNAT_CFG_A_MAX + 1], *p;
	struct cfgview *v = arg;
	int rem;

	memset(v, 0, sizeof(*v));
	if (genlmsg_parse(nlh, 0, tb, PCPNAT_A_MAX, NULL) || !tb[PCPNAT_A_CONFIG])
		return;
	if (tb[PCPNAT_A_VERSION])
		v->version = nla_get_u32(tb[PCPNAT_A_VERSION]);
	nla_parse_nested(c, PCPNAT_CFG_A_MAX, tb[PCPNAT_A_CONFIG], NULL);
#define G(attr, f, t) do { if (c[attr]) v->f = nla_get_##t(c[attr]); } while (0)
	G(PCPNAT_CFG_A_UDP_TIMEOUT, udp, u32);
	G(PCPNAT_CFG_A_TCP_EST_TIMEOUT, tcp_est, u32);
	G(PCPNAT_CFG_A_SUBSCRIBER_QUOTA, quota, u32);
	G(PCPNAT_CFG_A_MAX_MAPPINGS, max, u32);
	G(PCPNAT_CFG_A_EPOCH, epoch, u32);
	G(PCPNAT_CFG_A_MAPPINGS, mappings, u32);
	G(PCPNAT_CFG_A_STATE_ID, state_id, u64);
	G(PCPNAT_CFG_A_PORT_MIN, pmin, u16);
	G(PCPNAT_CFG_A_PORT_MAX, pmax, u16);
	G(PCPNAT_CFG_A_FILTERING, filtering, u8);
	G(PCPNAT_CFG_A_STANDBY, standby, u8);
#undef G
	if (c[PCPNAT_CFG_A_EXT_POOL])
		nla_for_each_nested(p, c[PCPNAT_CFG_A_EXT_POOL], rem)
			v->npool++;
}

static int config_get(struct conn *c, struct cfgview *v)
{
	return xact(c, req(c, PCPNAT_CMD_CONFIG_GET, 0), cfg_reply, v);
}

static void stats_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[PCPNAT_A_MAX + 1], *s[PCPNAT_STATS_A_MAX + 1];
	uint64_t *v = arg;
	int i;

	if (genlmsg_parse(nlh, 0, tb, PCPNAT_A_MAX, NULL) || !tb[PCPNAT_A_STATS])
		return;
	nla_parse_nested(s, PCPNAT_STATS_A_MAX, tb[PCPNAT_A_STATS], NULL);
	for (i = 0; i <= PCPNAT_STATS_A_MAX; i++)
		v[i] = s[i] && i != PCPNAT_STATS_A_PAD ? nla_get_u64(s[i]) : 0;
}

static int stats_get(struct conn *c, uint64_t *v)
{
	return xact(c, req(c, PCPNAT_CMD_STATS_GET, 0), stats_reply, v);
}

struct mapreq {
	uint8_t proto, kind;
	const char *int_addr, *ext_addr, *sub, *descr;
	uint16_t int_port, ext_port;	/* host order */
	uint32_t lifetime, flags;
	int nonce;		/* 0: none; else a byte pattern */
	int nfilters;		/* -1: none */
};

static void fill_nonce(uint8_t *n, int seed)
{
	int i;

	for (i = 0; i < PCPNAT_NONCE_LEN; i++)
		n[i] = seed + i;
}

static struct nl_msg *map_msg(struct conn *c, uint8_t cmd, const struct mapreq *r)
{
	struct nl_msg *m = req(c, cmd, 0);
	struct nlattr *n = nla_nest_start(m, PCPNAT_A_MAP), *fl, *f;
	uint8_t nonce[PCPNAT_NONCE_LEN];
	int i;

	nla_put_u8(m, PCPNAT_MAP_A_PROTO, r->proto ? r->proto : IPPROTO_UDP);
	nla_put_u32(m, PCPNAT_MAP_A_INT_ADDR, A(r->int_addr));
	nla_put_u16(m, PCPNAT_MAP_A_INT_PORT, htons(r->int_port));
	if (cmd == PCPNAT_CMD_MAP_DEL) {
		/* MAP_DEL's policy knows the key, the nonce and FORCE only. */
		if (r->nonce) {
			fill_nonce(nonce, r->nonce);
			nla_put(m, PCPNAT_MAP_A_NONCE, sizeof(nonce), nonce);
		}
		if (r->flags & PCPNAT_MAP_F_FORCE)
			nla_put_u32(m, PCPNAT_MAP_A_FLAGS, PCPNAT_MAP_F_FORCE);
		nla_nest_end(m, n);
		return m;
	}
	if (r->ext_addr)
		nla_put_u32(m, PCPNAT_MAP_A_EXT_ADDR, A(r->ext_addr));
	if (r->ext_port)
		nla_put_u16(m, PCPNAT_MAP_A_EXT_PORT, htons(r->ext_port));
	if (r->kind)
		nla_put_u8(m, PCPNAT_MAP_A_KIND, r->kind);
	if (r->lifetime)
		nla_put_u32(m, PCPNAT_MAP_A_LIFETIME, r->lifetime);
	if (r->nonce) {
		fill_nonce(nonce, r->nonce);
		nla_put(m, PCPNAT_MAP_A_NONCE, sizeof(nonce), nonce);
	}
	if (r->sub)
		nla_put_u32(m, PCPNAT_MAP_A_SUBSCRIBER, A(r->sub));
	if (r->descr)
		nla_put_string(m, PCPNAT_MAP_A_DESCR, r->descr);
	if (r->flags)
		nla_put_u32(m, PCPNAT_MAP_A_FLAGS, r->flags);
	if (r->nfilters > 0) {
		fl = nla_nest_start(m, PCPNAT_MAP_A_FILTERS);
		for (i = 0; i < r->nfilters; i++) {
			f = nla_nest_start(m, PCPNAT_FILTERS_A_FILTER);
			nla_put_u32(m, PCPNAT_FILTER_A_ADDR, htonl(0xcb007100 + i));
			nla_put_u8(m, PCPNAT_FILTER_A_PLEN, 32);
			nla_nest_end(m, f);
		}
		nla_nest_end(m, fl);
	}
	nla_nest_end(m, n);
	return m;
}

static int map_cmd(struct conn *c, uint8_t cmd, const struct mapreq *r, struct map *out)
{
	struct map dummy;

	return xact(c, map_msg(c, cmd, r), map_reply, out ? out : &dummy);
}

static int map_get_int(struct conn *c, uint8_t proto, const char *addr,
		       uint16_t port, struct map *out)
{
	struct nl_msg *m = req(c, PCPNAT_CMD_MAP_GET, 0);
	struct nlattr *n = nla_nest_start(m, PCPNAT_A_MAP);

	nla_put_u8(m, PCPNAT_MAP_A_PROTO, proto);
	nla_put_u32(m, PCPNAT_MAP_A_INT_ADDR, A(addr));
	nla_put_u16(m, PCPNAT_MAP_A_INT_PORT, htons(port));
	nla_nest_end(m, n);
	return xact(c, m, map_reply, out);
}

/* --- dumps --- */

struct dumpres {
	struct map *v;
	int n, cap;
};

static void dump_reply(struct nlmsghdr *nlh, void *arg)
{
	struct dumpres *d = arg;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 1024;
		d->v = realloc(d->v, d->cap * sizeof(*d->v));
	}
	map_reply(nlh, &d->v[d->n++]);
}

/* filter: optional (subscriber, kind); cursor: optional internal key. */
static int dump(struct conn *c, struct dumpres *d, const char *sub, int kind,
		const struct map *cursor)
{
	struct nl_msg *m = req(c, PCPNAT_CMD_MAP_GET, NLM_F_DUMP);
	struct nlattr *n;

	d->n = 0;
	if (sub || kind) {
		n = nla_nest_start(m, PCPNAT_A_MAP);
		if (sub)
			nla_put_u32(m, PCPNAT_MAP_A_SUBSCRIBER, A(sub));
		if (kind)
			nla_put_u8(m, PCPNAT_MAP_A_KIND, kind);
		nla_nest_end(m, n);
	}
	if (cursor) {
		n = nla_nest_start(m, PCPNAT_A_CURSOR);
		nla_put_u8(m, PCPNAT_MAP_A_PROTO, cursor->proto);
		nla_put_u32(m, PCPNAT_MAP_A_INT_ADDR, cursor->int_addr);
		nla_put_u16(m, PCPNAT_MAP_A_INT_PORT, cursor->int_port);
		nla_nest_end(m, n);
	}
	return xact(c, m, dump_reply, d);
}

/* Events socket on one group. */
static int events_open_group(struct conn *c, const char *group)
{
	int grp;

	if (conn_open(c))
		return -1;
	grp = genl_ctrl_resolve_grp(c->sk, PCPNAT_GENL_NAME, group);
	if (grp < 0 || nl_socket_add_membership(c->sk, grp))
		return -1;
	return 0;
}

static int events_open(struct conn *c)
{
	return events_open_group(c, PCPNAT_MCGRP_EVENTS);
}

struct event {
	int cmd;
	struct map m;
	uint32_t addr;
};

/* Events read but not yet waited for, from the one events socket open. */
static struct event backlog[256];
static int nbacklog;

/* Close, and forget what was queued from it. */
static void events_close(struct conn *c)
{
	conn_close(c);
	nbacklog = 0;
}

/* Next event within timeout_ms; 0 or -ETIMEDOUT. Keeps a small backlog. */
static int event_next(struct conn *c, struct event *ev, int timeout_ms)
{
	struct pollfd p = { .fd = nl_socket_get_fd(c->sk), .events = POLLIN };

	while (!nbacklog) {
		struct sockaddr_nl nla;
		unsigned char *buf = NULL;
		struct nlmsghdr *nlh;
		int n;

		if (poll(&p, 1, timeout_ms) <= 0)
			return -ETIMEDOUT;
		n = nl_recv(c->sk, &nla, &buf, NULL);
		if (n <= 0)
			return -EIO;
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, n);
		     nlh = nlmsg_next(nlh, &n)) {
			struct nlattr *tb[PCPNAT_A_MAX + 1];
			struct event *e;

			if (nbacklog == 256 || genlmsg_parse(nlh, 0, tb, PCPNAT_A_MAX, NULL))
				continue;
			e = &backlog[nbacklog++];
			memset(e, 0, sizeof(*e));
			e->cmd = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
			e->m.reason = -1;
			if (tb[PCPNAT_A_MAP])
				parse_map_nest(tb[PCPNAT_A_MAP], &e->m);
			if (tb[PCPNAT_A_REASON])
				e->m.reason = nla_get_u8(tb[PCPNAT_A_REASON]);
			if (tb[PCPNAT_A_ADDR])
				e->addr = nla_get_u32(tb[PCPNAT_A_ADDR]);
		}
		free(buf);
	}
	*ev = backlog[0];
	memmove(backlog, backlog + 1, --nbacklog * sizeof(backlog[0]));
	return 0;
}

/* Wait for an event with this command (and reason if >= 0), skipping others. */
static int event_wait(struct conn *c, int cmd, int reason, struct event *ev,
		      int timeout_ms)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int left;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = timeout_ms - (int)((t1.tv_sec - t0.tv_sec) * 1000 +
					  (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || event_next(c, ev, left))
			return -ETIMEDOUT;
		if (ev->cmd == cmd && (reason < 0 || ev->m.reason == reason))
			return 0;
	}
}

static int drop_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
	return syscall(SYS_capset, &h, d);
}

static const struct cfgreq base_cfg = {
	.pool = "198.51.100.0/30",
	.internal = "10.0.0.0/8,11.0.0.0/8",
};

/* ------------------------------------------------------------------ */

FIXTURE(genl) {
	struct conn c;
};

FIXTURE_SETUP(genl)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, conn_open(&self->c)) TH_LOG("pcpnat family not found: module loaded?");
}

FIXTURE_TEARDOWN(genl)
{
	conn_close(&self->c);
}

TEST_F(genl, config_defaults_and_set)
{
	struct cfgview v, v2;
	struct cfgreq r = base_cfg;

	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(PCPNAT_GENL_VERSION, v.version);
	EXPECT_EQ(300, v.udp);
	EXPECT_EQ(7440, v.tcp_est);
	EXPECT_EQ(1024, v.pmin);
	EXPECT_EQ(65535, v.pmax);
	EXPECT_EQ(1000000, v.max);
	/* RFC 6888 REQ-4: a subscriber is limited unless told otherwise. */
	EXPECT_EQ(4096, v.quota);
	EXPECT_EQ(PCPNAT_FILTER_ADDRESS_DEPENDENT, v.filtering);
	EXPECT_EQ(0, v.npool);

	r.udp_timeout = 600;
	r.port_min = 2000;
	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(600, v.udp);
	EXPECT_EQ(2000, v.pmin);
	EXPECT_EQ(1, v.npool);
	EXPECT_NE(0, v.state_id);

	/* Only the attributes given change. */
	memset(&r, 0, sizeof(r));
	r.quota = 7 + 1;
	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, config_get(&self->c, &v2));
	EXPECT_EQ(7, v2.quota);
	EXPECT_EQ(600, v2.udp);
	EXPECT_EQ(1, v2.npool);
	EXPECT_EQ(v.state_id, v2.state_id);
}

/* Sends CONFIG_SET with one raw attribute in the CONFIG nest. */
static int config_raw(struct conn *c, int attr, const void *data, int len)
{
	struct nl_msg *m = req(c, PCPNAT_CMD_CONFIG_SET, 0);
	struct nlattr *n = nla_nest_start(m, PCPNAT_A_CONFIG);

	nla_put(m, attr, len, data);
	nla_nest_end(m, n);
	return xact(c, m, NULL, NULL);
}

TEST_F(genl, config_invalid)
{
	struct cfgview before, after;
	struct cfgreq r = base_cfg;
	uint32_t u32v = 100;
	uint16_t u16v = 1;
	uint8_t u8v = 9;

	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, config_get(&self->c, &before));

	/*
	 * Out of range (below the RFC minimum): the netlink core answers a
	 * value outside its policy range with ERANGE, and says which.
	 */
	EXPECT_EQ(-ERANGE, config_raw(&self->c, PCPNAT_CFG_A_UDP_TIMEOUT, &u32v, 4));
	EXPECT_NE(0, self->c.errmsg[0]) TH_LOG("no extack message");
	/* Wrong length for a u32. */
	EXPECT_EQ(-EINVAL, config_raw(&self->c, PCPNAT_CFG_A_UDP_TIMEOUT, &u16v, 2));
	/* Unknown filtering mode. */
	EXPECT_EQ(-ERANGE, config_raw(&self->c, PCPNAT_CFG_A_FILTERING, &u8v, 1));
	EXPECT_NE(0, self->c.errmsg[0]);
	/* Read-only attribute. */
	EXPECT_EQ(-EINVAL, config_raw(&self->c, PCPNAT_CFG_A_EPOCH, &u32v, 4));
	/* Unknown nested attribute. */
	EXPECT_EQ(-EINVAL, config_raw(&self->c, PCPNAT_CFG_A_MAX + 1, &u32v, 4));
	/* Pool prefix too wide, host bits set, missing length. */
	r.pool = "198.51.0.0/16";
	EXPECT_EQ(-EINVAL, config_set(&self->c, &r));
	EXPECT_NE(0, self->c.errmsg[0]);
	r.pool = "198.51.100.1/30";
	EXPECT_EQ(-EINVAL, config_set(&self->c, &r));
	/* Port range upside down. */
	r = (struct cfgreq){ .port_min = 5000, .port_max = 4000 };
	EXPECT_EQ(-EINVAL, config_set(&self->c, &r));
	EXPECT_NE(0, self->c.errmsg[0]);
	/* Missing CONFIG altogether. */
	EXPECT_EQ(-EINVAL, xact(&self->c, req(&self->c, PCPNAT_CMD_CONFIG_SET, 0),
				NULL, NULL));

	ASSERT_EQ(0, config_get(&self->c, &after));
	EXPECT_EQ(0, memcmp(&before.udp, &after.udp, sizeof(after.udp)));
	EXPECT_EQ(before.pmin, after.pmin);
	EXPECT_EQ(before.pmax, after.pmax);
	EXPECT_EQ(before.npool, after.npool);
	EXPECT_EQ(before.filtering, after.filtering);
}

TEST_F(genl, map_happy_path)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .int_addr = "10.0.0.2", .int_port = 5000,
			    .lifetime = 100, .nonce = 1, .descr = "web",
			    .nfilters = 2 };
	struct map m, g;
	uint64_t st[PCPNAT_STATS_A_MAX + 1];
	struct cfgview v;

	ASSERT_EQ(-ENETDOWN, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT, m.kind);
	EXPECT_EQ(5000, ntohs(m.ext_port));	/* port preservation */
	EXPECT_EQ(A("198.51.100.0"), m.ext_addr & htonl(0xfffffffc));
	EXPECT_GE(m.lifetime, 99);
	EXPECT_LE(m.lifetime, 100);
	EXPECT_EQ(2, m.nfilters);
	EXPECT_STREQ("web", m.descr);
	EXPECT_EQ(A("10.0.0.2"), m.sub);

	ASSERT_EQ(0, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.2", 5000, &g));
	EXPECT_EQ(m.ext_addr, g.ext_addr);
	EXPECT_EQ(m.ext_port, g.ext_port);

	/* By external endpoint. */
	{
		struct nl_msg *msg = req(&self->c, PCPNAT_CMD_MAP_GET, 0);
		struct nlattr *n = nla_nest_start(msg, PCPNAT_A_MAP);

		nla_put_u8(msg, PCPNAT_MAP_A_PROTO, IPPROTO_UDP);
		nla_put_u32(msg, PCPNAT_MAP_A_EXT_ADDR, m.ext_addr);
		nla_put_u16(msg, PCPNAT_MAP_A_EXT_PORT, m.ext_port);
		nla_nest_end(msg, n);
		memset(&g, 0, sizeof(g));
		ASSERT_EQ(0, xact(&self->c, msg, map_reply, &g));
		EXPECT_EQ(A("10.0.0.2"), g.int_addr);
	}

	/* Suggested port is honoured. */
	q.int_port = 5001;
	q.ext_port = 40001;
	q.nfilters = 0;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(40001, ntohs(m.ext_port));

	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(2, v.mappings);
	ASSERT_EQ(0, stats_get(&self->c, st));
	EXPECT_EQ(2, st[PCPNAT_STATS_A_MAP_CREATED]);
	EXPECT_EQ(2, st[PCPNAT_STATS_A_MAPPINGS]);
	EXPECT_GT(st[PCPNAT_STATS_A_MAPPING_BYTES], 0);
	EXPECT_LE(st[PCPNAT_STATS_A_MAPPING_BYTES], 128);
	TH_LOG("bytes per mapping: %llu",
	       (unsigned long long)st[PCPNAT_STATS_A_MAPPING_BYTES]);

	/* Delete: reply echoes it, then it is gone. */
	q.int_port = 5000;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &m));
	EXPECT_EQ(5000, ntohs(m.int_port));
	EXPECT_EQ(0, m.lifetime);
	EXPECT_EQ(-ENOENT, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.2", 5000, &g));
	EXPECT_EQ(-ENOENT, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &m));

	/* Stats reset. */
	ASSERT_EQ(0, xact(&self->c, req(&self->c, PCPNAT_CMD_STATS_RESET, 0), NULL, NULL));
	ASSERT_EQ(0, stats_get(&self->c, st));
	EXPECT_EQ(0, st[PCPNAT_STATS_A_MAP_CREATED]);
	EXPECT_EQ(1, st[PCPNAT_STATS_A_MAPPINGS]);
}

TEST_F(genl, map_semantics)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .int_addr = "10.0.0.3", .int_port = 6000,
			    .lifetime = 100, .nonce = 1 };
	struct map m, m2;

	ASSERT_EQ(0, config_set(&self->c, &r));

	/* PEER-style implicit mapping, then MAP adopts it and keeps its port. */
	q.kind = PCPNAT_KIND_IMPLICIT;
	q.nonce = 0;
	q.ext_port = 30000;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(PCPNAT_KIND_IMPLICIT, m.kind);
	EXPECT_GE(m.lifetime, 99);
	q.kind = 0;
	q.nonce = 1;
	q.ext_port = 0;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m2));
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT, m2.kind);
	EXPECT_EQ(m.ext_port, m2.ext_port);
	EXPECT_EQ(m.ext_addr, m2.ext_addr);

	/* Same nonce: refresh, same port, new lifetime. */
	q.lifetime = 50;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(m2.ext_port, m.ext_port);
	EXPECT_LE(m.lifetime, 50);

	/* Another nonce: EEXIST, unchanged. */
	q.nonce = 2;
	EXPECT_EQ(-EEXIST, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_NE(0, self->c.errmsg[0]);
	EXPECT_EQ(-EACCES, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &m));
	ASSERT_EQ(0, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.3", 6000, &m));
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT, m.kind);
	/* FORCE deletes whatever the nonce. */
	q.flags = PCPNAT_MAP_F_FORCE;
	EXPECT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &m));
	EXPECT_EQ(-ENOENT, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.3", 6000, &m));
	q.flags = 0;

	/* PREFER_FAILURE on a taken port. */
	q.nonce = 3;
	q.int_port = 6001;
	q.ext_port = 41000;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.int_port = 6002;
	q.ext_addr = NULL;
	q.flags = PCPNAT_MAP_F_PREFER_FAILURE;
	{
		char ea[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &m.ext_addr, ea, sizeof(ea));
		q.ext_addr = ea;
		EXPECT_EQ(-EADDRINUSE, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m2));
		/* Without it, another port. */
		q.flags = 0;
		ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m2));
		EXPECT_NE(m.ext_port, m2.ext_port);
		q.ext_addr = NULL;
	}
	q.ext_port = 0;

	/* Errors pcpd maps onto result codes. */
	q.proto = 47;
	EXPECT_EQ(-EPROTONOSUPPORT, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.proto = 0;
	q.int_port = 0;
	EXPECT_EQ(-EOPNOTSUPP, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.int_port = 6003;
	q.nfilters = PCPNAT_FILTERS_MAX + 1;
	EXPECT_EQ(-E2BIG, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.nfilters = 0;

	/* Quota: subscriber 10.0.0.9 may hold 2. */
	r = (struct cfgreq){ .quota = 2 + 1 };
	ASSERT_EQ(0, config_set(&self->c, &r));
	q.int_addr = "10.0.0.9";
	q.int_port = 1;
	EXPECT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.int_port = 2;
	EXPECT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.int_port = 3;
	EXPECT_EQ(-EDQUOT, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_NE(0, self->c.errmsg[0]);

	/* Table limit. */
	r = (struct cfgreq){ .quota = 0 + 1, .max_mappings = 4 };
	ASSERT_EQ(0, config_set(&self->c, &r));
	q.int_addr = "10.0.0.10";
	EXPECT_EQ(-ENOBUFS, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));

	/* No free port: a pool of one address and two ports. */
	r = (struct cfgreq){ .pool = "198.51.100.9/32", .port_min = 3000,
			     .port_max = 3001, .max_mappings = 100 };
	ASSERT_EQ(0, config_set(&self->c, &r));
	q.int_addr = "10.0.0.11";
	q.int_port = 1;
	EXPECT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.int_port = 2;
	EXPECT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.int_port = 3;
	EXPECT_EQ(-ENOSPC, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	/* Frees up when one goes. */
	q.int_port = 1;
	EXPECT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &m));
	q.int_port = 3;
	EXPECT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));

	/* All ports, once allowed: the whole address. */
	r = (struct cfgreq){ .pool = "198.51.100.9/32,198.51.100.20/32",
			     .allow_all = 2, .port_min = 1024, .port_max = 65535 };
	ASSERT_EQ(0, config_set(&self->c, &r));
	q.int_addr = "10.0.0.12";
	q.int_port = 0;
	q.proto = IPPROTO_TCP;
	EXPECT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(0, m.ext_port);
}

/*
 * An internal address outside the internal prefixes: its traffic is never
 * translated, so the mapping could only hold a port. Refused, with the
 * errno pcpd turns into NOT_AUTHORIZED, whatever else the request says.
 */
TEST_F(genl, map_outside_internal)
{
	struct cfgreq r = base_cfg;	/* internal 10.0.0.0/8, 11.0.0.0/8 */
	struct mapreq q = { .int_addr = "172.16.0.1", .int_port = 5,
			    .lifetime = 100, .nonce = 1 };
	struct cfgview v;
	struct map m;

	r.allow_all = 2;
	ASSERT_EQ(0, config_set(&self->c, &r));
	EXPECT_EQ(-EADDRNOTAVAIL, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_NE(NULL, strstr(self->c.errmsg, "internal prefixes"))
		TH_LOG("extack: \"%s\"", self->c.errmsg);
	/* All ports, PEER-style implicit, a suggested external port: no. */
	q.int_port = 0;
	EXPECT_EQ(-EADDRNOTAVAIL, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.int_port = 5;
	q.kind = PCPNAT_KIND_IMPLICIT;
	q.nonce = 0;
	EXPECT_EQ(-EADDRNOTAVAIL, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.kind = 0;
	q.nonce = 1;
	q.ext_port = 40000;
	EXPECT_EQ(-EADDRNOTAVAIL, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	/* Just outside a prefix (12.0.0.0 after 11.0.0.0/8), and just inside. */
	q.int_addr = "12.0.0.0";
	EXPECT_EQ(-EADDRNOTAVAIL, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(0, v.mappings);
	q.int_addr = "11.255.255.255";
	EXPECT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	/* The prefixes in force are what counts: narrowed, 11/8 is out. */
	r = (struct cfgreq){ .internal = "10.0.0.0/8" };
	ASSERT_EQ(0, config_set(&self->c, &r));
	q.int_port = 6;
	EXPECT_EQ(-EADDRNOTAVAIL, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(1, v.mappings);
}

/*
 * Deleting a mapping its host still uses (RFC 6887 15;
 * draft-boucadair-pcp-flow-examples 2.13): it stays as an implicit
 * mapping and the reply gives the remaining idle lifetime. A
 * PEER-style implicit request counts as traffic, so no packets are needed.
 */
TEST_F(genl, del_active_reverts)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .int_addr = "10.0.0.4", .int_port = 4000,
			    .lifetime = 30, .kind = PCPNAT_KIND_IMPLICIT };
	struct map m, d, g;

	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	q.kind = 0;
	q.nonce = 9;
	q.lifetime = 3600;
	q.descr = "game";
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT, m.kind);
	EXPECT_TRUE(m.has_idle);
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &d));
	EXPECT_EQ(PCPNAT_KIND_IMPLICIT, d.kind);
	EXPECT_EQ(m.ext_port, d.ext_port);
	EXPECT_GT(d.lifetime, 200);	/* UDP idle timeout 300 s */
	EXPECT_LE(d.lifetime, 300);
	ASSERT_EQ(0, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.4", 4000, &g));
	EXPECT_EQ(PCPNAT_KIND_IMPLICIT, g.kind);
	EXPECT_FALSE(g.has_nonce);
	EXPECT_STREQ("", g.descr);
	/* FORCE removes it whatever the traffic. */
	q.flags = PCPNAT_MAP_F_FORCE;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &d));
	EXPECT_EQ(-ENOENT, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.4", 4000, &g));
}

/* Raw MAP_ADD with one attribute replaced or added. */
static int map_raw(struct conn *c, int attr, const void *data, int len, bool drop_key)
{
	struct nl_msg *m = req(c, PCPNAT_CMD_MAP_ADD, 0);
	struct nlattr *n = nla_nest_start(m, PCPNAT_A_MAP);
	uint8_t nonce[PCPNAT_NONCE_LEN] = { 1 };

	if (!drop_key)
		nla_put_u8(m, PCPNAT_MAP_A_PROTO, IPPROTO_UDP);
	nla_put_u32(m, PCPNAT_MAP_A_INT_ADDR, A("10.0.0.5"));
	nla_put_u16(m, PCPNAT_MAP_A_INT_PORT, htons(7000));
	if (attr != PCPNAT_MAP_A_LIFETIME)
		nla_put_u32(m, PCPNAT_MAP_A_LIFETIME, 100);
	if (attr != PCPNAT_MAP_A_NONCE)
		nla_put(m, PCPNAT_MAP_A_NONCE, sizeof(nonce), nonce);
	if (attr)
		nla_put(m, attr, len, data);
	nla_nest_end(m, n);
	return xact(c, m, NULL, NULL);
}

TEST_F(genl, map_malformed)
{
	struct cfgreq r = base_cfg;
	uint8_t buf[32] = { 0 }, three = 3;
	uint32_t zero = 0, bad_flags = 0x80;
	struct cfgview v;
	struct {
		const char *what;
		int attr, len;
		const void *data;
		bool drop_key;
		int err;
	} cases[] = {
		/* Ranges and exact lengths: ERANGE from the netlink core. */
		{ "missing protocol", 0, 0, NULL, true, -EINVAL },
		{ "short nonce", PCPNAT_MAP_A_NONCE, 11, buf, false, -ERANGE },
		{ "long nonce", PCPNAT_MAP_A_NONCE, 13, buf, false, -ERANGE },
		{ "kind out of range", PCPNAT_MAP_A_KIND, 1, &three, false, -ERANGE },
		{ "unknown flag", PCPNAT_MAP_A_FLAGS, 4, &bad_flags, false, -EINVAL },
		{ "lifetime 0", PCPNAT_MAP_A_LIFETIME, 4, &zero, false, -ERANGE },
		{ "u16 port as u32", PCPNAT_MAP_A_EXT_PORT, 4, &zero, false, -EINVAL },
		{ "be32 address as u8", PCPNAT_MAP_A_EXT_ADDR, 1, buf, false, -EINVAL },
		{ "unknown attribute", PCPNAT_MAP_A_MAX + 1, 4, &zero, false, -EINVAL },
		{ "read-only idle", PCPNAT_MAP_A_IDLE, 4, &zero, false, -EINVAL },
		{ "descr not terminated", PCPNAT_MAP_A_DESCR, 4, "abcd", false, -EINVAL },
	};
	unsigned int i;

	ASSERT_EQ(0, config_set(&self->c, &r));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(cases[i].err, map_raw(&self->c, cases[i].attr, cases[i].data,
						cases[i].len, cases[i].drop_key))
			TH_LOG("%s", cases[i].what);
		EXPECT_NE(0, self->c.errmsg[0]) TH_LOG("%s: no extack", cases[i].what);
	}
	/* Filters: unknown nested attribute inside a FILTER entry. */
	{
		struct nl_msg *m = req(&self->c, PCPNAT_CMD_MAP_ADD, 0);
		struct nlattr *n = nla_nest_start(m, PCPNAT_A_MAP), *fl, *f;

		nla_put_u8(m, PCPNAT_MAP_A_PROTO, IPPROTO_UDP);
		nla_put_u32(m, PCPNAT_MAP_A_INT_ADDR, A("10.0.0.5"));
		nla_put_u16(m, PCPNAT_MAP_A_INT_PORT, htons(7000));
		nla_put_u32(m, PCPNAT_MAP_A_LIFETIME, 100);
		nla_put(m, PCPNAT_MAP_A_NONCE, PCPNAT_NONCE_LEN, buf);
		fl = nla_nest_start(m, PCPNAT_MAP_A_FILTERS);
		f = nla_nest_start(m, PCPNAT_FILTERS_A_FILTER);
		nla_put_u32(m, PCPNAT_FILTER_A_ADDR, A("203.0.113.0"));
		nla_put_u8(m, PCPNAT_FILTER_A_PLEN, 24);
		nla_put_u32(m, PCPNAT_FILTER_A_MAX + 1, 0);
		nla_nest_end(m, f);
		nla_nest_end(m, fl);
		nla_nest_end(m, n);
		EXPECT_EQ(-EINVAL, xact(&self->c, m, NULL, NULL));
		EXPECT_NE(0, self->c.errmsg[0]);
	}
	/* Missing the MAP nest; a cursor without its key. */
	EXPECT_EQ(-EINVAL, xact(&self->c, req(&self->c, PCPNAT_CMD_MAP_ADD, 0), NULL, NULL));
	EXPECT_EQ(-EINVAL, xact(&self->c, req(&self->c, PCPNAT_CMD_MAP_DEL, 0), NULL, NULL));
	{
		struct nl_msg *m = req(&self->c, PCPNAT_CMD_MAP_GET, NLM_F_DUMP);
		struct nlattr *n = nla_nest_start(m, PCPNAT_A_CURSOR);
		struct dumpres d = { 0 };

		nla_put_u8(m, PCPNAT_MAP_A_PROTO, IPPROTO_UDP);
		nla_nest_end(m, n);
		EXPECT_EQ(-EINVAL, xact(&self->c, m, dump_reply, &d));
		free(d.v);
	}
	/* Nothing was created. */
	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(0, v.mappings);
}

/*
 * Sends cmd with a MAP nest holding the internal key of a mapping and one
 * raw attribute; a dump when flags has NLM_F_DUMP.
 */
static int map_cmd_raw(struct conn *c, uint8_t cmd, int flags, int attr,
		       const void *data, int len)
{
	struct nl_msg *m = req(c, cmd, flags);
	struct nlattr *n = nla_nest_start(m, PCPNAT_A_MAP);
	struct dumpres d = { 0 };
	int err;

	nla_put_u8(m, PCPNAT_MAP_A_PROTO, IPPROTO_UDP);
	nla_put_u32(m, PCPNAT_MAP_A_INT_ADDR, A("10.0.0.2"));
	nla_put_u16(m, PCPNAT_MAP_A_INT_PORT, htons(5000));
	nla_put(m, attr, len, data);
	nla_nest_end(m, n);
	err = xact(c, m, (flags & NLM_F_DUMP) ? dump_reply : NULL, &d);
	free(d.v);
	return err;
}

/*
 * The MAP nest has one policy for every mapping command and for replies
 * (the family's spec describes it once); each command still refuses what
 * it does not take, with EINVAL and an extack message, and the mapping
 * is left as it was.
 */
TEST_F(genl, map_attrs_per_command)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .int_addr = "10.0.0.2", .int_port = 5000,
			    .lifetime = 100, .nonce = 1 };
	uint32_t lifetime = 50, prefer = PCPNAT_MAP_F_PREFER_FAILURE, zero = 0;
	uint8_t nonce[PCPNAT_NONCE_LEN] = { 1 };
	struct {
		const char *what;
		uint8_t cmd;
		int flags, attr, len;
		const void *data;
	} cases[] = {
		{ "MAP_DEL with a lifetime", PCPNAT_CMD_MAP_DEL, 0,
		  PCPNAT_MAP_A_LIFETIME, 4, &lifetime },
		{ "MAP_DEL with PREFER_FAILURE", PCPNAT_CMD_MAP_DEL, 0,
		  PCPNAT_MAP_A_FLAGS, 4, &prefer },
		{ "MAP_DEL with a description", PCPNAT_CMD_MAP_DEL, 0,
		  PCPNAT_MAP_A_DESCR, 4, "web" },
		{ "MAP_GET with a nonce", PCPNAT_CMD_MAP_GET, 0,
		  PCPNAT_MAP_A_NONCE, PCPNAT_NONCE_LEN, nonce },
		{ "MAP_GET dump filtered on a lifetime", PCPNAT_CMD_MAP_GET, NLM_F_DUMP,
		  PCPNAT_MAP_A_LIFETIME, 4, &lifetime },
		{ "MAP_GET dump filtered on idle", PCPNAT_CMD_MAP_GET, NLM_F_DUMP,
		  PCPNAT_MAP_A_IDLE, 4, &zero },
		{ "MAP_ADD with idle (read only)", PCPNAT_CMD_MAP_ADD, 0,
		  PCPNAT_MAP_A_IDLE, 4, &zero },
	};
	struct map m, g;
	unsigned int i;

	/*
	 * Malformed is refused as such before "not configured": in a
	 * namespace pcpnat does not run in yet, still EINVAL, not ENETDOWN.
	 */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(-EINVAL, map_cmd_raw(&self->c, cases[i].cmd, cases[i].flags,
					       cases[i].attr, cases[i].data,
					       cases[i].len))
			TH_LOG("%s, unconfigured", cases[i].what);
	}
	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(-EINVAL, map_cmd_raw(&self->c, cases[i].cmd, cases[i].flags,
					       cases[i].attr, cases[i].data,
					       cases[i].len))
			TH_LOG("%s", cases[i].what);
		EXPECT_NE(0, self->c.errmsg[0]) TH_LOG("%s: no extack", cases[i].what);
	}
	/* The counters' commands take no attribute at all. */
	{
		struct nl_msg *msg = req(&self->c, PCPNAT_CMD_STATS_RESET, 0);

		nla_put_u32(msg, PCPNAT_A_SUBSCRIBER, A("10.0.0.2"));
		EXPECT_EQ(-EINVAL, xact(&self->c, msg, NULL, NULL));
	}
	/* Still there, unchanged. */
	ASSERT_EQ(0, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.2", 5000, &g));
	EXPECT_EQ(m.ext_addr, g.ext_addr);
	EXPECT_EQ(m.ext_port, g.ext_port);
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT, g.kind);
}

/*
 * Single values' bounds are the policy's (netlink answers ERANGE and
 * says which attribute): the RFC minima of every timeout, max-mappings,
 * an internal prefix longer than 32 bits.
 */
TEST_F(genl, config_policy_bounds)
{
	struct cfgreq r = base_cfg;
	struct cfgview before, after;
	struct {
		const char *what;
		int attr;
		uint32_t v;
	} cases[] = {
		{ "UDP 119 s (RFC 4787 REQ-5)", PCPNAT_CFG_A_UDP_TIMEOUT,
		  PCPNAT_UDP_TIMEOUT_MIN - 1 },
		{ "TCP established 7439 s (RFC 5382 REQ-5)", PCPNAT_CFG_A_TCP_EST_TIMEOUT,
		  PCPNAT_TCP_EST_TIMEOUT_MIN - 1 },
		{ "TCP transitory 239 s (RFC 5382 REQ-5)", PCPNAT_CFG_A_TCP_TRANS_TIMEOUT,
		  PCPNAT_TCP_TRANS_TIMEOUT_MIN - 1 },
		{ "ICMP 59 s (RFC 5508 REQ-1)", PCPNAT_CFG_A_ICMP_TIMEOUT,
		  PCPNAT_ICMP_TIMEOUT_MIN - 1 },
		{ "UDP a week and a second", PCPNAT_CFG_A_UDP_TIMEOUT,
		  PCPNAT_TIMEOUT_MAX + 1 },
		{ "max-mappings 0", PCPNAT_CFG_A_MAX_MAPPINGS, 0 },
	};
	unsigned int i;

	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, config_get(&self->c, &before));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(-ERANGE, config_raw(&self->c, cases[i].attr, &cases[i].v, 4))
			TH_LOG("%s", cases[i].what);
		EXPECT_NE(0, self->c.errmsg[0]) TH_LOG("%s: no extack", cases[i].what);
	}
	r = (struct cfgreq){ .internal = "10.0.0.0/33" };
	EXPECT_EQ(-ERANGE, config_set(&self->c, &r));
	ASSERT_EQ(0, config_get(&self->c, &after));
	EXPECT_EQ(before.udp, after.udp);
	EXPECT_EQ(before.tcp_est, after.tcp_est);
	EXPECT_EQ(before.max, after.max);
	/* The minima themselves are taken. */
	{
		uint32_t v = PCPNAT_UDP_TIMEOUT_MIN;

		EXPECT_EQ(0, config_raw(&self->c, PCPNAT_CFG_A_UDP_TIMEOUT, &v, 4));
		ASSERT_EQ(0, config_get(&self->c, &after));
		EXPECT_EQ(PCPNAT_UDP_TIMEOUT_MIN, after.udp);
	}
}

/*
 * The standby role (Documentation/pcpd-sync.md): 0/1 only, reported by
 * CONFIG_GET, kept by other changes; while standby pcpd still installs
 * the active's mappings; an implicit mapping's idle time goes on while
 * standby and starts again from zero when it ends.
 */
TEST_F(genl, standby_role)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .int_addr = "10.0.0.6", .int_port = 6000,
			    .lifetime = 30, .kind = PCPNAT_KIND_IMPLICIT };
	struct cfgview v;
	struct map m;
	uint8_t u = 2;
	uint32_t idle;

	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(0, v.standby);
	EXPECT_EQ(-ERANGE, config_raw(&self->c, PCPNAT_CFG_A_STANDBY, &u, 1));
	EXPECT_NE(0, self->c.errmsg[0]);
	EXPECT_EQ(-EINVAL, config_raw(&self->c, PCPNAT_CFG_A_STANDBY, &u, 0));
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));

	u = 1;
	ASSERT_EQ(0, config_raw(&self->c, PCPNAT_CFG_A_STANDBY, &u, 1));
	r = (struct cfgreq){ .udp_timeout = 130 };
	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(1, v.standby);
	EXPECT_EQ(130, v.udp);
	q.int_port = 6001;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	sleep(5);
	ASSERT_EQ(0, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.6", 6000, &m));
	EXPECT_TRUE(m.has_idle);
	EXPECT_GE(m.idle, 5);
	idle = m.idle;

	/*
	 * Leaving standby restarts the idle times: below what they were
	 * (they only grow otherwise), whatever the debug kernel's pace.
	 */
	u = 0;
	ASSERT_EQ(0, config_raw(&self->c, PCPNAT_CFG_A_STANDBY, &u, 1));
	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(0, v.standby);
	ASSERT_EQ(0, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.6", 6000, &m));
	EXPECT_LT(m.idle, idle);
	EXPECT_GT(m.lifetime, 125);
	ASSERT_EQ(0, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.6", 6001, &m));
	EXPECT_LT(m.idle, idle);
}

TEST_F(genl, unprivileged)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .int_addr = "10.0.0.2", .int_port = 5000,
			    .lifetime = 100, .nonce = 1 };
	struct conn u;
	struct cfgview v;
	struct map m;
	struct dumpres d = { 0 };
	int grp;

	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	ASSERT_EQ(0, drop_net_admin());
	/* A socket opened without the capability, by a caller without it. */
	ASSERT_EQ(0, conn_open(&u));
	/* Looking the group up is open; joining it is not (below). */
	grp = genl_ctrl_resolve_grp(u.sk, PCPNAT_GENL_NAME, PCPNAT_MCGRP_EVENTS);
	ASSERT_LE(0, grp);
	EXPECT_EQ(-EPERM, config_set(&u, &r));
	EXPECT_EQ(-EPERM, map_cmd(&u, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(-EPERM, map_cmd(&u, PCPNAT_CMD_MAP_DEL, &q, &m));
	EXPECT_EQ(-EPERM, xact(&u, req(&u, PCPNAT_CMD_FLUSH, 0), NULL, NULL));
	EXPECT_EQ(-EPERM, xact(&u, req(&u, PCPNAT_CMD_STATS_RESET, 0), NULL, NULL));
	EXPECT_EQ(-EPERM, map_get_int(&u, IPPROTO_UDP, "10.0.0.2", 5000, &m));
	EXPECT_EQ(-EPERM, dump(&u, &d, NULL, 0, NULL));
	/* Nor may it listen to the events: they carry other subscribers' nonces. */
	EXPECT_NE(0, nl_socket_add_membership(u.sk, grp));
	/* Reading the configuration is open. */
	EXPECT_EQ(0, config_get(&u, &v));
	EXPECT_EQ(1, v.mappings);
	conn_close(&u);
	free(d.v);
}

static void flush_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[PCPNAT_A_MAX + 1];

	if (!genlmsg_parse(nlh, 0, tb, PCPNAT_A_MAX, NULL) && tb[PCPNAT_A_FLUSHED])
		*(uint32_t *)arg = nla_get_u32(tb[PCPNAT_A_FLUSHED]);
}

/* FLUSH of one subscriber's mappings; *n: how many went. */
static int flush_subscriber(struct conn *c, const char *sub, uint32_t *n)
{
	struct nl_msg *m = req(c, PCPNAT_CMD_FLUSH, 0);

	nla_put_u32(m, PCPNAT_A_SUBSCRIBER, A(sub));
	return xact(c, m, flush_reply, n);
}

TEST_F(genl, flush)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .lifetime = 100, .nonce = 1 };
	struct cfgview v1, v2;
	struct conn ev;
	struct event e;
	double t0, since;
	uint32_t n = 0;
	int i;

	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, events_open(&ev));
	for (i = 0; i < 5; i++) {
		q.int_addr = i < 3 ? "10.0.0.2" : "10.0.0.3";
		q.int_port = 100 + i;
		ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	}
	ASSERT_EQ(0, flush_subscriber(&self->c, "10.0.0.2", &n));
	EXPECT_EQ(3, n);
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_MAP_DEL, PCPNAT_REASON_FLUSHED,
				&e, 2000));

	ASSERT_EQ(0, config_get(&self->c, &v1));
	EXPECT_EQ(2, v1.mappings);
	/*
	 * The epoch restarts at the flush: it then counts at most the whole
	 * seconds since the FLUSH was sent, plus one for the boundaries of
	 * the module's whole-second clock. A fixed bound failed on the debug
	 * kernel, where the flush's reply and event take over a second.
	 * Without the restart it would count at least three more (the
	 * sleep), which that bound cannot hold however slow the kernel is.
	 */
	sleep(3);
	t0 = now_s();
	ASSERT_EQ(0, xact(&self->c, req(&self->c, PCPNAT_CMD_FLUSH, 0), flush_reply, &n));
	EXPECT_EQ(2, n);
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_STATE_RESET, -1, &e, 2000));
	ASSERT_EQ(0, config_get(&self->c, &v2));
	since = now_s() - t0;
	EXPECT_EQ(0, v2.mappings);
	EXPECT_NE(v1.state_id, v2.state_id);
	EXPECT_LE(v2.epoch, (uint32_t)since + 1);
	events_close(&ev);
}

TEST_F_TIMEOUT(genl, events, 120)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .int_addr = "10.0.0.2", .int_port = 5000,
			    .lifetime = 100, .nonce = 1 };
	struct conn ev;
	struct event e;
	struct map m;

	ASSERT_EQ(0, events_open(&ev));
	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_ADDR_ADD, -1, &e, 2000));

	/* Create, delete. */
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_MAP_NEW, -1, &e, 2000));
	EXPECT_EQ(5000, ntohs(e.m.int_port));
	EXPECT_EQ(m.ext_port, e.m.ext_port);
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &m));
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_MAP_DEL, PCPNAT_REASON_DELETED,
				&e, 2000));
	EXPECT_EQ(5000, ntohs(e.m.int_port));

	/* Expire: lifetime 2 s, the reaper passes every second. */
	q.lifetime = 2;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_MAP_DEL, PCPNAT_REASON_EXPIRED,
				&e, 15000));
	EXPECT_EQ(5000, ntohs(e.m.int_port));
	EXPECT_EQ(-ENOENT, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.2", 5000, &m));

	/* Its external address leaves the pool. */
	q.lifetime = 100;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	r.pool = "192.0.2.0/30";
	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_MAP_DEL,
				PCPNAT_REASON_ADDR_REMOVED, &e, 5000));
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_ADDR_DEL, -1, &e, 5000));
	EXPECT_EQ(-ENOENT, map_get_int(&self->c, IPPROTO_UDP, "10.0.0.2", 5000, &m));
	events_close(&ev);
}

/*
 * Implicit mappings' creation and deletion go to their own group, so that
 * a PCP server on "events" is not flooded by traffic; their flush, which
 * the server must tell the client of, goes to "events".
 */
TEST_F_TIMEOUT(genl, events_implicit_group, 120)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .int_addr = "10.0.0.3", .int_port = 5001,
			    .lifetime = 30, .kind = PCPNAT_KIND_IMPLICIT };
	struct conn ev;
	struct event e;
	uint32_t n;

	ASSERT_EQ(0, config_set(&self->c, &r));

	ASSERT_EQ(0, events_open_group(&ev, PCPNAT_MCGRP_IMPLICIT));
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_MAP_NEW, -1, &e, 2000));
	EXPECT_EQ(5001, ntohs(e.m.int_port));
	events_close(&ev);

	ASSERT_EQ(0, events_open(&ev));
	q.int_port = 5002;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	EXPECT_EQ(-ETIMEDOUT, event_wait(&ev, PCPNAT_CMD_EVENT_MAP_NEW, -1, &e, 1000));
	ASSERT_EQ(0, flush_subscriber(&self->c, "10.0.0.3", &n));
	EXPECT_EQ(2, n);
	ASSERT_EQ(0, event_wait(&ev, PCPNAT_CMD_EVENT_MAP_DEL, PCPNAT_REASON_FLUSHED,
				&e, 2000));
	events_close(&ev);
}

/* Pipelined MAP_ADD of count mappings: addr base + i / 1000, port 1000 + i % 1000. */
static int add_many(struct conn *c, uint32_t base, int from, int count, int cmd)
{
	const int window = 64;
	int i = from, sent = 0, err = 0, e;

	while (i < from + count) {
		int k;

		for (k = 0; k < window && i < from + count; k++, i++) {
			struct nl_msg *m = req(c, cmd, 0);
			struct nlattr *n = nla_nest_start(m, PCPNAT_A_MAP);
			uint8_t nonce[PCPNAT_NONCE_LEN] = { 7 };

			nla_put_u8(m, PCPNAT_MAP_A_PROTO, IPPROTO_UDP);
			nla_put_u32(m, PCPNAT_MAP_A_INT_ADDR, htonl(base + i / 1000));
			nla_put_u16(m, PCPNAT_MAP_A_INT_PORT, htons(1000 + i % 1000));
			if (cmd == PCPNAT_CMD_MAP_ADD) {
				nla_put_u32(m, PCPNAT_MAP_A_LIFETIME, 3600);
				nla_put(m, PCPNAT_MAP_A_NONCE, sizeof(nonce), nonce);
			} else {
				nla_put_u32(m, PCPNAT_MAP_A_FLAGS, PCPNAT_MAP_F_FORCE);
			}
			nla_nest_end(m, n);
			if (nl_send_auto(c->sk, m) < 0)
				err = -EIO;
			nlmsg_free(m);
			sent++;
		}
		e = recv_until(c, sent, NULL, NULL);
		if (e && !err)
			err = e;
		sent = 0;
	}
	return err;
}

static int key_cmp(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	if (x->int_addr != y->int_addr)
		return ntohl(x->int_addr) < ntohl(y->int_addr) ? -1 : 1;
	return ntohs(x->int_port) - ntohs(y->int_port);
}

/* Walk order of a subscriber's dump: internal key (address, protocol, port). */
static int sub_key_cmp(const struct map *x, const struct map *y)
{
	if (x->int_addr != y->int_addr)
		return ntohl(x->int_addr) < ntohl(y->int_addr) ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return (int)ntohs(x->int_port) - (int)ntohs(y->int_port);
}

/*
 * The subscriber-filtered dump (the module's per-subscriber index) against
 * the whole table's, filtered here: the same mappings, each once, in key
 * order. Returns how many, or -1 (with the reason logged) if they differ.
 */
static int sub_dump_check(struct __test_metadata *_metadata, struct conn *c,
			  const char *sub)
{
	struct dumpres all = { 0 }, own = { 0 };
	int i, n = 0, ret = -1;

	if (dump(c, &all, NULL, 0, NULL) || dump(c, &own, sub, PCPNAT_KIND_EXPLICIT, NULL)) {
		TH_LOG("dump failed: %s", c->errmsg);
		goto out;
	}
	for (i = 0; i < own.n; i++) {
		if (own.v[i].sub != A(sub) || own.v[i].kind != PCPNAT_KIND_EXPLICIT) {
			TH_LOG("%s: entry %d is not its explicit mapping", sub, i);
			goto out;
		}
		if (i && sub_key_cmp(&own.v[i - 1], &own.v[i]) >= 0) {
			TH_LOG("%s: entry %d out of key order or repeated", sub, i);
			goto out;
		}
	}
	for (i = 0; i < all.n; i++) {
		if (all.v[i].sub != A(sub) || all.v[i].kind != PCPNAT_KIND_EXPLICIT)
			continue;
		n++;
		if (!bsearch(&all.v[i], own.v, own.n, sizeof(*own.v),
			     (int (*)(const void *, const void *))sub_key_cmp)) {
			TH_LOG("%s: port %u missing from its dump", sub,
			       ntohs(all.v[i].int_port));
			goto out;
		}
	}
	if (n != own.n) {
		TH_LOG("%s: %d in its dump, %d in the table", sub, own.n, n);
		goto out;
	}
	ret = n;
out:
	free(all.v);
	free(own.v);
	return ret;
}

/*
 * A dump filtered on a subscriber and kind EXPLICIT walks that subscriber's
 * explicit mappings alone (uapi/linux/pcpnat.h, ordering): exactly those,
 * through every way a mapping becomes or stops being one.
 */
TEST_F_TIMEOUT(genl, subscriber_dump, 120)
{
	struct cfgreq r = base_cfg;
	const char *S = "10.0.1.1";
	struct mapreq q = { .int_addr = S, .lifetime = 600, .nonce = 1 };
	struct map m;
	uint32_t n;
	int i;

	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, sub_dump_check(_metadata, &self->c, S));
	/* Its own, another subscriber's, and the THIRD_PARTY kinds. */
	for (i = 0; i < 3; i++) {
		q.int_port = 1000 + i;
		ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	}
	q.proto = IPPROTO_TCP;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	q.proto = 0;
	for (i = 0; i < 20; i++) {
		char a[16];

		snprintf(a, sizeof(a), "10.0.2.%d", i + 1);
		q.int_addr = a;
		q.int_port = 1000;
		ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	}
	/* Made for S by a third party: S's. */
	q = (struct mapreq){ .int_addr = "10.0.1.9", .int_port = 2000,
			     .lifetime = 600, .nonce = 2, .sub = S };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	/* S's address, another's subscriber: not S's. */
	q = (struct mapreq){ .int_addr = S, .int_port = 3000, .lifetime = 600,
			     .nonce = 3, .sub = "10.0.2.1" };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	/* Implicit (PEER, so in use): S's but not explicit. */
	q = (struct mapreq){ .int_addr = S, .int_port = 4000, .lifetime = 600,
			     .kind = PCPNAT_KIND_IMPLICIT };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	q.int_addr = "10.0.1.7";
	q.int_port = 5000;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	EXPECT_EQ(5, sub_dump_check(_metadata, &self->c, S));
	EXPECT_EQ(2, sub_dump_check(_metadata, &self->c, "10.0.2.1"));

	/* Refreshed, with and without a new description: once, still. */
	q = (struct mapreq){ .int_addr = S, .int_port = 1000, .lifetime = 900,
			     .nonce = 1, .descr = "refreshed" };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_STREQ("refreshed", m.descr);
	q.descr = NULL;
	q.int_port = 1001;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	q.nfilters = 2;
	q.flags = PCPNAT_MAP_F_SET_FILTERS;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(2, m.nfilters);
	EXPECT_EQ(5, sub_dump_check(_metadata, &self->c, S));

	/* Implicit made explicit by MAP_ADD: S's now. */
	q = (struct mapreq){ .int_addr = S, .int_port = 4000, .lifetime = 600,
			     .nonce = 4 };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT, m.kind);
	/* And another host's implicit one adopted for S (THIRD_PARTY). */
	q = (struct mapreq){ .int_addr = "10.0.1.7", .int_port = 5000,
			     .lifetime = 600, .nonce = 5, .sub = S };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, &m));
	EXPECT_EQ(A(S), m.sub);
	EXPECT_EQ(7, sub_dump_check(_metadata, &self->c, S));
	EXPECT_EQ(0, sub_dump_check(_metadata, &self->c, "10.0.1.7"));

	/* Deleted while in use: implicit again, back to its host, not S's. */
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &m));
	EXPECT_EQ(PCPNAT_KIND_IMPLICIT, m.kind);
	q = (struct mapreq){ .int_addr = S, .int_port = 4000, .nonce = 4 };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &m));
	EXPECT_EQ(PCPNAT_KIND_IMPLICIT, m.kind);
	/* Deleted unused: gone. */
	q = (struct mapreq){ .int_addr = S, .int_port = 1002, .nonce = 1 };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, &m));
	EXPECT_EQ(0, m.lifetime);
	EXPECT_EQ(4, sub_dump_check(_metadata, &self->c, S));
	EXPECT_EQ(0, sub_dump_check(_metadata, &self->c, "10.0.1.7"));

	/* Expired: the reaper takes it off the index (a pass a second). */
	q = (struct mapreq){ .int_addr = S, .int_port = 6000, .lifetime = 1,
			     .nonce = 6 };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	EXPECT_EQ(5, sub_dump_check(_metadata, &self->c, S));
	for (i = 0; i < 30 && !map_get_int(&self->c, IPPROTO_UDP, S, 6000, &m); i++)
		sleep(1);
	EXPECT_EQ(-ENOENT, map_get_int(&self->c, IPPROTO_UDP, S, 6000, &m));
	EXPECT_EQ(4, sub_dump_check(_metadata, &self->c, S));

	/* An address leaves the pool: its mappings leave the index. */
	r.pool = "198.51.100.0/31";
	ASSERT_EQ(0, config_set(&self->c, &r));
	EXPECT_LE(0, sub_dump_check(_metadata, &self->c, S));
	EXPECT_LE(0, sub_dump_check(_metadata, &self->c, "10.0.2.1"));

	/* Flushed: the subscriber's, then everyone's. */
	ASSERT_EQ(0, flush_subscriber(&self->c, S, &n));
	EXPECT_EQ(0, sub_dump_check(_metadata, &self->c, S));
	q = (struct mapreq){ .int_addr = S, .int_port = 7000, .lifetime = 600,
			     .nonce = 7 };
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	EXPECT_EQ(1, sub_dump_check(_metadata, &self->c, S));
	ASSERT_EQ(0, xact(&self->c, req(&self->c, PCPNAT_CMD_FLUSH, 0), NULL, NULL));
	EXPECT_EQ(0, sub_dump_check(_metadata, &self->c, S));
	/* Left live for the namespace's teardown to free through the index. */
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
}

/*
 * A subscriber's dump resumes strictly after its cursor, in key order,
 * over several messages, and after a cursor whose mapping is gone.
 */
TEST_F(genl, subscriber_dump_cursor)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .lifetime = 600, .nonce = 1, .sub = "10.0.3.1" };
	struct dumpres d = { 0 }, rest = { 0 };
	struct map cur;
	char a[16];
	int i;

	ASSERT_EQ(0, config_set(&self->c, &r));
	/* 600: more than one message's worth; addresses across the key order. */
	for (i = 0; i < 600; i++) {
		snprintf(a, sizeof(a), "10.0.%d.%d", 3 + i % 3, 1 + i % 7);
		q.int_addr = a;
		q.int_port = 1000 + i;
		q.proto = i % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	}
	/* Others' mappings in between. */
	q.sub = NULL;
	q.proto = 0;
	for (i = 0; i < 100; i++) {
		snprintf(a, sizeof(a), "10.0.4.%d", 1 + i % 7);
		q.int_addr = a;
		q.int_port = 20000 + i;
		ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));
	}
	ASSERT_EQ(600, sub_dump_check(_metadata, &self->c, "10.0.3.1"));
	ASSERT_EQ(0, dump(&self->c, &d, "10.0.3.1", PCPNAT_KIND_EXPLICIT, NULL));
	ASSERT_EQ(600, d.n);
	for (i = 0; i < 600; i += 97) {
		ASSERT_EQ(0, dump(&self->c, &rest, "10.0.3.1",
				  PCPNAT_KIND_EXPLICIT, &d.v[i]));
		ASSERT_EQ(600 - i - 1, rest.n);
		if (rest.n)
			EXPECT_EQ(0, sub_key_cmp(&rest.v[0], &d.v[i + 1]));
	}
	/* The cursor's own mapping deleted: strictly after its key still. */
	cur = d.v[300];
	q = (struct mapreq){ .proto = cur.proto, .int_port = ntohs(cur.int_port),
			     .nonce = 1, .flags = PCPNAT_MAP_F_FORCE };
	inet_ntop(AF_INET, &cur.int_addr, a, sizeof(a));
	q.int_addr = a;
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_DEL, &q, NULL));
	ASSERT_EQ(0, dump(&self->c, &rest, "10.0.3.1", PCPNAT_KIND_EXPLICIT, &cur));
	ASSERT_EQ(299, rest.n);
	EXPECT_EQ(0, sub_key_cmp(&rest.v[0], &d.v[301]));
	free(d.v);
	free(rest.v);
}

TEST_F_TIMEOUT(genl, dump_many_with_churn, 1800)
{
	/* 11.0.0.0/8 too: the churn keys (CHURN_BASE) must be accepted. */
	struct cfgreq r = { .pool = "198.51.100.0/26",
			    .internal = "10.0.0.0/8,11.0.0.0/8" };
	const uint32_t base = 0x0a010000;	/* 10.1.0.0 */
	struct dumpres d = { 0 };
	struct map cur;
	double t0, t1;
	int i, stable, churn_seen, pass, n = dump_count();
	pid_t child;

	ASSERT_EQ(0, config_set(&self->c, &r));
	t0 = now_s();
	ASSERT_EQ(0, add_many(&self->c, base, 0, n, PCPNAT_CMD_MAP_ADD));
	t1 = now_s();
	TH_LOG("created %d mappings in %.1f s", n, t1 - t0);

	/* Churn: a child adds and deletes other keys while we dump. */
	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		struct conn cc;

		if (conn_open(&cc))
			_exit(1);
		for (;;) {
			add_many(&cc, CHURN_BASE, 0, 2000, PCPNAT_CMD_MAP_ADD);
			add_many(&cc, CHURN_BASE, 0, 2000, PCPNAT_CMD_MAP_DEL);
		}
	}
	for (pass = 0; pass < 2; pass++) {
		t0 = now_s();
		ASSERT_EQ(0, dump(&self->c, &d, NULL, 0, NULL));
		t1 = now_s();
		TH_LOG("dump %d: %d mappings in %.1f s", pass, d.n, t1 - t0);
		qsort(d.v, d.n, sizeof(*d.v), key_cmp);
		stable = churn_seen = 0;
		for (i = 0; i < d.n; i++) {
			if (i && !key_cmp(&d.v[i - 1], &d.v[i]))
				break;
			if ((ntohl(d.v[i].int_addr) & 0xff000000) == CHURN_BASE)
				churn_seen++;
			else
				stable++;
		}
		EXPECT_EQ(d.n, i) TH_LOG("duplicate in the dump");
		EXPECT_EQ(n, stable);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	/* Resume from a cursor: the rest of the walk, exactly. */
	ASSERT_EQ(0, dump(&self->c, &d, "10.1.0.0", 0, NULL));
	EXPECT_EQ(1000, d.n);
	if (d.n > 10) {
		struct dumpres rest = { 0 };
		int n_all = d.n;

		cur = d.v[9];
		ASSERT_EQ(0, dump(&self->c, &rest, "10.1.0.0", 0, &cur));
		EXPECT_EQ(n_all - 10, rest.n);
		for (i = 0; i < rest.n && i + 10 < n_all; i++)
			EXPECT_EQ(0, key_cmp(&rest.v[i], &d.v[i + 10]));
		free(rest.v);
	}
	ASSERT_EQ(0, dump(&self->c, &d, NULL, PCPNAT_KIND_IMPLICIT, NULL));
	EXPECT_EQ(0, d.n);
	free(d.v);
}

/*
 * Probes per allocation as the single address fills up: 10000 ports,
 * internal ports outside the range so none is preserved and every
 * allocation takes the random path.
 */
TEST_F_TIMEOUT(genl, alloc_probes, 900)
{
	struct cfgreq r = { .pool = "198.51.100.7/32", .port_min = 20000,
			    .port_max = 29999, .internal = "10.0.0.0/8" };
	static const int marks[] = { 5000, 9000, 9900, 10000 };
	uint64_t st0[PCPNAT_STATS_A_MAX + 1], st1[PCPNAT_STATS_A_MAX + 1];
	const uint32_t base = 0x0a020000;	/* 10.2.0.0 */
	int done = 0, i;

	ASSERT_EQ(0, config_set(&self->c, &r));
	for (i = 0; i < 4; i++) {
		int n = marks[i] - done - 100;

		/* Fill up to 100 below the mark, then measure the last 100. */
		ASSERT_EQ(0, add_many(&self->c, base, done, n, PCPNAT_CMD_MAP_ADD));
		ASSERT_EQ(0, stats_get(&self->c, st0));
		ASSERT_EQ(0, add_many(&self->c, base, done + n, 100, PCPNAT_CMD_MAP_ADD));
		ASSERT_EQ(0, stats_get(&self->c, st1));
		done = marks[i];
		TH_LOG("occupancy %d%%: %.2f probes per allocation", marks[i] / 100,
		       (st1[PCPNAT_STATS_A_ALLOC_PROBES] - st0[PCPNAT_STATS_A_ALLOC_PROBES]) /
		       100.0);
		/* Bounded: parity probes plus two scans, whatever the occupancy. */
		EXPECT_LE(st1[PCPNAT_STATS_A_ALLOC_PROBES] - st0[PCPNAT_STATS_A_ALLOC_PROBES],
			  100 * 20);
		EXPECT_EQ(100, st1[PCPNAT_STATS_A_ALLOC_OK] - st0[PCPNAT_STATS_A_ALLOC_OK]);
	}
	/* Full: the next one fails with ENOSPC, counted. */
	EXPECT_EQ(-ENOSPC, add_many(&self->c, base, done, 1, PCPNAT_CMD_MAP_ADD));
	ASSERT_EQ(0, stats_get(&self->c, st1));
	EXPECT_EQ(1, st1[PCPNAT_STATS_A_ALLOC_NO_PORT]);
}

TEST_F(genl, netns_isolation)
{
	struct cfgreq r = base_cfg;
	struct mapreq q = { .int_addr = "10.0.0.2", .int_port = 5000,
			    .lifetime = 100, .nonce = 1 };
	struct cfgview v;
	struct dumpres d = { 0 };
	struct conn other;
	int home;

	ASSERT_EQ(0, config_set(&self->c, &r));
	ASSERT_EQ(0, map_cmd(&self->c, PCPNAT_CMD_MAP_ADD, &q, NULL));

	home = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_GE(home, 0);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, conn_open(&other));
	ASSERT_EQ(0, setns(home, CLONE_NEWNET));
	close(home);

	/* The other namespace is unconfigured and empty. */
	ASSERT_EQ(0, config_get(&other, &v));
	EXPECT_EQ(0, v.mappings);
	EXPECT_EQ(0, v.npool);
	EXPECT_EQ(-ENETDOWN, map_cmd(&other, PCPNAT_CMD_MAP_ADD, &q, NULL));
	ASSERT_EQ(0, dump(&other, &d, NULL, 0, NULL));
	EXPECT_EQ(0, d.n);
	/* Configured there, it has its own table. */
	r.pool = "192.0.2.1/32";
	ASSERT_EQ(0, config_set(&other, &r));
	q.int_port = 5001;
	ASSERT_EQ(0, map_cmd(&other, PCPNAT_CMD_MAP_ADD, &q, NULL));
	q.int_port = 5002;
	ASSERT_EQ(0, map_cmd(&other, PCPNAT_CMD_MAP_ADD, &q, NULL));
	ASSERT_EQ(0, config_get(&other, &v));
	EXPECT_EQ(2, v.mappings);
	ASSERT_EQ(0, config_get(&self->c, &v));
	EXPECT_EQ(1, v.mappings);
	EXPECT_EQ(1, v.npool);
	ASSERT_EQ(0, dump(&self->c, &d, NULL, 0, NULL));
	EXPECT_EQ(1, d.n);
	conn_close(&other);
	free(d.v);
}

TEST_HARNESS_MAIN
