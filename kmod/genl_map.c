// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat mapping commands: MAP_ADD, MAP_DEL, MAP_GET and its dump.
 * Parsing and checks live here; table.c does the work under its locks.
 */
#include <net/sock.h>
#include "control.h"

static const struct nla_policy pcpnat_filter_policy[PCPNAT_FILTER_A_MAX + 1] = {
	[PCPNAT_FILTER_A_ADDR] = { .type = NLA_BE32 },
	[PCPNAT_FILTER_A_PLEN] = NLA_POLICY_RANGE(NLA_U8, 1, 32),
	[PCPNAT_FILTER_A_PORT] = { .type = NLA_BE16 },
};

static const struct nla_policy pcpnat_filters_policy[PCPNAT_FILTERS_A_MAX + 1] = {
	[PCPNAT_FILTERS_A_FILTER] = NLA_POLICY_NESTED(pcpnat_filter_policy),
};

/* The internal key, in every mapping policy. */
#define MAP_KEY_POLICY							\
	[PCPNAT_MAP_A_PROTO] = { .type = NLA_U8 },			\
	[PCPNAT_MAP_A_INT_ADDR] = { .type = NLA_BE32 },			\
	[PCPNAT_MAP_A_INT_PORT] = { .type = NLA_BE16 }

/* The external side and the kind: suggested on ADD, filtered on by dumps. */
#define MAP_EXT_POLICY							\
	[PCPNAT_MAP_A_EXT_ADDR] = { .type = NLA_BE32 },			\
	[PCPNAT_MAP_A_EXT_PORT] = { .type = NLA_BE16 },			\
	[PCPNAT_MAP_A_KIND] = NLA_POLICY_RANGE(NLA_U8, PCPNAT_KIND_IMPLICIT, \
					       PCPNAT_KIND_EXPLICIT)

/* Not const: 6.1's nla_policy points to a mutable range. */
static struct netlink_range_validation pcpnat_lifetime_range = {
	.min = 1, .max = PCPNAT_LIFETIME_MAX,
};

const struct nla_policy pcpnat_map_add_policy[PCPNAT_MAP_A_MAX + 1] = {
	MAP_KEY_POLICY,
	MAP_EXT_POLICY,
	[PCPNAT_MAP_A_LIFETIME] = NLA_POLICY_FULL_RANGE(NLA_U32, &pcpnat_lifetime_range),
	[PCPNAT_MAP_A_NONCE] = NLA_POLICY_EXACT_LEN(PCPNAT_NONCE_LEN),
	[PCPNAT_MAP_A_SUBSCRIBER] = { .type = NLA_BE32 },
	[PCPNAT_MAP_A_FILTERS] = NLA_POLICY_NESTED(pcpnat_filters_policy),
	[PCPNAT_MAP_A_DESCR] = { .type = NLA_NUL_STRING, .len = PCPNAT_DESCR_MAX - 1 },
	[PCPNAT_MAP_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, PCPNAT_MAP_F_ALL),
	[PCPNAT_MAP_A_PEER] = { .type = NLA_BE32 },
};

/* MAP_DEL: the internal key, the nonce, FORCE. */
const struct nla_policy pcpnat_map_key_policy[PCPNAT_MAP_A_MAX + 1] = {
	MAP_KEY_POLICY,
	[PCPNAT_MAP_A_NONCE] = NLA_POLICY_EXACT_LEN(PCPNAT_NONCE_LEN),
	[PCPNAT_MAP_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, PCPNAT_MAP_F_FORCE),
};

/* MAP_GET: a key (doit) or a filter (dump). */
const struct nla_policy pcpnat_map_filter_policy[PCPNAT_MAP_A_MAX + 1] = {
	MAP_KEY_POLICY,
	MAP_EXT_POLICY,
	[PCPNAT_MAP_A_SUBSCRIBER] = { .type = NLA_BE32 },
};

const struct nla_policy pcpnat_cursor_policy[PCPNAT_MAP_A_MAX + 1] = {
	MAP_KEY_POLICY,
};

