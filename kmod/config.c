// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat configuration: defaults, validation, and the switch from one
 * configuration to the next. A configuration is immutable once published;
 * CONFIG_SET builds a new one and replaces the whole under RCU, so the packet
 * path reads a consistent set of values with a single rcu_dereference().
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/bsearch.h>
#include <net/ip.h>
#include <net/route.h>
#include "control.h"

struct pcpnat_config *pcpnat_config_alloc(u16 naddrs)
{
	struct pcpnat_config *cfg;

	cfg = kzalloc(struct_size(cfg, addrs, naddrs), GFP_KERNEL);
	if (!cfg)
		return NULL;
	if (naddrs) {
		cfg->pms = kcalloc(naddrs, sizeof(*cfg->pms), GFP_KERNEL);
		if (!cfg->pms) {
			kfree(cfg);
			return NULL;
		}
	}
	cfg->naddrs = naddrs;
	return cfg;
}

/* Frees the configuration, not the port allocators it points to. */
void pcpnat_config_free(struct pcpnat_config *cfg)
{
	if (!cfg)
		return;
	kfree(cfg->pms);
	kfree(cfg);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_config_free);

void pcpnat_config_defaults(struct pcpnat_config *cfg)
{
	cfg->port_min = 1024;
	cfg->port_max = 65535;
	cfg->udp_timeout = 300;		/* RFC 4787 REQ-5: at least 120 */
	/* The others are their RFCs' minima (RFC 5382 REQ-5, RFC 5508 REQ-1). */
	cfg->tcp_est_timeout = PCPNAT_TCP_EST_TIMEOUT_MIN;
	cfg->tcp_trans_timeout = PCPNAT_TCP_TRANS_TIMEOUT_MIN;
	cfg->icmp_timeout = PCPNAT_ICMP_TIMEOUT_MIN;
	cfg->filtering = PCPNAT_FILTER_ADDRESS_DEPENDENT;
	/*
	 * RFC 6888 REQ-4: the ports one subscriber may take are limited.
	 * 4096 mappings (all protocols together) are far more than a host's
	 * browsing, games and peer-to-peer sessions hold at once (a /32 pool
	 * has 64512 ports per protocol), and still leave an address for 47
	 * hosts at their limit. 0 ("quota 0") lifts the limit.
	 */
	cfg->subscriber_quota = PCPNAT_QUOTA_DEFAULT;
	cfg->max_mappings = 1000000;
	cfg->allow_all_ports = 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_config_defaults);

static u32 pfx_mask(u8 len)
{
	return len ? ~0U << (32 - len) : 0;
}

