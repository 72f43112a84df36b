// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat mapping commands: MAP_ADD, MAP_DEL, MAP_GET and its dump.
 * Parsing and checks live here; table.c does the work under its locks.
 */
#include <net/sock.h>
#include "control.h"
#include "genl_gen.h"

/*
 * The MAP nest has one policy (genl_gen.c) for every command and for
 * replies; what each command does not take is refused here.
 */
#define MAP_ATTRS	GENMASK(PCPNAT_MAP_A_MAX, 1)
#define MAP_KEY		(BIT(PCPNAT_MAP_A_PROTO) | BIT(PCPNAT_MAP_A_INT_ADDR) | \
			 BIT(PCPNAT_MAP_A_INT_PORT))
/* The external side and the kind: suggested on ADD, filtered on by dumps. */
#define MAP_EXT		(BIT(PCPNAT_MAP_A_EXT_ADDR) | BIT(PCPNAT_MAP_A_EXT_PORT) | \
			 BIT(PCPNAT_MAP_A_KIND))
#define MAP_ADD_REFUSED	BIT(PCPNAT_MAP_A_IDLE)	/* read only */
#define MAP_DEL_REFUSED	(MAP_ATTRS & ~(MAP_KEY | BIT(PCPNAT_MAP_A_NONCE) | \
				       BIT(PCPNAT_MAP_A_FLAGS)))
#define MAP_GET_REFUSED	(MAP_ATTRS & ~(MAP_KEY | MAP_EXT | BIT(PCPNAT_MAP_A_SUBSCRIBER)))

static int parse_map_nest(const struct nlattr *nest, struct nlattr **tb,
			  unsigned long refused, struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int err;

	err = nla_parse_nested(tb, PCPNAT_MAP_A_MAX, nest, pcpnat_map_nl_policy,
			       extack);
	if (err)
		return err;
	a = pcpnat_nl_refused(tb, PCPNAT_MAP_A_MAX, refused);
	if (a) {
		NL_SET_ERR_MSG_ATTR(extack, a, "attribute not taken by this command");
		return -EINVAL;
	}
	return 0;
}

/*
 * What every mapping command starts with: the MAP nest is there with
 * nothing the command does not take (malformed requests are refused as
 * such even where pcpnat is off), and the namespace is configured.
 */
static struct pcpnat_net *map_cmd_begin(struct genl_info *info, struct nlattr **tb,
					unsigned long refused, u32 flags)
{
	struct pcpnat_net *pn;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, PCPNAT_A_MAP))
		return ERR_PTR(-EINVAL);
	err = parse_map_nest(info->attrs[PCPNAT_A_MAP], tb, refused, info->extack);
	if (err)
		return ERR_PTR(err);
	/* The policy's mask is every flag; a command may take fewer. */
	if (tb[PCPNAT_MAP_A_FLAGS] && (nla_get_u32(tb[PCPNAT_MAP_A_FLAGS]) & ~flags)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[PCPNAT_MAP_A_FLAGS],
				    "flag not taken by this command");
		return ERR_PTR(-EINVAL);
	}
	pn = pcpnat_pernet(genl_info_net(info));
	if (!pn->live) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "pcpnat is not configured in this namespace");
		return ERR_PTR(-ENETDOWN);
	}
	return pn;
}

static int check_proto(const struct nlattr *a, struct netlink_ext_ack *extack)
{
	u8 p = nla_get_u8(a);

	if (p == IPPROTO_UDP || p == IPPROTO_TCP || p == IPPROTO_ICMP)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, a, "protocol not translated (udp, tcp, icmp only)");
	return -EPROTONOSUPPORT;
}

/* The internal key (PROTO, INT_ADDR, INT_PORT); false if a part is missing. */
static bool get_key(struct nlattr **tb, struct pcpnat_key *key)
{
	if (!tb[PCPNAT_MAP_A_PROTO] || !tb[PCPNAT_MAP_A_INT_ADDR] ||
	    !tb[PCPNAT_MAP_A_INT_PORT])
		return false;
	memset(key, 0, sizeof(*key));
	key->proto = nla_get_u8(tb[PCPNAT_MAP_A_PROTO]);
	key->addr = nla_get_be32(tb[PCPNAT_MAP_A_INT_ADDR]);
	key->port = nla_get_be16(tb[PCPNAT_MAP_A_INT_PORT]);
	return true;
}

