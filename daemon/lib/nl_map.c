// SPDX-License-Identifier: GPL-2.0
/* Mapping commands over the pcpnat family. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netlink/genl/genl.h>
#include "lib/nl_internal.h"
#include "lib/nl_map.h"

/* Dump restarts allowed without any progress before giving up. */
#define DUMP_STALLS_MAX	8

static int reply_map(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)nlh;
	if (!arg)
		return 0;
	return pcpnl_map_parse(tb[PCPNAT_A_MAP], arg);
}

static int map_cmd(struct pcpnl_client *c, uint8_t cmd,
		   const struct pcpnl_map *req, struct pcpnl_map *out)
{
	struct pcpnl_map reply;
	struct nl_msg *msg;
	int rc;

	msg = pcpnl_msg_new(c, cmd, 0);
	if (!msg)
		return -ENOMEM;
	if (pcpnl_map_put(msg, PCPNAT_A_MAP, req)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	/* Parse into a local so that out may alias req. */
	memset(&reply, 0, sizeof(reply));
	rc = pcpnl_transact(c, msg, reply_map, &reply);
	if (!rc && out)
		*out = reply;
	return rc;
}

int pcpnl_map_add(struct pcpnl_client *c, const struct pcpnl_map *req,
		   struct pcpnl_map *out)
{
	return map_cmd(c, PCPNAT_CMD_MAP_ADD, req, out);
}

int pcpnl_map_del(struct pcpnl_client *c, const struct pcpnl_map *req,
		   struct pcpnl_map *out)
{
	return map_cmd(c, PCPNAT_CMD_MAP_DEL, req, out);
}

int pcpnl_map_get(struct pcpnl_client *c, const struct pcpnl_map *key,
		   struct pcpnl_map *out)
{
	return map_cmd(c, PCPNAT_CMD_MAP_GET, key, out);
}

struct dump {
	pcpnl_map_cb cb;
	void *arg;
	struct pcpnl_key last;	/* last mapping handed to cb */
	bool have_last;
	bool intr;		/* this pass was flagged NLM_F_DUMP_INTR */
	bool stop;		/* cb asked to stop */
	unsigned long delivered;
};

static int dump_one(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct dump *d = arg;
	struct pcpnl_map m;
	int rc;

	/*
	 * From the first interrupted message on, this pass may be
	 * inconsistent: drop the rest and resume after the last good key.
	 */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	if (d->intr || d->stop)
		return 0;
	rc = pcpnl_map_parse(tb[PCPNAT_A_MAP], &m);
	if (rc)
		return rc;
	if ((m.fields & PCPNL_MF_INT_KEY) != PCPNL_MF_INT_KEY)
		return -EBADMSG;
	rc = d->cb(&m, d->arg);
	if (rc < 0)
		return rc;
	d->last.proto = m.proto;
	d->last.addr = m.int_addr;
	d->last.port = m.int_port;
	d->have_last = true;
	d->delivered++;
	if (rc > 0)
		d->stop = true;
	return 0;
}

static int put_filter(struct nl_msg *msg, const struct pcpnl_map_filter *f)
{
	struct pcpnl_map m = { 0 };

	m.fields = f->fields & (PCPNL_MF_PROTO | PCPNL_MF_INT_ADDR |
				PCPNL_MF_INT_PORT | PCPNL_MF_EXT_ADDR |
				PCPNL_MF_EXT_PORT | PCPNL_MF_SUBSCRIBER |
				PCPNL_MF_KIND);
	m.proto = f->proto;
	m.int_addr = f->int_addr;
	m.int_port = f->int_port;
	m.ext_addr = f->ext_addr;
	m.ext_port = f->ext_port;
	m.subscriber = f->subscriber;
	m.kind = f->kind;
	return pcpnl_map_put(msg, PCPNAT_A_MAP, &m);
}

static int put_cursor(struct nl_msg *msg, const struct pcpnl_key *k)
{
	struct nlattr *nest = nla_nest_start(msg, PCPNAT_A_CURSOR);

	if (!nest || nla_put_u8(msg, PCPNAT_MAP_A_PROTO, k->proto) ||
	    nla_put(msg, PCPNAT_MAP_A_INT_ADDR, 4, &k->addr.s_addr) ||
	    nla_put_u16(msg, PCPNAT_MAP_A_INT_PORT, htons(k->port)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int pcpnl_map_dump(struct pcpnl_client *c, const struct pcpnl_map_filter *f,
		    const struct pcpnl_key *after, pcpnl_map_cb cb, void *arg)
{
	struct dump d = { .cb = cb, .arg = arg };
	unsigned int stalls = 0;
	unsigned long before;
	struct nl_msg *msg;
	int rc;

	if (after) {
		d.last = *after;
		d.have_last = true;
	}
	for (;;) {
		msg = pcpnl_msg_new(c, PCPNAT_CMD_MAP_GET, NLM_F_DUMP);
		if (!msg)
			return -ENOMEM;
		if ((f && f->fields && put_filter(msg, f)) ||
		    (d.have_last && put_cursor(msg, &d.last))) {
			nlmsg_free(msg);
			return -EMSGSIZE;
		}
		d.intr = false;
		before = d.delivered;
		rc = pcpnl_transact(c, msg, dump_one, &d);
		if (rc || !d.intr || d.stop)
			return rc;
		stalls = d.delivered == before ? stalls + 1 : 0;
		if (stalls > DUMP_STALLS_MAX) {
			snprintf(c->error, sizeof(c->error),
				 "the mapping table changed too fast to list it");
			return -EAGAIN;
		}
	}
}

static int reply_flushed(const struct nlmsghdr *nlh, struct nlattr **tb,
			 void *arg)
{
	(void)nlh;
	if (tb[PCPNAT_A_FLUSHED] && !pcpnl_attr_u32(tb[PCPNAT_A_FLUSHED], arg))
		return -EBADMSG;
	return 0;
}

int pcpnl_flush(struct pcpnl_client *c, const struct in_addr *subscriber,
		 uint32_t *flushed)
{
	uint32_t n = 0;
	struct nl_msg *msg;
	int rc;

	msg = pcpnl_msg_new(c, PCPNAT_CMD_FLUSH, 0);
	if (!msg)
		return -ENOMEM;
	if (subscriber &&
	    nla_put(msg, PCPNAT_A_SUBSCRIBER, 4, &subscriber->s_addr)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	rc = pcpnl_transact(c, msg, reply_flushed, &n);
	if (!rc && flushed)
		*flushed = n;
	return rc;
}