/*
 * What every mapping command starts with: the MAP nest is there, the
 * namespace is configured, and the nest passes the command's policy.
 */
static struct pcpnat_net *map_cmd_begin(struct genl_info *info, struct nlattr **tb,
					const struct nla_policy *policy)
{
	struct pcpnat_net *pn;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, PCPNAT_A_MAP))
		return ERR_PTR(-EINVAL);
	pn = pcpnat_pernet(genl_info_net(info));
	if (!pn->live) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "pcpnat is not configured in this namespace");
		return ERR_PTR(-ENETDOWN);
	}
	err = nla_parse_nested(tb, PCPNAT_MAP_A_MAX, info->attrs[PCPNAT_A_MAP],
			       policy, info->extack);
	return err ? ERR_PTR(err) : pn;
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
		__be32 mask;

		if (x->nfilters >= PCPNAT_FILTERS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "more than 8 FILTER entries");
			return -E2BIG;
		}
		err = nla_parse_nested(tb, PCPNAT_FILTER_A_MAX, a,
				       pcpnat_filter_policy, extack);
		if (err)
			return err;
		if (!tb[PCPNAT_FILTER_A_ADDR] || !tb[PCPNAT_FILTER_A_PLEN]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "filter needs an address and a prefix length");
			return -EINVAL;
		}
		f = &x->filters[x->nfilters++];
		mask = htonl(~0U << (32 - nla_get_u8(tb[PCPNAT_FILTER_A_PLEN])));
		f->mask = mask;
		f->addr = nla_get_be32(tb[PCPNAT_FILTER_A_ADDR]) & mask;
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
	if (!req->has_filters && !req->has_descr &&
	    !(req->flags & PCPNAT_MAP_F_SET_FILTERS))
		return 0;
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

int pcpnat_nl_map_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1];
	struct pcpnat_map_view *v = NULL;
	struct pcpnat_map_req req = {};
	struct pcpnat_net *pn;
	int err;

	pn = map_cmd_begin(info, tb, pcpnat_map_add_policy);
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

int pcpnat_nl_map_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1];
	u8 nonce[PCPNAT_NONCE_LEN];
	struct pcpnat_map_view *v;
	struct pcpnat_net *pn;
	struct pcpnat_key key;
	bool removed, force = false;
	int err;

	pn = map_cmd_begin(info, tb, pcpnat_map_key_policy);
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

int pcpnat_nl_map_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1], *nest = info->attrs[PCPNAT_A_MAP];
	struct pcpnat_map_view *v;
	struct pcpnat_net *pn;
	struct pcpnat_key key = {};
	bool by_ext;
	int err;

	pn = map_cmd_begin(info, tb, pcpnat_map_filter_policy);
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