/* The key of a mapping command: all of it, and one we could translate. */
static int parse_key(const struct nlattr *nest, struct nlattr **tb,
		     struct pcpnat_key *key, struct netlink_ext_ack *extack)
{
	if (!get_key(tb, key)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "mapping key needs protocol, internal address and port");
		return -EINVAL;
	}
	if (!key->addr) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PCPNAT_MAP_A_INT_ADDR],
				    "internal address 0.0.0.0");
		return -EINVAL;
	}
	return check_proto(tb[PCPNAT_MAP_A_PROTO], extack);
}

static int parse_filters(const struct nlattr *list, struct pcpnat_map_extra *x,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PCPNAT_FILTER_A_MAX + 1];
	const struct nlattr *a;
	int rem, err;

	x->nfilters = 0;
	nla_for_each_nested(a, list, rem) {
		struct pcpnat_filter *f;

		if (x->nfilters >= PCPNAT_FILTERS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "more than 8 FILTER entries");
			return -E2BIG;
		}
		err = nla_parse_nested(tb, PCPNAT_FILTER_A_MAX, a,
				       pcpnat_filter_nl_policy, extack);
		if (err)
			return err;
		if (!tb[PCPNAT_FILTER_A_ADDR] || !tb[PCPNAT_FILTER_A_PLEN]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "filter needs an address and a prefix length");
			return -EINVAL;
		}
		f = &x->filters[x->nfilters++];
		f->plen = nla_get_u8(tb[PCPNAT_FILTER_A_PLEN]);
		f->addr = nla_get_be32(tb[PCPNAT_FILTER_A_ADDR]) &
			  pcpnat_filter_mask(f);
		f->port = tb[PCPNAT_FILTER_A_PORT] ?
			  nla_get_be16(tb[PCPNAT_FILTER_A_PORT]) : 0;
	}
	return 0;
}