bool pcpnat_addr_internal(const struct pcpnat_config *cfg, __be32 addr)
{
	u32 a = ntohl(addr);
	int i;

	for (i = 0; i < cfg->nint; i++) {
		const struct pcpnat_prefix *p = &cfg->internal[i];

		if ((a & pfx_mask(p->len)) == ntohl(p->addr))
			return true;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_addr_internal);

static int addr_cmp(const void *a, const void *b)
{
	u32 x = ntohl(*(const __be32 *)a), y = ntohl(*(const __be32 *)b);

	return x < y ? -1 : x > y;
}

/* Index of addr in cfg->addrs, or -1. Binary search: the pool is sorted. */
int pcpnat_config_index(const struct pcpnat_config *cfg, __be32 addr)
{
	const __be32 *p;

	p = bsearch(&addr, cfg->addrs, cfg->naddrs, sizeof(addr), addr_cmp);
	return p ? p - cfg->addrs : -1;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_config_index);

bool pcpnat_addr_in_pool(const struct pcpnat_config *cfg, __be32 addr)
{
	return pcpnat_config_index(cfg, addr) >= 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_addr_in_pool);

/*
 * Check everything a person could get wrong, before anything changes. The
 * netlink policy (genl_gen.c, from the family's spec) already bounded each
 * value: timeouts to their RFC minima, the filtering mode, max-mappings,
 * prefix lengths to 32. This catches the combinations and the pool's
 * narrower lengths.
 */
VISIBLE_IF_KUNIT int config_validate(const struct pcpnat_config *c,
				     struct netlink_ext_ack *extack)
{
	unsigned int naddrs = 0;
	int i;

	if (c->port_min > c->port_max) {
		NL_SET_ERR_MSG_MOD(extack, "port range: minimum above maximum");
		return -EINVAL;
	}
	for (i = 0; i < c->npool; i++) {
		const struct pcpnat_prefix *p = &c->pool[i];

		if (p->len < 24) {
			NL_SET_ERR_MSG_MOD(extack, "pool prefixes must be /24 to /32");
			return -EINVAL;
		}
		if (ntohl(p->addr) & ~pfx_mask(p->len)) {
			NL_SET_ERR_MSG_MOD(extack, "pool prefix has host bits set");
			return -EINVAL;
		}
		naddrs += 1U << (32 - p->len);
	}
	if (naddrs > PCPNAT_POOL_ADDRS_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "pool larger than 256 addresses");
		return -EINVAL;
	}
	for (i = 0; i < c->nint; i++) {
		const struct pcpnat_prefix *p = &c->internal[i];

		if (ntohl(p->addr) & ~pfx_mask(p->len)) {
			NL_SET_ERR_MSG_MOD(extack, "internal prefix has host bits set");
			return -EINVAL;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(config_validate);

/*
 * Build the configuration to publish from the requested one: the pool
 * expanded to sorted unique addresses, each with its port allocator (the
 * current one when the address stays, a new one otherwise).
 */
VISIBLE_IF_KUNIT struct pcpnat_config *
config_build(const struct pcpnat_config *req, const struct pcpnat_config *old)
{
	__be32 tmp[PCPNAT_POOL_ADDRS_MAX];
	struct pcpnat_config *cfg;
	unsigned int n = 0, i, j;

	for (i = 0; i < req->npool; i++) {
		u32 base = ntohl(req->pool[i].addr);

		for (j = 0; j < 1U << (32 - req->pool[i].len); j++)
			tmp[n++] = htonl(base + j);
	}
	sort(tmp, n, sizeof(tmp[0]), addr_cmp, NULL);
	for (i = 0, j = 0; i < n; i++)
		if (!j || tmp[i] != tmp[j - 1])
			tmp[j++] = tmp[i];
	n = j;

	cfg = pcpnat_config_alloc(n);
	if (!cfg)
		return NULL;
	/* Copy the scalars and lists; addrs/pms/naddrs are this config's own. */
	memcpy(cfg, req, offsetof(struct pcpnat_config, pms));
	memcpy(cfg->addrs, tmp, n * sizeof(tmp[0]));
	for (i = 0; i < n; i++) {
		int k = old ? pcpnat_config_index(old, tmp[i]) : -1;

		cfg->pms[i] = k >= 0 ? old->pms[k] : pcpnat_portmap_alloc(tmp[i]);
		if (!cfg->pms[i])
			goto fail;
	}
	return cfg;
fail:
	for (i = 0; i < n; i++)
		if (cfg->pms[i] && !(old && pcpnat_config_index(old, tmp[i]) >= 0))
			pcpnat_portmap_free(cfg->pms[i]);
	pcpnat_config_free(cfg);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(config_build);

static bool map_addr_gone(const struct pcpnat_mapping *m, const void *arg)
{
	return !pcpnat_addr_in_pool(arg, m->ext_addr);
}

/*
 * The router picks the ephemeral ports of its own connections from
 * ip_local_port_range without asking pcpnat. When a pool address is the
 * router's own and the two ranges overlap, such a port can be one a
 * mapping holds, and the replies then go to the inside host (local.c
 * keeps the allocator off ports of sockets already there, not off ports
 * taken later). The configuration is still applied: the defaults overlap,
 * and on a pool of other addresses nothing clashes. The extack message of
 * a success is a warning, and says what to change.
 */
static void config_warn_local_ports(struct net *net,
				    const struct pcpnat_config *cfg,
				    struct netlink_ext_ack *extack)
{
	int lo, hi, i;

	inet_get_local_port_range(net, &lo, &hi);
	if (cfg->port_max < lo || cfg->port_min > hi)
		return;
	for (i = 0; i < cfg->naddrs; i++) {
		if (inet_addr_type(net, cfg->addrs[i]) != RTN_LOCAL)
			continue;
		NL_SET_ERR_MSG_MOD(extack,
				   "ports overlap net.ipv4.ip_local_port_range and a pool address is the router's own: its connections can take a port a mapping holds; set ports outside that range (1024-32767 with the default 32768-60999) or move ip_local_port_range");
		return;
	}
}

static void config_free_rcu(struct rcu_head *head)
{
	pcpnat_config_free(container_of(head, struct pcpnat_config, rcu));
}

/* Did an address of old's pool leave it in cfg? */
static bool config_addr_left(const struct pcpnat_config *old,
			     const struct pcpnat_config *cfg)
{
	int i;

	for (i = 0; i < old->naddrs; i++)
		if (pcpnat_config_index(cfg, old->addrs[i]) < 0)
			return true;
	return false;
}

/* A configuration built but not published: old's allocators are not its. */
static void config_discard(struct pcpnat_config *cfg,
			   const struct pcpnat_config *old)
{
	int i;

	for (i = 0; i < cfg->naddrs; i++)
		if (!(old && pcpnat_config_index(old, cfg->addrs[i]) >= 0))
			pcpnat_portmap_free(cfg->pms[i]);
	pcpnat_config_free(cfg);
}

/*
 * Apply a validated request. Called under pn->cfg_lock. The first
 * configuration of a namespace brings the instance to life. ext_named:
 * the request names the external device, which is set before the
 * configuration is published (ext_dev.c).
 */
int pcpnat_config_set(struct pcpnat_net *pn, const struct pcpnat_config *req,
		      bool ext_named, struct netlink_ext_ack *extack)
{
	struct pcpnat_config *old, *cfg;
	bool gone;
	int err, i;

	lockdep_assert_held(&pn->cfg_lock);
	err = config_validate(req, extack);
	if (err)
		return err;

	old = pcpnat_cfg_locked(pn);
	cfg = config_build(req, old);
	if (!cfg) {
		NL_SET_ERR_MSG_MOD(extack, "out of memory building the configuration");
		return -ENOMEM;
	}
	if (ext_named) {
		err = pcpnat_ext_dev_configured(pn, cfg->ext_ifindex, extack);
		if (err) {
			config_discard(cfg, old);
			return err;
		}
	}

	if (!pn->live) {
		err = pcpnat_instance_create(pn, cfg);
		if (err) {
			config_discard(cfg, NULL);
			NL_SET_ERR_MSG_MOD(extack, "cannot create the NAT instance");
			return err;
		}
		for (i = 0; i < cfg->naddrs; i++)
			pcpnat_event_addr(pn, PCPNAT_CMD_EVENT_ADDR_ADD, cfg->addrs[i]);
		config_warn_local_ports(pn->net, cfg, extack);
		pcpnat_egress_sync(pn);
		return 0;
	}

	rcu_assign_pointer(pn->cfg, cfg);
	/*
	 * Takeover: packets see the new role from now, and the reaper, which
	 * takes cfg_lock, sees every idle time started again.
	 */
	if (old->standby && !cfg->standby)
		pcpnat_gc_restart_idle(pn);
	gone = config_addr_left(old, cfg);
	if (gone) {
		/*
		 * After this no reader holds the old configuration, so nobody
		 * can still allocate on an address that left the pool: its
		 * mappings can be swept once and its allocator freed.
		 */
		synchronize_rcu();
		pcpnat_table_remove(pn, map_addr_gone, cfg,
				    PCPNAT_REASON_ADDR_REMOVED, true);
		for (i = 0; i < old->naddrs; i++) {
			if (pcpnat_config_index(cfg, old->addrs[i]) >= 0)
				continue;
			pcpnat_event_addr(pn, PCPNAT_CMD_EVENT_ADDR_DEL,
					  old->addrs[i]);
			pcpnat_portmap_free(old->pms[i]);
		}
	}
	for (i = 0; i < cfg->naddrs; i++)
		if (pcpnat_config_index(old, cfg->addrs[i]) < 0)
			pcpnat_event_addr(pn, PCPNAT_CMD_EVENT_ADDR_ADD, cfg->addrs[i]);
	if (gone)
		pcpnat_config_free(old);
	else
		/*
		 * Every allocator lives on in cfg: readers may finish with
		 * the old configuration at their pace, and a script or pcpd
		 * changing a timeout does not wait a grace period each time
		 * (module exit's rcu_barrier() waits for the free).
		 */
		call_rcu(&old->rcu, config_free_rcu);
	config_warn_local_ports(pn->net, cfg, extack);
	pcpnat_egress_sync(pn);
	return 0;
}