struct pcpnat_dump {
	struct pcpnat_cursor cur;
	struct pcpnat_map_filter f;
	bool done;
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

int pcpnat_nl_map_dump_start(struct netlink_callback *cb)
{
	struct pcpnat_net *pn = pcpnat_pernet(sock_net(cb->skb->sk));
	struct nlattr **attrs = pcpnat_dump_attrs(cb);
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1];
	struct pcpnat_dump *d;
	int i, err;
	static const int keys[] = {
		PCPNAT_MAP_A_PROTO, PCPNAT_MAP_A_INT_ADDR, PCPNAT_MAP_A_INT_PORT,
		PCPNAT_MAP_A_EXT_ADDR, PCPNAT_MAP_A_EXT_PORT,
		PCPNAT_MAP_A_SUBSCRIBER, PCPNAT_MAP_A_KIND,
	};

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	if (attrs[PCPNAT_A_MAP]) {
		err = nla_parse_nested(tb, PCPNAT_MAP_A_MAX, attrs[PCPNAT_A_MAP],
				       pcpnat_map_filter_policy, cb->extack);
		if (err)
			goto fail;
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (tb[keys[i]])
				d->f.have |= BIT(keys[i]);
		if (tb[PCPNAT_MAP_A_PROTO])
			d->f.v.key.proto = nla_get_u8(tb[PCPNAT_MAP_A_PROTO]);
		if (tb[PCPNAT_MAP_A_INT_ADDR])
			d->f.v.key.addr = nla_get_be32(tb[PCPNAT_MAP_A_INT_ADDR]);
		if (tb[PCPNAT_MAP_A_INT_PORT])
			d->f.v.key.port = nla_get_be16(tb[PCPNAT_MAP_A_INT_PORT]);
		if (tb[PCPNAT_MAP_A_EXT_ADDR])
			d->f.v.ext_addr = nla_get_be32(tb[PCPNAT_MAP_A_EXT_ADDR]);
		if (tb[PCPNAT_MAP_A_EXT_PORT])
			d->f.v.ext_port = nla_get_be16(tb[PCPNAT_MAP_A_EXT_PORT]);
		if (tb[PCPNAT_MAP_A_SUBSCRIBER])
			d->f.v.subscriber = nla_get_be32(tb[PCPNAT_MAP_A_SUBSCRIBER]);
		if (tb[PCPNAT_MAP_A_KIND])
			d->f.v.kind = nla_get_u8(tb[PCPNAT_MAP_A_KIND]);
	}
	if (attrs[PCPNAT_A_CURSOR]) {
		err = nla_parse_nested(tb, PCPNAT_MAP_A_MAX, attrs[PCPNAT_A_CURSOR],
				       pcpnat_cursor_policy, cb->extack);
		if (err)
			goto fail;
		if (!get_key(tb, &d->cur.key)) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[PCPNAT_A_CURSOR],
					    "cursor needs protocol, internal address and port");
			err = -EINVAL;
			goto fail;
		}
		d->cur.have_key = true;
		if (pn->live)
			d->cur.bucket = pcpnat_int_bucket(pn->table, &d->cur.key);
	}
	/* Unconfigured namespace: an empty dump. */
	d->done = !pn->live;
	cb->args[0] = (long)d;
	return 0;
fail:
	/* .done is not called when .start fails. */
	kfree(d);
	return err;
}

int pcpnat_nl_map_dump_done(struct netlink_callback *cb)
{
	kfree((void *)cb->args[0]);
	return 0;
}

static bool filter_match(const struct pcpnat_map_filter *f,
			 const struct pcpnat_mapping *m)
{
	const struct pcpnat_map_view *v = &f->v;

#define HAVE(a) (f->have & BIT(PCPNAT_MAP_A_##a))
	return (!HAVE(PROTO) || m->key.proto == v->key.proto) &&
	       (!HAVE(INT_ADDR) || m->key.addr == v->key.addr) &&
	       (!HAVE(INT_PORT) || m->key.port == v->key.port) &&
	       (!HAVE(EXT_ADDR) || m->ext_addr == v->ext_addr) &&
	       (!HAVE(EXT_PORT) || m->ext_port == v->ext_port) &&
	       (!HAVE(SUBSCRIBER) || m->subscriber == v->subscriber) &&
	       (!HAVE(KIND) || READ_ONCE(m->kind) == v->kind);
#undef HAVE
}

static int dump_one(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		    const struct pcpnat_mapping *m, void *arg)
{
	struct pcpnat_dump *d = arg;
	struct pcpnat_map_view v;
	void *hdr;

	if (!filter_match(&d->f, m))
		return 0;
	pcpnat_map_view(pn, cfg, m, &v);
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &pcpnat_genl_family, NLM_F_MULTI,
			  PCPNAT_CMD_MAP_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (pcpnat_put_map(d->skb, PCPNAT_A_MAP, &v)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

int pcpnat_nl_map_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pcpnat_net *pn = pcpnat_pernet(sock_net(skb->sk));
	struct pcpnat_dump *d = (struct pcpnat_dump *)cb->args[0];
	int ret;

	if (d->done)
		return 0;
	d->skb = skb;
	d->cb = cb;
	ret = pcpnat_walk(pn, &d->cur, dump_one, d);
	if (!ret)
		d->done = true;
	else if (ret != -EMSGSIZE)
		return ret;
	return skb->len;
}