static int reply_map(struct genl_info *info, u8 cmd, const struct pcpnat_map_view *v)
{
	struct sk_buff *msg;
	void *hdr;

	msg = pcpnat_reply_new(info, cmd, &hdr);
	if (!msg)
		return -ENOMEM;
	if (pcpnat_put_map(msg, PCPNAT_A_MAP, v)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Everything is checked here, before the table is touched. */
static int parse_map_add(struct pcpnat_net *pn, struct genl_info *info,
			 struct nlattr **tb, struct pcpnat_map_req *req)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[PCPNAT_A_MAP];
	const struct pcpnat_config *cfg;
	bool all_ok, internal;
	int err;

	err = parse_key(nest, tb, &req->key, extack);
	if (err)
		return err;
	req->kind = tb[PCPNAT_MAP_A_KIND] ? nla_get_u8(tb[PCPNAT_MAP_A_KIND]) :
					    PCPNAT_KIND_EXPLICIT;
	if (!tb[PCPNAT_MAP_A_LIFETIME]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "mapping needs a lifetime");
		return -EINVAL;
	}
	req->lifetime = nla_get_u32(tb[PCPNAT_MAP_A_LIFETIME]);
	if (req->kind == PCPNAT_KIND_EXPLICIT) {
		if (!tb[PCPNAT_MAP_A_NONCE]) {
			NL_SET_ERR_MSG_ATTR(extack, nest, "explicit mapping needs a nonce");
			return -EINVAL;
		}
		nla_memcpy(req->nonce, tb[PCPNAT_MAP_A_NONCE], PCPNAT_NONCE_LEN);
		req->has_nonce = true;
	}
	if (tb[PCPNAT_MAP_A_FLAGS])
		req->flags = nla_get_u32(tb[PCPNAT_MAP_A_FLAGS]);
	if (req->flags & PCPNAT_MAP_F_FORCE) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PCPNAT_MAP_A_FLAGS],
				    "FORCE only applies to MAP_DEL");
		return -EINVAL;
	}
	rcu_read_lock();
	cfg = rcu_dereference(pn->cfg);
	internal = pcpnat_addr_internal(cfg, req->key.addr);
	all_ok = cfg->allow_all_ports;
	rcu_read_unlock();
	/*
	 * Traffic from outside the internal prefixes is never translated, so
	 * such a mapping could not work; it would only hold a port.
	 */
	if (!internal) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PCPNAT_MAP_A_INT_ADDR],
				    "internal address is outside the configured internal prefixes");
		return -EADDRNOTAVAIL;
	}
	if (!req->key.port && (!all_ok || req->kind != PCPNAT_KIND_EXPLICIT)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PCPNAT_MAP_A_INT_PORT],
				    "internal port 0 (all ports) is not allowed by the configuration");
		return -EOPNOTSUPP;
	}
	req->ext_addr = tb[PCPNAT_MAP_A_EXT_ADDR] ?
			nla_get_be32(tb[PCPNAT_MAP_A_EXT_ADDR]) : 0;
	req->ext_port = tb[PCPNAT_MAP_A_EXT_PORT] ?
			nla_get_be16(tb[PCPNAT_MAP_A_EXT_PORT]) : 0;
	req->subscriber = tb[PCPNAT_MAP_A_SUBSCRIBER] ?
			  nla_get_be32(tb[PCPNAT_MAP_A_SUBSCRIBER]) : req->key.addr;
	req->has_filters = tb[PCPNAT_MAP_A_FILTERS];
	req->has_descr = tb[PCPNAT_MAP_A_DESCR];
	if (tb[PCPNAT_MAP_A_PEER]) {
		if (req->kind == PCPNAT_KIND_EXPLICIT) {
			NL_SET_ERR_MSG_ATTR(extack, tb[PCPNAT_MAP_A_PEER],
					    "a peer to admit is for implicit (PEER) mappings; explicit ones take FILTERS");
			return -EINVAL;
		}
		req->peer = nla_get_be32(tb[PCPNAT_MAP_A_PEER]);
	}
	if (req->kind != PCPNAT_KIND_EXPLICIT)
		return 0;
	/* Every explicit mapping has one: it links the subscriber's index. */
	req->extra = kzalloc(sizeof(*req->extra), GFP_KERNEL);
	if (!req->extra)
		return -ENOMEM;
	if (req->has_filters) {
		err = parse_filters(tb[PCPNAT_MAP_A_FILTERS], req->extra, extack);
		if (err)
			return err;
	}
	if (req->has_descr)
		nla_strscpy(req->extra->descr, tb[PCPNAT_MAP_A_DESCR],
			    sizeof(req->extra->descr));
	return 0;
}

int pcpnat_nl_map_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1];
	struct pcpnat_map_view *v = NULL;
	struct pcpnat_map_req req = {};
	struct pcpnat_net *pn;
	int err;

	pn = map_cmd_begin(info, tb, MAP_ADD_REFUSED, PCPNAT_MAP_F_ALL);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	err = parse_map_add(pn, info, tb, &req);
	if (err)
		goto out;
	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v) {
		err = -ENOMEM;
		goto out;
	}
	err = pcpnat_map_add(pn, &req, v, info->extack);
	if (!err)
		err = reply_map(info, PCPNAT_CMD_MAP_ADD, v);
out:
	kfree(req.extra);	/* NULL once the table took it */
	kfree(v);
	return err;
}

int pcpnat_nl_map_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1];
	u8 nonce[PCPNAT_NONCE_LEN];
	struct pcpnat_map_view *v;
	struct pcpnat_net *pn;
	struct pcpnat_key key;
	bool removed, force = false;
	int err;

	pn = map_cmd_begin(info, tb, MAP_DEL_REFUSED, PCPNAT_MAP_F_FORCE);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	err = parse_key(info->attrs[PCPNAT_A_MAP], tb, &key, info->extack);
	if (err)
		return err;
	if (tb[PCPNAT_MAP_A_NONCE])
		nla_memcpy(nonce, tb[PCPNAT_MAP_A_NONCE], sizeof(nonce));
	if (tb[PCPNAT_MAP_A_FLAGS])
		force = nla_get_u32(tb[PCPNAT_MAP_A_FLAGS]) & PCPNAT_MAP_F_FORCE;
	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	err = pcpnat_map_del(pn, &key, tb[PCPNAT_MAP_A_NONCE] ? nonce : NULL,
			     force, v, &removed, info->extack);
	if (!err)
		err = reply_map(info, PCPNAT_CMD_MAP_DEL, v);
	kfree(v);
	return err;
}

int pcpnat_nl_map_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1], *nest = info->attrs[PCPNAT_A_MAP];
	struct pcpnat_map_view *v;
	struct pcpnat_net *pn;
	struct pcpnat_key key = {};
	bool by_ext;
	int err;

	pn = map_cmd_begin(info, tb, MAP_GET_REFUSED, 0);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	by_ext = tb[PCPNAT_MAP_A_EXT_ADDR] && tb[PCPNAT_MAP_A_EXT_PORT];
	if (!tb[PCPNAT_MAP_A_PROTO] ||
	    (!by_ext && (!tb[PCPNAT_MAP_A_INT_ADDR] || !tb[PCPNAT_MAP_A_INT_PORT]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "need protocol and internal or external address and port");
		return -EINVAL;
	}
	key.proto = nla_get_u8(tb[PCPNAT_MAP_A_PROTO]);
	key.addr = nla_get_be32(tb[by_ext ? PCPNAT_MAP_A_EXT_ADDR : PCPNAT_MAP_A_INT_ADDR]);
	key.port = nla_get_be16(tb[by_ext ? PCPNAT_MAP_A_EXT_PORT : PCPNAT_MAP_A_INT_PORT]);
	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	err = pcpnat_map_get(pn, &key, by_ext, v);
	if (err)
		NL_SET_ERR_MSG_MOD(info->extack, "no such mapping");
	else
		err = reply_map(info, PCPNAT_CMD_MAP_GET, v);
	kfree(v);
	return err;
}

/* --- dump --- */

/*
 * A dump's state lives in its netlink_callback (cb->ctx, zeroed when the
 * dump starts): the generated op table has no .start or .done, so nothing
 * may be allocated that a dump cut short would leave behind. The request
 * is parsed by the first call; an error it finds ends the dump in
 * NLMSG_DONE with the errno and the extack message.
 */
struct pcpnat_dump {
	struct pcpnat_cursor cur;
	struct pcpnat_map_filter f;
	bool started;
	bool done;
};

/* One call's output. */
struct dump_out {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	const struct pcpnat_map_filter *f;
};

static int dump_parse(struct pcpnat_net *pn, struct netlink_callback *cb,
		      struct pcpnat_dump *d)
{
	struct nlattr **attrs = pcpnat_dump_attrs(cb);
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1];
	struct pcpnat_map_filter *f = &d->f;
	int i, err;

	if (attrs[PCPNAT_A_MAP]) {
		err = parse_map_nest(attrs[PCPNAT_A_MAP], tb, MAP_GET_REFUSED,
				     cb->extack);
		if (err)
			return err;
		if (tb[PCPNAT_MAP_A_PROTO])
			f->key.proto = nla_get_u8(tb[PCPNAT_MAP_A_PROTO]);
		if (tb[PCPNAT_MAP_A_INT_ADDR])
			f->key.addr = nla_get_be32(tb[PCPNAT_MAP_A_INT_ADDR]);
		if (tb[PCPNAT_MAP_A_INT_PORT])
			f->key.port = nla_get_be16(tb[PCPNAT_MAP_A_INT_PORT]);
		if (tb[PCPNAT_MAP_A_EXT_ADDR])
			f->ext_addr = nla_get_be32(tb[PCPNAT_MAP_A_EXT_ADDR]);
		if (tb[PCPNAT_MAP_A_EXT_PORT])
			f->ext_port = nla_get_be16(tb[PCPNAT_MAP_A_EXT_PORT]);
		if (tb[PCPNAT_MAP_A_SUBSCRIBER])
			f->subscriber = nla_get_be32(tb[PCPNAT_MAP_A_SUBSCRIBER]);
		if (tb[PCPNAT_MAP_A_KIND])
			f->kind = nla_get_u8(tb[PCPNAT_MAP_A_KIND]);
		for (i = 1; i <= PCPNAT_MAP_A_MAX; i++)
			if (tb[i])
				f->have |= BIT(i);
	}
	if (attrs[PCPNAT_A_CURSOR]) {
		/* The cursor's policy ends at INT_PORT: parse no further. */
		memset(tb, 0, sizeof(tb));
		err = nla_parse_nested(tb, ARRAY_SIZE(pcpnat_cursor_nl_policy) - 1,
				       attrs[PCPNAT_A_CURSOR], pcpnat_cursor_nl_policy,
				       cb->extack);
		if (err)
			return err;
		if (!get_key(tb, &d->cur.key)) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[PCPNAT_A_CURSOR],
					    "cursor needs protocol, internal address and port");
			return -EINVAL;
		}
		d->cur.have_key = true;
		if (pn->live)
			d->cur.bucket = pcpnat_int_bucket(pn->table, &d->cur.key);
	}
	/* Unconfigured namespace: an empty dump. */
	d->done = !pn->live;
	return 0;
}

static bool filter_match(const struct pcpnat_map_filter *f,
			 const struct pcpnat_mapping *m)
{
#define HAVE(a) (f->have & BIT(PCPNAT_MAP_A_##a))
	return (!HAVE(PROTO) || m->key.proto == f->key.proto) &&
	       (!HAVE(INT_ADDR) || m->key.addr == f->key.addr) &&
	       (!HAVE(INT_PORT) || m->key.port == f->key.port) &&
	       (!HAVE(EXT_ADDR) || m->ext_addr == f->ext_addr) &&
	       (!HAVE(EXT_PORT) || m->ext_port == f->ext_port) &&
	       (!HAVE(SUBSCRIBER) || m->subscriber == f->subscriber) &&
	       (!HAVE(KIND) || READ_ONCE(m->kind) == f->kind);
#undef HAVE
}

static int dump_one(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		    const struct pcpnat_mapping *m, void *arg)
{
	struct dump_out *o = arg;
	struct pcpnat_map_view v;
	void *hdr;

	if (!filter_match(o->f, m))
		return 0;
	pcpnat_map_view(pn, cfg, m, &v);
	hdr = genlmsg_put(o->skb, NETLINK_CB(o->cb->skb).portid,
			  o->cb->nlh->nlmsg_seq, &pcpnat_genl_family, NLM_F_MULTI,
			  PCPNAT_CMD_MAP_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (pcpnat_put_map(o->skb, PCPNAT_A_MAP, &v)) {
		genlmsg_cancel(o->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(o->skb, hdr);
	return 0;
}

/*
 * A subscriber's explicit mappings are indexed (subscriber.c): such a
 * dump walks them alone, in key order (uapi/linux/pcpnat.h).
 */
static bool dump_by_subscriber(const struct pcpnat_map_filter *f)
{
	return (f->have & BIT(PCPNAT_MAP_A_SUBSCRIBER)) &&
	       (f->have & BIT(PCPNAT_MAP_A_KIND)) &&
	       f->kind == PCPNAT_KIND_EXPLICIT;
}

int pcpnat_nl_map_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pcpnat_net *pn = pcpnat_pernet(sock_net(skb->sk));
	struct pcpnat_dump *d = (struct pcpnat_dump *)cb->ctx;
	struct dump_out o = { .skb = skb, .cb = cb, .f = &d->f };
	int ret;

	BUILD_BUG_ON(sizeof(*d) > sizeof(cb->ctx));
	if (!d->started) {
		ret = dump_parse(pn, cb, d);
		if (ret)
			return ret;
		d->started = true;
	}
	if (d->done)
		return 0;
	if (dump_by_subscriber(&d->f))
		ret = pcpnat_walk_subscriber(pn, d->f.subscriber, &d->cur,
					     dump_one, &o);
	else
		ret = pcpnat_walk(pn, &d->cur, dump_one, &o);
	if (!ret)
		d->done = true;
	else if (ret != -EMSGSIZE)
		return ret;
	return skb->len;
}
