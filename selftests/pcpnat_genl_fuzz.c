// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat genl fuzz: random and mutated messages to every command of the
 * family (and to the command numbers around them). For each message the
 * kernel must answer with a well-formed reply or error, the socket must
 * keep working, and a message the kernel refuses must leave the
 * configuration and the mapping table exactly as they were.
 *
 * How the state check stays cheap enough for an emulated VM:
 * - A known state is set up first: a canonical configuration and
 *   canonical mappings whose external endpoints are pinned (suggested with
 *   PREFER_FAILURE), so the table is the same on every run and kernel.
 * - Messages go out in sendmmsg() batches. Each message of a command that
 *   may change state (or of a number with no op) is followed by a
 *   CONFIG_GET whose reply, everything
 *   but the epoch (mapping count and state id included), is the
 *   fingerprint. If it changed while every message since the previous
 *   fingerprint was refused, the test fails. Read-only commands are
 *   covered by the next fingerprint and, when nothing was accepted before
 *   them in the batch, their replies must show exactly the known state.
 * - Accepted messages may change state: after the batch the changes are
 *   undone from what the replies said (mapping keys touched, flushes,
 *   configuration), so the next batch starts from the known state again.
 * - Every FULL_EVERY messages and at the end, the whole state (config,
 *   counters, the table through a dump) is compared with the known one.
 *
 * Messages come from a deterministic PRNG that does not depend on the
 * kernel's answers: the seed is printed, PCPNAT_FUZZ_SEED=<seed> repeats
 * a run, PCPNAT_FUZZ_COUNT=<n> sets the number of messages (default
 * 100000). A failure report gives the message number and its bytes.
 *
 * Two tests: fuzz.configured against the known state, fuzz.unconfigured
 * (a tenth of the messages) against a namespace never configured, where an
 * accepted CONFIG_SET moves the run to a fresh namespace. Runs as root with
 * pcpnat.ko loaded, in network namespaces of its own.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* unshare, sendmmsg, strerrorname_np */
#endif
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/pcpnat.h>

#include "harness.h"
#include "genl_util.h"

#define FZ_COUNT	100000	/* messages, PCPNAT_FUZZ_COUNT overrides */
#define FZ_BATCH	16	/* fuzz messages per sendmmsg() */
#define FZ_FULL_EVERY	1000	/* messages between full state compares */
#define FZ_REQ_MAX	128	/* requests in flight in one batch */
#define FZ_ATTRS_MAX	96	/* attributes in one generated message */
#define FZ_PAYLOAD_MAX	160	/* bytes in one generated attribute */
#define FZ_MSG_MAX	(NLMSG_HDRLEN + GENL_HDRLEN + \
			 FZ_ATTRS_MAX * (NLA_HDRLEN + FZ_PAYLOAD_MAX + 4) + 64)
#define FZ_RCVBUF	(16 << 20)
#define FZ_REPLY_TIMEOUT 20	/* s: a request unanswered this long fails */
#define FZ_REPORTS	10	/* failures reported in detail */
#define FZ_GIVE_UP	50	/* failures after which the run stops */
#define FZ_LIFETIME	86400	/* s, of the canonical mappings */
#define FZ_TOUCHED_MAX	64

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define ARRAY_LEN(x)	(sizeof(x) / sizeof((x)[0]))

/* ------------------------------------------------------------------ */
/* Deterministic PRNG: xorshift64*, seeded through splitmix64. */

static uint64_t prng;

static void rnd_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	prng = (z ^ (z >> 31)) | 1;	/* xorshift needs a non-zero state */
}

static uint64_t rnd64(void)
{
	prng ^= prng >> 12;
	prng ^= prng << 25;
	prng ^= prng >> 27;
	return prng * 0x2545f4914f6cdd1dULL;
}

/* Uniform enough in [0, n) for n far below 2^32. */
static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)((rnd64() >> 32) % n) : 0;
}

static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

static void rnd_bytes(uint8_t *p, int n)
{
	while (n-- > 0)
		*p++ = rnd64() >> 56;
}

/* ------------------------------------------------------------------ */
/*
 * A message under construction: the genl header fields and the attributes
 * in pre-order. An attribute of depth d lies in the closest nest before it
 * of depth d - 1, so a mutation can drop, copy or move a whole subtree by
 * moving a run of the array. Serialising fixes up every nest length.
 */

struct fattr {
	uint16_t type;		/* nla_type as sent, NLA_F_* flags included */
	uint8_t depth;
	bool nest;		/* its children follow; no payload of its own */
	uint16_t len;		/* payload bytes (leaves) */
	uint8_t data[FZ_PAYLOAD_MAX];
};

struct fmsg {
	uint8_t cmd, version;
	uint16_t reserved;
	uint16_t flags;		/* nlmsg_flags; REQUEST and ACK are always added */
	int n, cur;		/* attributes; depth the builder is at */
	struct fattr a[FZ_ATTRS_MAX];
};

static void m_init(struct fmsg *m, uint8_t cmd)
{
	m->cmd = cmd;
	m->version = PCPNAT_GENL_VERSION;
	m->reserved = 0;
	m->flags = 0;
	m->n = 0;
	m->cur = 0;
}

static struct fattr *m_leaf(struct fmsg *m, uint16_t type, const void *data, int len)
{
	struct fattr *a;

	if (m->n >= FZ_ATTRS_MAX || len > FZ_PAYLOAD_MAX)
		return NULL;
	a = &m->a[m->n++];
	a->type = type;
	a->depth = m->cur;
	a->nest = false;
	a->len = len;
	if (len)
		memcpy(a->data, data, len);
	return a;
}

static void m_u8(struct fmsg *m, uint16_t type, uint8_t v)
{
	m_leaf(m, type, &v, 1);
}

static void m_u16(struct fmsg *m, uint16_t type, uint16_t v)
{
	m_leaf(m, type, &v, 2);
}

static void m_u32(struct fmsg *m, uint16_t type, uint32_t v)
{
	m_leaf(m, type, &v, 4);
}

/* Host order in, network order on the wire (__be16 / __be32 attributes). */
static void m_be16(struct fmsg *m, uint16_t type, uint16_t v)
{
	m_u16(m, type, htons(v));
}

static void m_be32(struct fmsg *m, uint16_t type, uint32_t v)
{
	m_u32(m, type, htonl(v));
}

static void m_str(struct fmsg *m, uint16_t type, const char *s)
{
	m_leaf(m, type, s, strlen(s) + 1);
}

static void m_nest(struct fmsg *m, uint16_t type)
{
	struct fattr *a = m_leaf(m, type | NLA_F_NESTED, NULL, 0);

	if (a)
		a->nest = true;
	m->cur++;
}

static void m_end(struct fmsg *m)
{
	m->cur--;
}

/*
 * The bytes of m as sent; off[i] is where attribute i starts. An attribute
 * deeper than the nests open before it is put in the innermost one.
 */
static int m_serialize(const struct fmsg *m, uint16_t fam, uint8_t *buf, int *off)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
	int open[FZ_ATTRS_MAX], nopen = 0, len = NLMSG_HDRLEN + GENL_HDRLEN, i;

	for (i = 0; i < m->n; i++) {
		const struct fattr *a = &m->a[i];
		struct nlattr *h = (struct nlattr *)(buf + len);

		while (nopen > a->depth) {
			nopen--;
			((struct nlattr *)(buf + open[nopen]))->nla_len = len - open[nopen];
		}
		off[i] = len;
		h->nla_type = a->type;
		if (a->nest) {
			open[nopen++] = len;
			len += NLA_HDRLEN;
			continue;
		}
		h->nla_len = NLA_HDRLEN + a->len;
		memcpy(buf + len + NLA_HDRLEN, a->data, a->len);
		memset(buf + len + NLA_HDRLEN + a->len, 0,
		       NLA_ALIGN(a->len) - a->len);
		len += NLA_HDRLEN + NLA_ALIGN(a->len);
	}
	while (nopen--)
		((struct nlattr *)(buf + open[nopen]))->nla_len = len - open[nopen];

	nlh->nlmsg_len = len;
	nlh->nlmsg_type = fam;
	nlh->nlmsg_flags = m->flags | NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 0;	/* set when queued */
	nlh->nlmsg_pid = 0;
	g->cmd = m->cmd;
	g->version = m->version;
	g->reserved = m->reserved;
	return len;
}

/* ------------------------------------------------------------------ */
/*
 * The known state. External endpoints are pinned so that a mapping that
 * was deleted can be put back exactly, and every run sees the same table.
 */

struct pfx {
	uint32_t addr;	/* host order */
	uint8_t len;
};

static const struct pfx canon_pool[] = {
	{ IP(198, 51, 100, 0), 29 }, { IP(203, 0, 113, 8), 30 },
};

static const struct pfx canon_internal[] = {
	{ IP(10, 0, 0, 0), 8 }, { IP(11, 0, 0, 0), 16 }, { IP(172, 16, 0, 0), 12 },
};

struct canon_map {
	uint8_t proto, kind;
	uint32_t int_addr;	/* host order, as the port */
	uint16_t int_port;
	uint32_t ext_addr;
	uint16_t ext_port;
	uint32_t sub;		/* 0: the internal address */
	uint8_t nonce;		/* nonce pattern; explicit mappings only */
	int nfilters;
	const char *descr;
};

static char descr_max[PCPNAT_DESCR_MAX];	/* the longest: 127 bytes */

#define EXPL	PCPNAT_KIND_EXPLICIT
#define IMPL	PCPNAT_KIND_IMPLICIT
static const struct canon_map canon[] = {
	{ IPPROTO_UDP, EXPL, IP(10, 0, 0, 2), 5000, IP(198, 51, 100, 1), 5000, 0, 1, 2, "web" },
	{ IPPROTO_TCP, EXPL, IP(10, 0, 0, 2), 5000, IP(198, 51, 100, 1), 5000, 0, 1, 0, NULL },
	{ IPPROTO_ICMP, EXPL, IP(10, 0, 0, 3), 77, IP(198, 51, 100, 2), 10077, 0, 2, 0, NULL },
	{ IPPROTO_UDP, EXPL, IP(10, 0, 0, 3), 53, IP(203, 0, 113, 9), 4053,
	  IP(10, 0, 0, 99), 3, 1, NULL },
	/* All ports: the whole of 198.51.100.3 for TCP. */
	{ IPPROTO_TCP, EXPL, IP(10, 0, 0, 4), 0, IP(198, 51, 100, 3), 0, 0, 4, 0, NULL },
	{ IPPROTO_UDP, IMPL, IP(11, 0, 0, 1), 1234, IP(198, 51, 100, 4), 31234, 0, 0, 0, NULL },
	{ IPPROTO_TCP, IMPL, IP(172, 16, 0, 9), 443, IP(203, 0, 113, 10), 10443, 0, 0, 0, NULL },
	/* Every limit at its edge: ports, FILTER count, description length. */
	{ IPPROTO_UDP, EXPL, IP(10, 255, 255, 255), 65535, IP(203, 0, 113, 11), 65535,
	  0, 5, PCPNAT_FILTERS_MAX, descr_max },
};
#define NCANON	((int)ARRAY_LEN(canon))

/* Scalars of the canonical configuration, with the width of each. */
static const struct {
	uint16_t type;
	uint8_t width;
	uint32_t value;
} canon_cfg[] = {
	{ PCPNAT_CFG_A_EXT_IFINDEX, 4, 0 },
	{ PCPNAT_CFG_A_PORT_MIN, 2, 1024 },
	{ PCPNAT_CFG_A_PORT_MAX, 2, 65535 },
	{ PCPNAT_CFG_A_UDP_TIMEOUT, 4, 300 },
	{ PCPNAT_CFG_A_TCP_EST_TIMEOUT, 4, 7440 },
	{ PCPNAT_CFG_A_TCP_TRANS_TIMEOUT, 4, 240 },
	{ PCPNAT_CFG_A_ICMP_TIMEOUT, 4, 60 },
	{ PCPNAT_CFG_A_FILTERING, 1, PCPNAT_FILTER_ADDRESS_DEPENDENT },
	/* 10.0.0.2 holds two: one more is accepted, the next hits the quota. */
	{ PCPNAT_CFG_A_SUBSCRIBER_QUOTA, 4, 3 },
	/* A few accepted MAP_ADDs in one batch reach the table limit. */
	{ PCPNAT_CFG_A_MAX_MAPPINGS, 4, NCANON + 2 },
	{ PCPNAT_CFG_A_ALLOW_ALL_PORTS, 1, 1 },
	{ PCPNAT_CFG_A_STANDBY, 1, 0 },
};

static void fill_nonce(uint8_t *n, uint8_t pattern)
{
	int i;

	for (i = 0; i < PCPNAT_NONCE_LEN; i++)
		n[i] = pattern * 16 + i;
}

/* FILTER j of a canonical mapping: 192.0.2.16j/28, port 1000 + j (0: any). */
static void canon_filter(int j, uint32_t *addr, uint8_t *plen, uint16_t *port)
{
	*addr = IP(192, 0, 2, 16 * j);
	*plen = 28;
	*port = j ? 1000 + j : 0;
}

/* ------------------------------------------------------------------ */
/* Valid messages: what setup sends, and what the mutations start from. */

struct mreq {
	uint8_t proto;
	uint32_t int_addr;	/* host order, as the ports */
	uint16_t int_port;
	int kind;		/* 0: not sent, as every field below */
	uint32_t lifetime;
	bool has_nonce;
	uint8_t nonce[PCPNAT_NONCE_LEN];
	uint32_t ext_addr, sub, flags;
	uint16_t ext_port;
	bool has_ext_port;
	int nfilters;		/* -1: no FILTERS, 0: an empty nest */
	const char *descr;
};

static void put_key(struct fmsg *m, uint8_t proto, uint32_t addr, uint16_t port)
{
	m_u8(m, PCPNAT_MAP_A_PROTO, proto);
	m_be32(m, PCPNAT_MAP_A_INT_ADDR, addr);
	m_be16(m, PCPNAT_MAP_A_INT_PORT, port);
}

static void canon_req(int i, struct mreq *q)
{
	const struct canon_map *c = &canon[i];

	memset(q, 0, sizeof(*q));
	q->proto = c->proto;
	q->int_addr = c->int_addr;
	q->int_port = c->int_port;
	q->kind = c->kind;
	q->lifetime = FZ_LIFETIME;
	q->has_nonce = c->kind == EXPL;
	fill_nonce(q->nonce, c->nonce);
	q->ext_addr = c->ext_addr;
	q->ext_port = c->ext_port;
	q->has_ext_port = true;
	q->sub = c->sub;
	q->flags = PCPNAT_MAP_F_PREFER_FAILURE;
	q->nfilters = c->nfilters ? c->nfilters : -1;
	q->descr = c->descr;
}

static void put_map_add(struct fmsg *m, const struct mreq *q)
{
	int j;

	m_init(m, PCPNAT_CMD_MAP_ADD);
	m_nest(m, PCPNAT_A_MAP);
	put_key(m, q->proto, q->int_addr, q->int_port);
	if (q->kind)
		m_u8(m, PCPNAT_MAP_A_KIND, q->kind);
	if (q->lifetime)
		m_u32(m, PCPNAT_MAP_A_LIFETIME, q->lifetime);
	if (q->has_nonce)
		m_leaf(m, PCPNAT_MAP_A_NONCE, q->nonce, PCPNAT_NONCE_LEN);
	if (q->ext_addr)
		m_be32(m, PCPNAT_MAP_A_EXT_ADDR, q->ext_addr);
	if (q->has_ext_port)
		m_be16(m, PCPNAT_MAP_A_EXT_PORT, q->ext_port);
	if (q->sub)
		m_be32(m, PCPNAT_MAP_A_SUBSCRIBER, q->sub);
	if (q->flags)
		m_u32(m, PCPNAT_MAP_A_FLAGS, q->flags);
	if (q->nfilters >= 0) {
		m_nest(m, PCPNAT_MAP_A_FILTERS);
		for (j = 0; j < q->nfilters; j++) {
			uint32_t addr;
			uint16_t port;
			uint8_t plen;

			canon_filter(j, &addr, &plen, &port);
			m_nest(m, PCPNAT_FILTERS_A_FILTER);
			m_be32(m, PCPNAT_FILTER_A_ADDR, addr);
			m_u8(m, PCPNAT_FILTER_A_PLEN, plen);
			m_be16(m, PCPNAT_FILTER_A_PORT, port);
			m_end(m);
		}
		m_end(m);
	}
	if (q->descr)
		m_str(m, PCPNAT_MAP_A_DESCR, q->descr);
	m_end(m);
}

static void put_prefixes(struct fmsg *m, uint16_t type, const struct pfx *p, int n)
{
	int i;

	m_nest(m, type);
	for (i = 0; i < n; i++) {
		m_nest(m, PCPNAT_LIST_A_PREFIX);
		m_be32(m, PCPNAT_PFX_A_ADDR, p[i].addr);
		m_u8(m, PCPNAT_PFX_A_LEN, p[i].len);
		m_end(m);
	}
	m_end(m);
}

/* The canonical CONFIG_SET; keep_pct < 100 leaves attributes out at random. */
static void put_config_set(struct fmsg *m, unsigned int keep_pct)
{
	unsigned int i;

	m_init(m, PCPNAT_CMD_CONFIG_SET);
	m_nest(m, PCPNAT_A_CONFIG);
	if (keep_pct >= 100 || chance(keep_pct))
		put_prefixes(m, PCPNAT_CFG_A_EXT_POOL, canon_pool, ARRAY_LEN(canon_pool));
	if (keep_pct >= 100 || chance(keep_pct))
		put_prefixes(m, PCPNAT_CFG_A_INT_PREFIXES, canon_internal,
			     ARRAY_LEN(canon_internal));
	for (i = 0; i < ARRAY_LEN(canon_cfg); i++) {
		if (keep_pct < 100 && !chance(keep_pct))
			continue;
		if (canon_cfg[i].width == 1)
			m_u8(m, canon_cfg[i].type, canon_cfg[i].value);
		else if (canon_cfg[i].width == 2)
			m_u16(m, canon_cfg[i].type, canon_cfg[i].value);
		else
			m_u32(m, canon_cfg[i].type, canon_cfg[i].value);
	}
	m_end(m);
}

static void put_map_del(struct fmsg *m, uint8_t proto, uint32_t addr, uint16_t port,
			const uint8_t *nonce, uint32_t flags)
{
	m_init(m, PCPNAT_CMD_MAP_DEL);
	m_nest(m, PCPNAT_A_MAP);
	put_key(m, proto, addr, port);
	if (nonce)
		m_leaf(m, PCPNAT_MAP_A_NONCE, nonce, PCPNAT_NONCE_LEN);
	if (flags)
		m_u32(m, PCPNAT_MAP_A_FLAGS, flags);
	m_end(m);
}

static uint8_t rnd_proto(void)
{
	static const uint8_t p[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP };

	return chance(90) ? p[rnd(3)] : rnd(256);
}

/* Mostly inside the internal prefixes, often on hosts that hold mappings. */
static uint32_t rnd_int_addr(void)
{
	switch (rnd(8)) {
	case 0:
		return IP(10, 0, 0, 2);	/* two canonical mappings, quota 3 */
	case 1:
		return IP(10, 0, 0, 2 + rnd(4));
	case 2:
		return IP(11, 0, rnd(256), rnd(256));
	case 3:
		return IP(172, 16 + rnd(16), rnd(256), rnd(256));
	case 4:	/* just outside, or nonsense */
		switch (rnd(6)) {
		case 0: return IP(12, 0, 0, 0);
		case 1: return IP(9, 255, 255, 255);
		case 2: return IP(11, 1, 0, 1);
		case 3: return IP(192, 168, rnd(256), rnd(256));
		case 4: return 0;
		default: return 0xffffffff;
		}
	default:
		return IP(10, rnd(256), rnd(256), rnd(256));
	}
}

static uint32_t rnd_pool_addr(void)
{
	return chance(70) ? IP(198, 51, 100, rnd(8)) :
	       chance(70) ? IP(203, 0, 113, 8 + rnd(4)) : (uint32_t)rnd64();
}

static uint16_t rnd_port(void)
{
	return chance(10) ? (uint16_t[]){ 0, 1, 1023, 1024, 65535 }[rnd(5)] :
	       (uint16_t)rnd(65536);
}

static void t_map_add(struct fmsg *m)
{
	struct mreq q;
	int i = rnd(NCANON);

	canon_req(i, &q);
	switch (rnd(10)) {
	case 0: case 1: case 2:	/* refresh of a canonical mapping, as it is */
		break;
	case 3:			/* someone else's: EEXIST */
		q.kind = EXPL;
		q.has_nonce = true;
		rnd_bytes(q.nonce, PCPNAT_NONCE_LEN);
		break;
	default:		/* a new one, random in everything */
		q.proto = rnd_proto();
		q.int_addr = rnd_int_addr();
		q.int_port = rnd_port();
		q.kind = chance(20) ? IMPL : chance(85) ? EXPL : rnd(4);
		q.lifetime = chance(70) ? 1 + rnd(100000) : rnd(3);
		q.has_nonce = chance(90);
		rnd_bytes(q.nonce, PCPNAT_NONCE_LEN);
		q.ext_addr = chance(30) ? rnd_pool_addr() : 0;
		q.has_ext_port = chance(30);
		q.ext_port = rnd_port();
		q.sub = chance(20) ? rnd_int_addr() : 0;
		q.flags = chance(30) ? rnd(PCPNAT_MAP_F_ALL + 2) : 0;
		q.nfilters = chance(30) ? (int)rnd(PCPNAT_FILTERS_MAX + 2) : -1;
		q.descr = chance(20) ? "fuzz" : NULL;
		break;
	}
	put_map_add(m, &q);
}

static void t_map_del(struct fmsg *m)
{
	const struct canon_map *c = &canon[rnd(NCANON)];
	uint8_t nonce[PCPNAT_NONCE_LEN];

	fill_nonce(nonce, c->nonce);
	switch (rnd(10)) {
	case 0: case 1: case 2:	/* the owner deletes it */
		put_map_del(m, c->proto, c->int_addr, c->int_port, nonce, 0);
		break;
	case 3:			/* another nonce: EACCES */
		nonce[rnd(PCPNAT_NONCE_LEN)] ^= 1 << rnd(8);
		put_map_del(m, c->proto, c->int_addr, c->int_port, nonce, 0);
		break;
	case 4:
		put_map_del(m, c->proto, c->int_addr, c->int_port, NULL, 0);
		break;
	case 5:
		put_map_del(m, c->proto, c->int_addr, c->int_port, NULL,
			    PCPNAT_MAP_F_FORCE);
		break;
	default:		/* mostly no such mapping */
		rnd_bytes(nonce, PCPNAT_NONCE_LEN);
		put_map_del(m, rnd_proto(), rnd_int_addr(), rnd_port(),
			    chance(50) ? nonce : NULL,
			    chance(30) ? rnd(PCPNAT_MAP_F_ALL + 2) : 0);
		break;
	}
}

static void t_map_get(struct fmsg *m)
{
	const struct canon_map *c = &canon[rnd(NCANON)];

	m_init(m, PCPNAT_CMD_MAP_GET);
	m_nest(m, PCPNAT_A_MAP);
	switch (rnd(10)) {
	case 0: case 1: case 2: case 3: case 4:
		put_key(m, c->proto, c->int_addr, c->int_port);
		break;
	case 5: case 6: case 7:	/* by the external endpoint */
		m_u8(m, PCPNAT_MAP_A_PROTO, c->proto);
		m_be32(m, PCPNAT_MAP_A_EXT_ADDR, c->ext_addr);
		m_be16(m, PCPNAT_MAP_A_EXT_PORT, c->ext_port);
		break;
	default:
		put_key(m, rnd_proto(), rnd_int_addr(), rnd_port());
		break;
	}
	m_end(m);
}

static void t_map_dump(struct fmsg *m)
{
	const struct canon_map *c = &canon[rnd(NCANON)];
	int v = rnd(10);

	m_init(m, PCPNAT_CMD_MAP_GET);
	m->flags = NLM_F_DUMP;
	if (v >= 3 && v != 6 && v != 7) {	/* a filter: part of a mapping */
		m_nest(m, PCPNAT_A_MAP);
		if (chance(50))
			m_u8(m, PCPNAT_MAP_A_PROTO, c->proto);
		if (chance(30))
			m_be32(m, PCPNAT_MAP_A_INT_ADDR, c->int_addr);
		if (chance(30))
			m_be16(m, PCPNAT_MAP_A_INT_PORT, c->int_port);
		if (chance(30))
			m_be32(m, PCPNAT_MAP_A_EXT_ADDR, c->ext_addr);
		if (chance(30))
			m_be16(m, PCPNAT_MAP_A_EXT_PORT, c->ext_port);
		if (chance(30))
			m_be32(m, PCPNAT_MAP_A_SUBSCRIBER, c->sub ? c->sub : c->int_addr);
		if (chance(30))
			m_u8(m, PCPNAT_MAP_A_KIND, c->kind);
		m_end(m);
	}
	if (v >= 6) {				/* resume after a mapping */
		m_nest(m, PCPNAT_A_CURSOR);
		put_key(m, c->proto, c->int_addr, c->int_port);
		m_end(m);
	}
}

static void t_flush(struct fmsg *m)
{
	const struct canon_map *c = &canon[rnd(NCANON)];

	m_init(m, PCPNAT_CMD_FLUSH);
	switch (rnd(10)) {
	case 0: case 1: case 2: case 3: case 4: case 5:	/* nobody's */
		m_be32(m, PCPNAT_A_SUBSCRIBER, IP(10, 9, rnd(256), rnd(256)));
		break;
	case 6: case 7:
		m_be32(m, PCPNAT_A_SUBSCRIBER, c->sub ? c->sub : c->int_addr);
		break;
	default:					/* everything */
		break;
	}
}

/*
 * What a message is aimed at, with the share of the messages it gets.
 * CONFIG_SET gets less: each one accepted costs an RCU grace period in
 * pcpnat_config_set(), some 25 ms in an emulated VM, and its undoing another.
 */
enum target {
	T_CONFIG_GET, T_CONFIG_SET, T_MAP_ADD, T_MAP_DEL, T_MAP_GET, T_MAP_DUMP,
	T_FLUSH, T_STATS_GET, T_STATS_RESET, T_OTHER, T_N
};

static const unsigned int target_weight[T_N] = {
	[T_CONFIG_GET] = 7, [T_CONFIG_SET] = 6, [T_MAP_ADD] = 22,
	[T_MAP_DEL] = 13, [T_MAP_GET] = 12, [T_MAP_DUMP] = 7, [T_FLUSH] = 6,
	[T_STATS_GET] = 6, [T_STATS_RESET] = 6, [T_OTHER] = 8,
};

static int pick_target(void)
{
	unsigned int sum = 0, x;
	int t;

	for (t = 0; t < T_N; t++)
		sum += target_weight[t];
	x = rnd(sum);
	for (t = 0; x >= target_weight[t]; t++)
		x -= target_weight[t];
	return t;
}

static void build_template(struct fmsg *m, int t)
{
	static const uint8_t other_cmds[] = {
		PCPNAT_CMD_UNSPEC, PCPNAT_CMD_EVENT_MAP_NEW, PCPNAT_CMD_EVENT_MAP_DEL,
		PCPNAT_CMD_EVENT_ADDR_ADD, PCPNAT_CMD_EVENT_ADDR_DEL,
		PCPNAT_CMD_EVENT_STATE_RESET, PCPNAT_CMD_MAX + 1, 0x7f, 0x80, 0xff,
	};

	switch (t) {
	case T_CONFIG_GET:
		m_init(m, PCPNAT_CMD_CONFIG_GET);
		/* The address a host's mappings take (paired pooling). */
		if (chance(50))
			m_be32(m, PCPNAT_A_SUBSCRIBER, IP(10, 9, rnd(256), rnd(256)));
		break;
	case T_CONFIG_SET:
		put_config_set(m, chance(50) ? 100 : 40);
		break;
	case T_MAP_ADD:
		t_map_add(m);
		break;
	case T_MAP_DEL:
		t_map_del(m);
		break;
	case T_MAP_GET:
		t_map_get(m);
		break;
	case T_MAP_DUMP:
		t_map_dump(m);
		break;
	case T_FLUSH:
		t_flush(m);
		break;
	case T_STATS_GET:
		m_init(m, PCPNAT_CMD_STATS_GET);
		break;
	case T_STATS_RESET:
		m_init(m, PCPNAT_CMD_STATS_RESET);
		break;
	default:	/* another command's body under a number with no op */
		build_template(m, rnd(T_OTHER));
		m->cmd = chance(80) ? other_cmds[rnd(ARRAY_LEN(other_cmds))] : rnd(256);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Mutations. */

/* Values around every documented bound, and the extremes of each width. */
static const uint64_t interesting[] = {
	0, 1, 2, 3, 7, 8, 11, 12, 13, 16, 17, 23, 24, 25, 31, 32, 33, 59, 60, 61,
	63, 64, 65, 119, 120, 121, 127, 128, 129, 239, 240, 241, 255, 256, 257,
	1023, 1024, 1025, 4095, 4096, 7439, 7440, 7441, 32767, 32768, 65534,
	65535, 65536, 1000000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
};

/* An interesting value in len bytes, host or network order; else random. */
static void rnd_value(uint8_t *p, int len)
{
	uint64_t v = interesting[rnd(ARRAY_LEN(interesting))];
	int i;

	if (len != 1 && len != 2 && len != 4 && len != 8) {
		rnd_bytes(p, len);
		return;
	}
	if (chance(15))
		v = rnd64();
	if (chance(50)) {
		for (i = 0; i < len; i++)	/* big endian */
			p[i] = v >> (8 * (len - 1 - i));
	} else {
		uint8_t u8 = v;
		uint16_t u16 = v;
		uint32_t u32 = v;

		if (len == 1)
			memcpy(p, &u8, 1);
		else if (len == 2)
			memcpy(p, &u16, 2);
		else if (len == 4)
			memcpy(p, &u32, 4);
		else
			memcpy(p, &v, 8);
	}
}

/* Attribute types: mostly the range every level uses, then the odd ones. */
static uint16_t rnd_type(void)
{
	static const uint16_t odd[] = {
		PCPNAT_A_MAX, PCPNAT_A_MAX + 1, PCPNAT_CFG_A_MAX, PCPNAT_CFG_A_MAX + 1,
		PCPNAT_MAP_A_MAX, PCPNAT_MAP_A_MAX + 1, PCPNAT_STATS_A_MAX + 1,
		0x3fff, 0x7fff, 0xffff,	/* the type mask, with the flags */
	};

	if (chance(70))
		return rnd(PCPNAT_STATS_A_MAX + 2);
	return chance(70) ? odd[rnd(ARRAY_LEN(odd))] : (uint16_t)rnd64();
}

static int rnd_len(void)
{
	static const int lens[] = { 0, 1, 2, 3, 4, 5, 8, 11, 12, 13, 16 };

	return chance(80) ? lens[rnd(ARRAY_LEN(lens))] : (int)rnd(FZ_PAYLOAD_MAX + 1);
}

static void rnd_leaf(struct fattr *a, int depth)
{
	a->type = rnd_type();
	a->depth = depth;
	a->nest = false;
	a->len = rnd_len();
	if (chance(60))
		rnd_value(a->data, a->len);
	else
		rnd_bytes(a->data, a->len);
}

/* One past the last attribute of the subtree at i. */
static int subtree_end(const struct fmsg *m, int i)
{
	int j = i + 1;

	while (j < m->n && m->a[j].depth > m->a[i].depth)
		j++;
	return j;
}

/* Room for cnt attributes at i, or false. */
static bool make_room(struct fmsg *m, int i, int cnt)
{
	int tail = m->n - i;

	if (tail < 0 || cnt < 0 || m->n + cnt > FZ_ATTRS_MAX)
		return false;
	memmove(&m->a[i + cnt], &m->a[i], (size_t)tail * sizeof(m->a[0]));
	m->n += cnt;
	return true;
}

static void drop_range(struct fmsg *m, int i, int e)
{
	memmove(&m->a[i], &m->a[e], (m->n - e) * sizeof(m->a[0]));
	m->n -= e - i;
}

/* Deepest depth an attribute at position i may take. */
static int max_depth_at(const struct fmsg *m, int i)
{
	return i ? m->a[i - 1].depth + m->a[i - 1].nest : 0;
}

/* A random leaf i, or -1. */
static int pick_leaf(const struct fmsg *m)
{
	int k, i;

	for (k = 0; k < 8 && m->n; k++) {
		i = rnd(m->n);
		if (!m->a[i].nest)
			return i;
	}
	return -1;
}

static void set_string(struct fattr *a)
{
	static const int lens[] = { 0, 1, 2, 126, 127, 128, 129, 160 };
	int i;

	a->len = lens[rnd(ARRAY_LEN(lens))];
	if (a->len > FZ_PAYLOAD_MAX)
		a->len = FZ_PAYLOAD_MAX;
	for (i = 0; i < a->len; i++)
		a->data[i] = chance(95) ? 'a' + rnd(26) : rnd(256);
	if (a->len && chance(70))
		a->data[a->len - 1] = 0;
	if (a->len && chance(15))
		a->data[rnd(a->len)] = 0;
}

/* One structural mutation; all keep the array a valid pre-order. */
static void mutate_tree(struct fmsg *m)
{
	static struct fattr tmp[FZ_ATTRS_MAX];
	int i = m->n ? (int)rnd(m->n) : 0, e, k, cnt;

	if (!m->n) {
		rnd_leaf(&m->a[m->n++], 0);
		return;
	}
	e = subtree_end(m, i);
	switch (rnd(13)) {
	case 0:		/* drop an attribute and what it holds */
		drop_range(m, i, e);
		break;
	case 1:		/* send it twice */
		cnt = e - i;
		if (make_room(m, e, cnt))
			memcpy(&m->a[e], &m->a[i], cnt * sizeof(m->a[0]));
		break;
	case 2:		/* another type, flags kept */
		m->a[i].type = (m->a[i].type & ~NLA_TYPE_MASK) | (rnd_type() & NLA_TYPE_MASK);
		break;
	case 3:		/* NLA_F_NESTED or NLA_F_NET_BYTEORDER where it does not belong */
		m->a[i].type ^= chance(60) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		break;
	case 4:		/* extreme or random value, same length */
		k = pick_leaf(m);
		if (k >= 0)
			rnd_value(m->a[k].data, m->a[k].len);
		break;
	case 5:		/* wrong length: off by one, another width, nothing */
		k = pick_leaf(m);
		if (k >= 0) {
			int old = m->a[k].len, len;

			len = chance(50) ? old + (chance(50) ? 1 : -1) : rnd_len();
			if (len < 0 || len > FZ_PAYLOAD_MAX)
				len = old;
			if (len > old)
				rnd_bytes(m->a[k].data + old, len - old);
			m->a[k].len = len;
		}
		break;
	case 6:		/* a string of an awkward length, terminated or not */
		k = pick_leaf(m);
		if (k >= 0)
			set_string(&m->a[k]);
		break;
	case 7:		/* a nest becomes a scalar */
		if (m->a[i].nest) {
			drop_range(m, i + 1, e);
			m->a[i].nest = false;
			if (chance(50))
				m->a[i].type &= ~NLA_F_NESTED;
			m->a[i].len = rnd_len();
			rnd_value(m->a[i].data, m->a[i].len);
		}
		break;
	case 8:		/* a scalar becomes a nest of random attributes */
		if (!m->a[i].nest) {
			m->a[i].nest = true;
			if (chance(80))
				m->a[i].type |= NLA_F_NESTED;
			cnt = rnd(4);
			if (make_room(m, i + 1, cnt))
				for (k = 0; k < cnt; k++)
					rnd_leaf(&m->a[i + 1 + k], m->a[i].depth + 1);
		}
		break;
	case 9:		/* a random attribute anywhere */
		k = rnd(m->n + 1);
		if (make_room(m, k, 1))
			rnd_leaf(&m->a[k], rnd(max_depth_at(m, k) + 1));
		break;
	case 10:	/* one level more: wrap the subtree in a nest */
		if (make_room(m, i, 1)) {
			m->a[i].type = rnd_type() | (chance(80) ? NLA_F_NESTED : 0);
			m->a[i].nest = true;
			m->a[i].len = 0;
			for (k = i + 1; k <= e; k++)
				m->a[k].depth++;
		}
		break;
	case 11: {	/* move the subtree to another level */
		int d = rnd(max_depth_at(m, i) + 1), delta = d - m->a[i].depth;

		for (k = i; k < e; k++)
			m->a[k].depth += delta;
		break;
	}
	default:	/* swap with the next sibling */
		if (e < m->n && m->a[e].depth == m->a[i].depth) {
			int e2 = subtree_end(m, e), n1 = e - i, n2 = e2 - e;

			memcpy(tmp, &m->a[i], n1 * sizeof(m->a[0]));
			memmove(&m->a[i], &m->a[e], n2 * sizeof(m->a[0]));
			memcpy(&m->a[i + n2], tmp, n1 * sizeof(m->a[0]));
		}
		break;
	}
}

/* The genl header and the netlink flags. */
static void mutate_header(struct fmsg *m)
{
	static const uint16_t bits[] = {
		NLM_F_MULTI, NLM_F_ECHO, NLM_F_DUMP_INTR, NLM_F_DUMP_FILTERED,
		NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC, NLM_F_APPEND, 0x1000, 0x8000,
	};

	switch (rnd(5)) {
	case 0:
		m->cmd = chance(50) ? 1 + rnd(PCPNAT_CMD_MAX) : rnd(256);
		break;
	case 1:
		m->version = rnd(256);
		break;
	case 2:
		m->reserved = 1 + rnd(0xffff);
		break;
	case 3:
		m->flags |= bits[rnd(ARRAY_LEN(bits))];
		break;
	default:
		m->flags ^= NLM_F_DUMP;
		break;
	}
}

/* Nothing but random attributes, nested at random. */
static void random_attrs(struct fmsg *m)
{
	int n = 1 + rnd(12), k;

	m->n = 0;
	for (k = 0; k < n; k++) {
		struct fattr *a = &m->a[m->n];

		rnd_leaf(a, rnd(max_depth_at(m, m->n) + 1));
		if (chance(25) && a->depth < 4) {
			a->nest = true;
			a->len = 0;
			if (chance(80))
				a->type |= NLA_F_NESTED;
		}
		m->n++;
	}
}

/*
 * Byte-level damage to a serialised message of len bytes. The netlink
 * header (16 bytes) is left alone: its length has its own mutations
 * (lie_about_length) and its type must stay the family's. Returns the
 * new length.
 */
static int mutate_bytes(uint8_t *buf, int len, const int *off, int nattr)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int k, n;

	switch (rnd(7)) {
	case 0:		/* bit flips */
		for (n = 1 + rnd(4); n-- && len > NLMSG_HDRLEN;)
			buf[NLMSG_HDRLEN + rnd(len - NLMSG_HDRLEN)] ^= 1 << rnd(8);
		break;
	case 1:		/* a byte changed */
		if (len > NLMSG_HDRLEN) {
			uint8_t *p = &buf[NLMSG_HDRLEN + rnd(len - NLMSG_HDRLEN)];

			*p = chance(25) ? 0 : chance(33) ? 0xff : chance(50) ? *p + 1 : rnd(256);
		}
		break;
	case 2:		/* an attribute's nla_len */
		k = nattr ? (int)rnd(nattr) : -1;
		if (k >= 0 && off[k] + NLA_HDRLEN <= len) {
			struct nlattr *a = (struct nlattr *)(buf + off[k]);
			static const int d[] = { 0, 1, 2, 3, 4, 5, 0xffff };

			a->nla_len = chance(50) ? d[rnd(ARRAY_LEN(d))] :
				     chance(50) ? a->nla_len + (chance(50) ? 1 : -1) :
				     rnd(len + 8);
		}
		break;
	case 3:		/* an attribute's nla_type, flags and all */
		k = nattr ? (int)rnd(nattr) : -1;
		if (k >= 0 && off[k] + NLA_HDRLEN <= len)
			((struct nlattr *)(buf + off[k]))->nla_type = rnd64();
		break;
	case 4:		/* truncated, the header saying so */
		len = NLMSG_HDRLEN + rnd(len - NLMSG_HDRLEN);
		nlh->nlmsg_len = len;
		break;
	case 5:		/* trailing garbage, the header saying so */
		n = 1 + rnd(64);
		if (len + n <= FZ_MSG_MAX) {
			if (chance(50))
				rnd_bytes(buf + len, n);
			else
				memset(buf + len, 0, n);
			len += n;
			nlh->nlmsg_len = len;
		}
		break;
	default:	/* the genl header */
		k = NLMSG_HDRLEN + rnd(GENL_HDRLEN);
		if (k < len)
			buf[k] = rnd(256);
		break;
	}
	return len;
}

/* ------------------------------------------------------------------ */
/* Requests, batches, the fuzzer's state. */

/* Command categories of the statistics, by what the kernel received. */
enum {
	C_SHORT = PCPNAT_CMD_MAX + 1,	/* no complete genl header */
	C_OTHER,			/* a number above PCPNAT_CMD_MAX */
	C_DUMP,				/* MAP_GET with NLM_F_DUMP */
	C_N
};

static const char *cat_name(int c)
{
	static const char *const names[] = {
		[PCPNAT_CMD_UNSPEC] = "UNSPEC",
		[PCPNAT_CMD_CONFIG_GET] = "CONFIG_GET",
		[PCPNAT_CMD_CONFIG_SET] = "CONFIG_SET",
		[PCPNAT_CMD_MAP_ADD] = "MAP_ADD",
		[PCPNAT_CMD_MAP_DEL] = "MAP_DEL",
		[PCPNAT_CMD_MAP_GET] = "MAP_GET",
		[PCPNAT_CMD_FLUSH] = "FLUSH",
		[PCPNAT_CMD_STATS_GET] = "STATS_GET",
		[PCPNAT_CMD_STATS_RESET] = "STATS_RESET",
		[PCPNAT_CMD_EVENT_MAP_NEW] = "EVENT_MAP_NEW",
		[PCPNAT_CMD_EVENT_MAP_DEL] = "EVENT_MAP_DEL",
		[PCPNAT_CMD_EVENT_ADDR_ADD] = "EVENT_ADDR_ADD",
		[PCPNAT_CMD_EVENT_ADDR_DEL] = "EVENT_ADDR_DEL",
		[PCPNAT_CMD_EVENT_STATE_RESET] = "EVENT_STATE_RESET",
		[C_SHORT] = "(no genl header)",
		[C_OTHER] = "(cmd > CMD_MAX)",
		[C_DUMP] = "MAP_GET dump",
	};

	return c >= 0 && c < C_N && names[c] ? names[c] : "?";
}

static bool cat_mutating(int c)
{
	return c == PCPNAT_CMD_CONFIG_SET || c == PCPNAT_CMD_MAP_ADD ||
	       c == PCPNAT_CMD_MAP_DEL || c == PCPNAT_CMD_FLUSH ||
	       c == PCPNAT_CMD_STATS_RESET;
}

/* Commands with an op: every other number must be refused. */
static bool cat_has_op(int c)
{
	return (c >= PCPNAT_CMD_CONFIG_GET && c <= PCPNAT_CMD_STATS_RESET) || c == C_DUMP;
}

/* Refusals the ABI (uapi/linux/pcpnat.h) allows for the command. */
static bool errno_allowed(int c, int e)
{
	if (e == EINVAL || e == ERANGE || e == EOPNOTSUPP || e == ENOMEM)
		return true;
	switch (c) {
	case PCPNAT_CMD_CONFIG_SET:
		return e == ENODEV;
	case PCPNAT_CMD_MAP_ADD:
		return e == ENOSPC || e == ENOBUFS || e == EDQUOT || e == EADDRINUSE ||
		       e == EEXIST || e == EPROTONOSUPPORT || e == ENETDOWN ||
		       e == E2BIG || e == EADDRNOTAVAIL;
	case PCPNAT_CMD_MAP_DEL:
		return e == ENOENT || e == EACCES || e == EPROTONOSUPPORT || e == ENETDOWN;
	case PCPNAT_CMD_MAP_GET:
		return e == ENOENT || e == ENETDOWN;
	case C_DUMP:	/* the core's, when the receive queue is full */
		return e == ENOBUFS;
	}
	return false;
}

#define ERRNO_MAX 134

struct catstat {
	long sent, accepted, rejected, unanswered;
	long err[ERRNO_MAX + 1];	/* last: anything above */
	long no_info;			/* refusals with no extack at all */
};

struct mkey {
	uint8_t proto;
	uint32_t addr;		/* network order, as the port */
	uint16_t port;
};

/* A mapping as the kernel shows it (network order); zeroed, then filled. */
struct mapv {
	struct mkey key;
	uint32_t ext_addr, sub, lifetime, idle;
	uint16_t ext_port;
	uint8_t kind;
	bool has_nonce, has_idle;
	uint8_t nonce[PCPNAT_NONCE_LEN];
	int nfilters;
	struct {
		uint32_t addr;
		uint16_t port;
		uint8_t plen;
	} f[PCPNAT_FILTERS_MAX];
	char descr[PCPNAT_DESCR_MAX];
};

struct snap_pfx {
	uint32_t addr;	/* network order */
	uint8_t len;
};

/* CONFIG_GET as the kernel shows it, without the epoch; zeroed, then filled. */
struct cfgsnap {
	uint32_t version, ifindex, udp, tcp_est, tcp_trans, icmp, quota, max;
	uint16_t pmin, pmax;
	uint8_t filtering, allow_all, standby;
	int npool, nint;
	struct snap_pfx pool[PCPNAT_POOL_MAX], internal[PCPNAT_INTERNAL_MAX];
	uint64_t state_id;
	uint32_t mappings;
};

enum rkind {
	R_FUZZ,		/* a generated message */
	R_FP,		/* fingerprint: CONFIG_GET compared with the last one */
	R_CTL,		/* restoring the known state */
	R_CFG,		/* CONFIG_GET into fz->cfg_now */
	R_STATS,	/* STATS_GET into fz->stats_now */
	R_DUMP,		/* MAP_GET dump into fz->dump */
	R_SYNC,		/* after ENOBUFS: everything before it is answered */
};

struct req {
	int kind;
	long index;		/* fuzz message number */
	uint32_t seq;
	int cat;		/* command category, as received */
	uint8_t cmd;
	bool may_dump;		/* the kernel may take it as a dump */
	bool expect_answer;	/* false: the netlink core drops it silently */
	int ok_err;		/* R_CTL: refusal accepted besides success */
	/* outcome */
	bool done;
	int err, nreplies;
	bool has_key;
	struct mkey key;	/* of the mapping in a MAP_ADD/MAP_DEL reply */
	bool has_flushed;
	uint32_t flushed;
	char errmsg[128];	/* extack message, if any */
	int len;
	uint8_t buf[FZ_MSG_MAX] __attribute__((aligned(8)));
};

/* What one batch did, as its answers come in. */
struct bstate {
	struct cfgsnap base;	/* as of the last fingerprint */
	bool accepted_since_fp;	/* a mutating message was accepted since */
	int since_fp;		/* first request after the last fingerprint */
	bool dirty;		/* a mutating message was accepted in the batch */
	bool flush, stats_reset, config, ctl_failed, lost;
	bool unknown;		/* a check failed: put everything back */
	bool overrun;		/* a dump could not start for ENOBUFS: resync */
	int ntouched;
	bool touched_all;
	struct mkey touched[FZ_TOUCHED_MAX];
};

struct fuzz {
	struct nl_sock *sk;
	int fd, fam;
	uint32_t portid, seq, seq0;
	bool configured;	/* the known state: canonical config and mappings */
	uint64_t seed;
	struct cfgsnap ref_cfg;
	uint64_t ref_stats[PCPNAT_STATS_A_MAX + 1];
	/* batch */
	struct req *req;
	int nreq, pending;
	struct bstate b;
	/* collected by R_CFG, R_STATS, R_DUMP */
	struct cfgsnap cfg_now;
	uint64_t stats_now[PCPNAT_STATS_A_MAX + 1];
	struct mapv dump[2 * NCANON];
	int ndump;
	bool dump_overflow;
	/* results */
	struct catstat cat[C_N];
	long fp_checks, full_checks, restores, full_restores, netns_restores;
	long enobufs, replies;
	double t_restore, t_check;	/* s spent restoring, comparing */
	int fails, no_info_shown;
	bool fatal;
	double t_start;
	/* scratch */
	struct fmsg m;
	int off[FZ_ATTRS_MAX];
	struct mmsghdr mm[FZ_REQ_MAX];
	struct iovec iov[FZ_REQ_MAX];
	uint8_t rbuf[65536] __attribute__((aligned(8)));
};

static void hexdump(const uint8_t *p, int len)
{
	char line[3 * 16 + 1];
	int i, j;

	for (i = 0; i < len && i < 512; i += 16) {
		for (j = 0; j < 16 && i + j < len; j++)
			sprintf(line + 3 * j, " %02x", p[i + j]);
		ksft_print_msg("  %04x:%s\n", i, line);
	}
}

static void report_req(const struct fuzz *fz, const struct req *r)
{
	/* The unconfigured test runs a tenth of PCPNAT_FUZZ_COUNT. */
	if (r->kind == R_FUZZ)
		ksft_print_msg(" message %ld (%s, %d bytes%s), to repeat: PCPNAT_FUZZ_SEED=0x%llx PCPNAT_FUZZ_COUNT=%ld pcpnat_genl_fuzz -r fuzz.%s\n",
			       r->index, cat_name(r->cat), r->len,
			       r->expect_answer ? "" : ", dropped by the netlink core",
			       (unsigned long long)fz->seed,
			       (r->index + 1) * (fz->configured ? 1 : 10),
			       fz->configured ? "configured" : "unconfigured");
	else
		ksft_print_msg(" control request %d (%d bytes)\n", r->kind, r->len);
	hexdump(r->buf, r->len);
}

static __attribute__((format(printf, 3, 4)))
void fz_fail(struct fuzz *fz, const struct req *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (++fz->fails > FZ_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ksft_print_msg("FAIL: %s\n", msg);
	if (r)
		report_req(fz, r);
}

/* ------------------------------------------------------------------ */
/*
 * Replies are checked against what the kernel may send (strict: every
 * attribute known, of its exact size, once unless it repeats, required
 * ones present, nothing left over) before a single value is read.
 */

enum vt { V_NONE, V_U8, V_U16, V_U32, V_U64, V_NONCE, V_BIN, V_STR, V_NEST, V_FLAT, V_ANY };

struct vset;
struct vrule {
	uint8_t t;
	bool req, rep;		/* required; may repeat */
	uint16_t max;		/* V_STR, V_BIN: bytes at most */
	const struct vset *sub;	/* V_NEST */
};

struct vset {
	const char *name;
	int max;		/* highest type with a rule */
	bool lax;		/* unknown types allowed (extack: the core's, may grow) */
	const struct vrule *r;
};

static const struct vset vs_any = { "any", -1, true, NULL };

static const struct vrule vr_prefix[PCPNAT_PFX_A_MAX + 1] = {
	[PCPNAT_PFX_A_ADDR] = { .t = V_U32, .req = true },
	[PCPNAT_PFX_A_LEN] = { .t = V_U8, .req = true },
};
static const struct vset vs_prefix = { "prefix", PCPNAT_PFX_A_MAX, false, vr_prefix };

static const struct vrule vr_list[PCPNAT_LIST_A_MAX + 1] = {
	[PCPNAT_LIST_A_PREFIX] = { .t = V_NEST, .rep = true, .sub = &vs_prefix },
};
static const struct vset vs_list = { "prefix list", PCPNAT_LIST_A_MAX, false, vr_list };

static const struct vrule vr_cfg[PCPNAT_CFG_A_MAX + 1] = {
	[PCPNAT_CFG_A_EXT_POOL] = { .t = V_NEST, .req = true, .sub = &vs_list },
	[PCPNAT_CFG_A_INT_PREFIXES] = { .t = V_NEST, .req = true, .sub = &vs_list },
	[PCPNAT_CFG_A_EXT_IFINDEX] = { .t = V_U32, .req = true },
	[PCPNAT_CFG_A_PORT_MIN] = { .t = V_U16, .req = true },
	[PCPNAT_CFG_A_PORT_MAX] = { .t = V_U16, .req = true },
	[PCPNAT_CFG_A_UDP_TIMEOUT] = { .t = V_U32, .req = true },
	[PCPNAT_CFG_A_TCP_EST_TIMEOUT] = { .t = V_U32, .req = true },
	[PCPNAT_CFG_A_TCP_TRANS_TIMEOUT] = { .t = V_U32, .req = true },
	[PCPNAT_CFG_A_ICMP_TIMEOUT] = { .t = V_U32, .req = true },
	[PCPNAT_CFG_A_FILTERING] = { .t = V_U8, .req = true },
	[PCPNAT_CFG_A_SUBSCRIBER_QUOTA] = { .t = V_U32, .req = true },
	[PCPNAT_CFG_A_MAX_MAPPINGS] = { .t = V_U32, .req = true },
	[PCPNAT_CFG_A_ALLOW_ALL_PORTS] = { .t = V_U8, .req = true },
	[PCPNAT_CFG_A_STANDBY] = { .t = V_U8, .req = true },
	[PCPNAT_CFG_A_EPOCH] = { .t = V_U32, .req = true },
	[PCPNAT_CFG_A_STATE_ID] = { .t = V_U64, .req = true },
	[PCPNAT_CFG_A_MAPPINGS] = { .t = V_U32, .req = true },
	[PCPNAT_CFG_A_PAD] = { .t = V_ANY },
};
static const struct vset vs_cfg = { "config", PCPNAT_CFG_A_MAX, false, vr_cfg };

static const struct vrule vr_filter[PCPNAT_FILTER_A_MAX + 1] = {
	[PCPNAT_FILTER_A_ADDR] = { .t = V_U32, .req = true },
	[PCPNAT_FILTER_A_PLEN] = { .t = V_U8, .req = true },
	[PCPNAT_FILTER_A_PORT] = { .t = V_U16 },
};
static const struct vset vs_filter = { "filter", PCPNAT_FILTER_A_MAX, false, vr_filter };

static const struct vrule vr_filters[PCPNAT_FILTERS_A_MAX + 1] = {
	[PCPNAT_FILTERS_A_FILTER] = { .t = V_NEST, .rep = true, .sub = &vs_filter },
};
static const struct vset vs_filters = { "filters", PCPNAT_FILTERS_A_MAX, false, vr_filters };

static const struct vrule vr_map[PCPNAT_MAP_A_MAX + 1] = {
	[PCPNAT_MAP_A_PROTO] = { .t = V_U8, .req = true },
	[PCPNAT_MAP_A_INT_ADDR] = { .t = V_U32, .req = true },
	[PCPNAT_MAP_A_INT_PORT] = { .t = V_U16, .req = true },
	[PCPNAT_MAP_A_EXT_ADDR] = { .t = V_U32, .req = true },
	[PCPNAT_MAP_A_EXT_PORT] = { .t = V_U16, .req = true },
	[PCPNAT_MAP_A_KIND] = { .t = V_U8, .req = true },
	[PCPNAT_MAP_A_LIFETIME] = { .t = V_U32, .req = true },
	[PCPNAT_MAP_A_NONCE] = { .t = V_NONCE },
	[PCPNAT_MAP_A_SUBSCRIBER] = { .t = V_U32, .req = true },
	[PCPNAT_MAP_A_FILTERS] = { .t = V_NEST, .sub = &vs_filters },
	[PCPNAT_MAP_A_DESCR] = { .t = V_STR, .max = PCPNAT_DESCR_MAX },
	[PCPNAT_MAP_A_FLAGS] = { .t = V_U32 },
	[PCPNAT_MAP_A_IDLE] = { .t = V_U32 },
	[PCPNAT_MAP_A_PAD] = { .t = V_ANY },
};
static const struct vset vs_map = { "map", PCPNAT_MAP_A_MAX, false, vr_map };

static const struct vrule vr_stats[PCPNAT_STATS_A_MAX + 1] = {
#define S(x) [PCPNAT_STATS_A_##x] = { .t = V_U64, .req = true }
	S(PKTS_OUT), S(PKTS_IN), S(PKTS_HAIRPIN), S(DROP_NO_MAPPING),
	S(DROP_FILTERED), S(DROP_INVALID), S(DROP_NO_RESOURCES), S(MAP_CREATED),
	S(MAP_DELETED), S(MAP_EXPIRED), S(ALLOC_OK), S(ALLOC_PROBES),
	S(ALLOC_NO_PORT), S(ALLOC_QUOTA), S(TABLE_FULL), S(MAPPINGS),
	S(MAPPING_BYTES), S(DROP_HAIRPIN_WAIT), S(DROP_STANDBY),
#undef S
	[PCPNAT_STATS_A_PAD] = { .t = V_ANY },
};
static const struct vset vs_stats = { "stats", PCPNAT_STATS_A_MAX, false, vr_stats };

/* Top level of each reply. */
static const struct vrule vr_top_cfg[PCPNAT_A_MAX + 1] = {
	[PCPNAT_A_CONFIG] = { .t = V_NEST, .req = true, .sub = &vs_cfg },
	[PCPNAT_A_VERSION] = { .t = V_U32, .req = true },
	[PCPNAT_A_ADDR] = { .t = V_U32 },	/* asked with a SUBSCRIBER */
};
static const struct vrule vr_top_map[PCPNAT_A_MAX + 1] = {
	[PCPNAT_A_MAP] = { .t = V_NEST, .req = true, .sub = &vs_map },
};
static const struct vrule vr_top_stats[PCPNAT_A_MAX + 1] = {
	[PCPNAT_A_STATS] = { .t = V_NEST, .req = true, .sub = &vs_stats },
};
static const struct vrule vr_top_flush[PCPNAT_A_MAX + 1] = {
	[PCPNAT_A_FLUSHED] = { .t = V_U32, .req = true },
};
static const struct vset vs_top_cfg = { "CONFIG_GET reply", PCPNAT_A_MAX, false, vr_top_cfg };
static const struct vset vs_top_map = { "mapping reply", PCPNAT_A_MAX, false, vr_top_map };
static const struct vset vs_top_stats = { "STATS_GET reply", PCPNAT_A_MAX, false, vr_top_stats };
static const struct vset vs_top_flush = { "FLUSH reply", PCPNAT_A_MAX, false, vr_top_flush };

/* NLMSGERR_ATTR_*: the core's, so unknown (future) ones are allowed. */
static const struct vrule vr_ack[NLMSGERR_ATTR_MISS_NEST + 1] = {
	[NLMSGERR_ATTR_MSG] = { .t = V_STR, .max = 1024 },
	[NLMSGERR_ATTR_OFFS] = { .t = V_U32 },
	[NLMSGERR_ATTR_COOKIE] = { .t = V_BIN, .max = 20 },
	[NLMSGERR_ATTR_POLICY] = { .t = V_FLAT },
	[NLMSGERR_ATTR_MISS_TYPE] = { .t = V_U32 },
	[NLMSGERR_ATTR_MISS_NEST] = { .t = V_U32 },
};
static const struct vset vs_ack = { "extack", NLMSGERR_ATTR_MISS_NEST, true, vr_ack };

static const struct vset *reply_schema(uint8_t cmd)
{
	switch (cmd) {
	case PCPNAT_CMD_CONFIG_GET:
		return &vs_top_cfg;
	case PCPNAT_CMD_MAP_ADD:
	case PCPNAT_CMD_MAP_DEL:
	case PCPNAT_CMD_MAP_GET:
		return &vs_top_map;
	case PCPNAT_CMD_STATS_GET:
		return &vs_top_stats;
	case PCPNAT_CMD_FLUSH:
		return &vs_top_flush;
	}
	return NULL;	/* CONFIG_SET, STATS_RESET: no reply, only the ack */
}

/* Why vcheck() refused, for the failure report. */
static char why[256];

/* NULL if the attributes in data[0, len) follow s, else why not. */
static const char *vcheck(const struct vset *s, const uint8_t *data, int len)
{
	uint64_t seen = 0;
	int rem = len, t;

	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)data;
		int alen = a->nla_len, type = a->nla_type & NLA_TYPE_MASK, plen, adv;
		const uint8_t *pl = data + NLA_HDRLEN;
		const struct vrule *r = type <= s->max ? &s->r[type] : NULL;
		const char *e = NULL;
		bool ok = true;

		if (alen < NLA_HDRLEN || alen > rem) {
			snprintf(why, sizeof(why), "%s: attribute %d has length %d, %d bytes left",
				 s->name, type, alen, rem);
			return why;
		}
		plen = alen - NLA_HDRLEN;
		if (!r || r->t == V_NONE) {
			if (!s->lax) {
				snprintf(why, sizeof(why), "%s: unknown attribute %d", s->name, type);
				return why;
			}
		} else {
			if (!r->rep && (seen & (1ULL << type))) {
				snprintf(why, sizeof(why), "%s: attribute %d twice", s->name, type);
				return why;
			}
			seen |= 1ULL << type;
			switch (r->t) {
			case V_U8: ok = plen == 1; break;
			case V_U16: ok = plen == 2; break;
			case V_U32: ok = plen == 4; break;
			case V_U64: ok = plen == 8; break;
			case V_NONCE: ok = plen == PCPNAT_NONCE_LEN; break;
			case V_BIN: ok = plen <= r->max; break;
			case V_STR:
				ok = plen >= 1 && plen <= r->max &&
				     memchr(pl, 0, plen) == pl + plen - 1;
				break;
			case V_NEST:
				ok = a->nla_type & NLA_F_NESTED;
				if (ok)
					e = vcheck(r->sub, pl, plen);
				break;
			case V_FLAT:
				e = vcheck(&vs_any, pl, plen);
				break;
			}
			if (e)
				return e;
			if (!ok) {
				snprintf(why, sizeof(why), "%s: attribute %d: bad size %d or flags 0x%x",
					 s->name, type, plen, a->nla_type & ~NLA_TYPE_MASK);
				return why;
			}
		}
		adv = NLA_ALIGN(alen);
		if (adv > rem)
			adv = rem;
		data += adv;
		rem -= adv;
	}
	if (rem) {
		snprintf(why, sizeof(why), "%s: %d bytes after the last attribute", s->name, rem);
		return why;
	}
	for (t = 0; t <= s->max; t++)
		if (s->r[t].req && !(seen & (1ULL << t))) {
			snprintf(why, sizeof(why), "%s: attribute %d missing", s->name, t);
			return why;
		}
	return NULL;
}

/* Extraction, on validated attributes only. */

static const struct nlattr *attr_get(const uint8_t *data, int len, int type)
{
	const struct nlattr *a;
	int rem = len;

	for (a = (const struct nlattr *)data; nla_ok(a, rem); a = nla_next(a, &rem))
		if (nla_type(a) == type)
			return a;
	return NULL;
}

#define NEST_DATA(a)	((const uint8_t *)nla_data(a))

static uint64_t attr_uint(const uint8_t *data, int len, int type)
{
	const struct nlattr *a = attr_get(data, len, type);

	if (!a)
		return 0;
	switch (nla_len(a)) {
	case 1: return nla_get_u8((struct nlattr *)a);
	case 2: return nla_get_u16((struct nlattr *)a);
	case 4: return nla_get_u32((struct nlattr *)a);
	case 8: return nla_get_u64((struct nlattr *)a);
	}
	return 0;
}

static void parse_prefix_list(const struct nlattr *list, int *n, int max,
			      struct snap_pfx *out)
{
	const struct nlattr *p;
	int rem;

	*n = 0;
	nla_for_each_nested(p, (struct nlattr *)list, rem) {
		if (*n < max) {
			out[*n].addr = attr_uint(NEST_DATA(p), nla_len(p), PCPNAT_PFX_A_ADDR);
			out[*n].len = attr_uint(NEST_DATA(p), nla_len(p), PCPNAT_PFX_A_LEN);
		}
		(*n)++;
	}
}

/* attrs: the genl payload of a validated CONFIG_GET reply. */
static const char *parse_cfg(const uint8_t *attrs, int len, struct cfgsnap *s)
{
	const struct nlattr *c = attr_get(attrs, len, PCPNAT_A_CONFIG);
	const uint8_t *d = NEST_DATA(c);
	int n = nla_len(c);

	memset(s, 0, sizeof(*s));
	s->version = attr_uint(attrs, len, PCPNAT_A_VERSION);
	s->ifindex = attr_uint(d, n, PCPNAT_CFG_A_EXT_IFINDEX);
	s->udp = attr_uint(d, n, PCPNAT_CFG_A_UDP_TIMEOUT);
	s->tcp_est = attr_uint(d, n, PCPNAT_CFG_A_TCP_EST_TIMEOUT);
	s->tcp_trans = attr_uint(d, n, PCPNAT_CFG_A_TCP_TRANS_TIMEOUT);
	s->icmp = attr_uint(d, n, PCPNAT_CFG_A_ICMP_TIMEOUT);
	s->quota = attr_uint(d, n, PCPNAT_CFG_A_SUBSCRIBER_QUOTA);
	s->max = attr_uint(d, n, PCPNAT_CFG_A_MAX_MAPPINGS);
	s->pmin = attr_uint(d, n, PCPNAT_CFG_A_PORT_MIN);
	s->pmax = attr_uint(d, n, PCPNAT_CFG_A_PORT_MAX);
	s->filtering = attr_uint(d, n, PCPNAT_CFG_A_FILTERING);
	s->allow_all = attr_uint(d, n, PCPNAT_CFG_A_ALLOW_ALL_PORTS);
	s->standby = attr_uint(d, n, PCPNAT_CFG_A_STANDBY);
	s->state_id = attr_uint(d, n, PCPNAT_CFG_A_STATE_ID);
	s->mappings = attr_uint(d, n, PCPNAT_CFG_A_MAPPINGS);
	parse_prefix_list(attr_get(d, n, PCPNAT_CFG_A_EXT_POOL), &s->npool,
			  PCPNAT_POOL_MAX, s->pool);
	parse_prefix_list(attr_get(d, n, PCPNAT_CFG_A_INT_PREFIXES), &s->nint,
			  PCPNAT_INTERNAL_MAX, s->internal);
	if (s->version != PCPNAT_GENL_VERSION)
		return "CONFIG_GET: wrong version";
	if (s->npool > PCPNAT_POOL_MAX || s->nint > PCPNAT_INTERNAL_MAX)
		return "CONFIG_GET: more prefixes than the limits";
	return NULL;
}

/* attrs: the genl payload of a validated mapping reply. */
static const char *parse_map(const uint8_t *attrs, int len, struct mapv *v)
{
	const struct nlattr *m = attr_get(attrs, len, PCPNAT_A_MAP), *a, *f;
	const uint8_t *d = NEST_DATA(m);
	int n = nla_len(m), rem;

	memset(v, 0, sizeof(*v));
	v->key.proto = attr_uint(d, n, PCPNAT_MAP_A_PROTO);
	v->key.addr = attr_uint(d, n, PCPNAT_MAP_A_INT_ADDR);
	v->key.port = attr_uint(d, n, PCPNAT_MAP_A_INT_PORT);
	v->ext_addr = attr_uint(d, n, PCPNAT_MAP_A_EXT_ADDR);
	v->ext_port = attr_uint(d, n, PCPNAT_MAP_A_EXT_PORT);
	v->kind = attr_uint(d, n, PCPNAT_MAP_A_KIND);
	v->lifetime = attr_uint(d, n, PCPNAT_MAP_A_LIFETIME);
	v->sub = attr_uint(d, n, PCPNAT_MAP_A_SUBSCRIBER);
	a = attr_get(d, n, PCPNAT_MAP_A_NONCE);
	if (a) {
		v->has_nonce = true;
		memcpy(v->nonce, nla_data(a), PCPNAT_NONCE_LEN);
	}
	a = attr_get(d, n, PCPNAT_MAP_A_IDLE);
	if (a) {
		v->has_idle = true;
		v->idle = nla_get_u32((struct nlattr *)a);
	}
	a = attr_get(d, n, PCPNAT_MAP_A_DESCR);
	if (a)
		memcpy(v->descr, nla_data(a), nla_len(a));	/* NUL-terminated, <= 128 */
	a = attr_get(d, n, PCPNAT_MAP_A_FILTERS);
	if (a) {
		nla_for_each_nested(f, (struct nlattr *)a, rem) {
			if (v->nfilters == PCPNAT_FILTERS_MAX)
				return "mapping: more FILTERs than PCPNAT_FILTERS_MAX";
			v->f[v->nfilters].addr = attr_uint(NEST_DATA(f), nla_len(f),
							   PCPNAT_FILTER_A_ADDR);
			v->f[v->nfilters].plen = attr_uint(NEST_DATA(f), nla_len(f),
							   PCPNAT_FILTER_A_PLEN);
			v->f[v->nfilters].port = attr_uint(NEST_DATA(f), nla_len(f),
							   PCPNAT_FILTER_A_PORT);
			if (v->f[v->nfilters].plen < 1 || v->f[v->nfilters].plen > 32)
				return "mapping: FILTER prefix length outside 1..32";
			v->nfilters++;
		}
	}
	if (v->kind != IMPL && v->kind != EXPL)
		return "mapping: unknown kind";
	if (v->has_nonce != (v->kind == EXPL))
		return "mapping: nonce present iff explicit, it is not";
	if (v->key.proto != IPPROTO_UDP && v->key.proto != IPPROTO_TCP &&
	    v->key.proto != IPPROTO_ICMP)
		return "mapping: protocol that is not translated";
	return NULL;
}

static void parse_stats(const uint8_t *attrs, int len, uint64_t *v)
{
	const struct nlattr *s = attr_get(attrs, len, PCPNAT_A_STATS);
	int i;

	for (i = 0; i <= PCPNAT_STATS_A_MAX; i++)
		v[i] = i == PCPNAT_STATS_A_PAD ? 0 :
		       attr_uint(NEST_DATA(s), nla_len(s), i);
}

/* ------------------------------------------------------------------ */
/* The known state, as the kernel should show it. */

static void canon_view(int i, struct mapv *v)
{
	const struct canon_map *c = &canon[i];
	int j;

	memset(v, 0, sizeof(*v));
	v->key.proto = c->proto;
	v->key.addr = htonl(c->int_addr);
	v->key.port = htons(c->int_port);
	v->ext_addr = htonl(c->ext_addr);
	v->ext_port = htons(c->ext_port);
	v->kind = c->kind;
	v->sub = htonl(c->sub ? c->sub : c->int_addr);
	v->has_nonce = c->kind == EXPL;
	if (v->has_nonce)
		fill_nonce(v->nonce, c->nonce);
	v->has_idle = c->kind == IMPL;	/* PEER-style: counts as traffic */
	v->nfilters = c->nfilters;
	for (j = 0; j < c->nfilters; j++) {
		uint32_t addr;
		uint16_t port;

		canon_filter(j, &addr, &v->f[j].plen, &port);
		v->f[j].addr = htonl(addr);
		v->f[j].port = htons(port);
	}
	if (c->descr)
		snprintf(v->descr, sizeof(v->descr), "%s", c->descr);
}

static int canon_find(const struct mkey *k)
{
	int i;

	for (i = 0; i < NCANON; i++)
		if (canon[i].proto == k->proto && htonl(canon[i].int_addr) == k->addr &&
		    htons(canon[i].int_port) == k->port)
			return i;
	return -1;
}

/* The configuration the canonical CONFIG_SET makes, as CONFIG_GET shows it. */
static void canon_cfg_view(struct cfgsnap *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->version = PCPNAT_GENL_VERSION;
	for (i = 0; i < ARRAY_LEN(canon_pool); i++) {
		s->pool[i].addr = htonl(canon_pool[i].addr);
		s->pool[i].len = canon_pool[i].len;
	}
	s->npool = ARRAY_LEN(canon_pool);
	for (i = 0; i < ARRAY_LEN(canon_internal); i++) {
		s->internal[i].addr = htonl(canon_internal[i].addr);
		s->internal[i].len = canon_internal[i].len;
	}
	s->nint = ARRAY_LEN(canon_internal);
	for (i = 0; i < ARRAY_LEN(canon_cfg); i++) {
		uint32_t v = canon_cfg[i].value;

		switch (canon_cfg[i].type) {
		case PCPNAT_CFG_A_EXT_IFINDEX: s->ifindex = v; break;
		case PCPNAT_CFG_A_PORT_MIN: s->pmin = v; break;
		case PCPNAT_CFG_A_PORT_MAX: s->pmax = v; break;
		case PCPNAT_CFG_A_UDP_TIMEOUT: s->udp = v; break;
		case PCPNAT_CFG_A_TCP_EST_TIMEOUT: s->tcp_est = v; break;
		case PCPNAT_CFG_A_TCP_TRANS_TIMEOUT: s->tcp_trans = v; break;
		case PCPNAT_CFG_A_ICMP_TIMEOUT: s->icmp = v; break;
		case PCPNAT_CFG_A_FILTERING: s->filtering = v; break;
		case PCPNAT_CFG_A_SUBSCRIBER_QUOTA: s->quota = v; break;
		case PCPNAT_CFG_A_MAX_MAPPINGS: s->max = v; break;
		case PCPNAT_CFG_A_ALLOW_ALL_PORTS: s->allow_all = v; break;
		case PCPNAT_CFG_A_STANDBY: s->standby = v; break;
		}
	}
}

/* Same configuration; with_state: same state id and mapping count too. */
static bool cfg_same(const struct cfgsnap *a, const struct cfgsnap *b, bool with_state)
{
	struct cfgsnap t = *b;

	if (!with_state) {
		t.state_id = a->state_id;
		t.mappings = a->mappings;
	}
	return !memcmp(a, &t, sizeof(t));
}

/* Same mapping, but for the time that passes (lifetime left, idle time). */
static bool map_same(const struct mapv *a, const struct mapv *b)
{
	struct mapv x = *a, y = *b;

	x.lifetime = y.lifetime = x.idle = y.idle = 0;
	return !memcmp(&x, &y, sizeof(x));
}

/* A canonical mapping's lifetime left, given the seconds since it was made. */
static bool lifetime_ok(const struct fuzz *fz, const struct mapv *v)
{
	double age = now_s() - fz->t_start;

	return v->lifetime <= FZ_LIFETIME && v->lifetime + age + 5 >= FZ_LIFETIME;
}

/*
 * A mapping the kernel showed while the state was the known one: it must
 * be a canonical mapping, exactly (and there are none when unconfigured).
 */
static void check_known_mapping(struct fuzz *fz, const struct req *r, const struct mapv *v)
{
	struct mapv c;
	int i = canon_find(&v->key);

	if (!fz->configured || i < 0) {
		fz_fail(fz, r, "reply shows a mapping that does not exist (proto %u %08x:%u)",
			v->key.proto, ntohl(v->key.addr), ntohs(v->key.port));
		fz->b.unknown = true;
		return;
	}
	canon_view(i, &c);
	if (!map_same(v, &c) || !lifetime_ok(fz, v)) {
		fz_fail(fz, r, "reply shows canonical mapping %d other than it is", i);
		fz->b.unknown = true;
	}
}

/* Counters that only a change of state moves (not refusals, not time). */
static bool stats_same(const uint64_t *a, const uint64_t *b)
{
	int i;

	for (i = 0; i <= PCPNAT_STATS_A_MAX; i++) {
		if (i == PCPNAT_STATS_A_ALLOC_NO_PORT || i == PCPNAT_STATS_A_ALLOC_QUOTA ||
		    i == PCPNAT_STATS_A_TABLE_FULL)
			continue;	/* refused MAP_ADDs count here */
		if (a[i] != b[i])
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Sending a batch, receiving and checking every answer. */

static void batch_begin(struct fuzz *fz)
{
	fz->nreq = 0;
	memset(&fz->b, 0, sizeof(fz->b));
	fz->b.base = fz->ref_cfg;
}

static struct req *req_new(struct fuzz *fz, int kind)
{
	struct req *r = &fz->req[fz->nreq++];

	memset(r, 0, offsetof(struct req, buf));
	r->kind = kind;
	r->index = -1;
	r->expect_answer = true;
	return r;
}

/* Where the message goes, as the kernel will see it; its sequence number. */
static void req_seal(struct fuzz *fz, struct req *r)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(r->buf + NLMSG_HDRLEN);

	r->seq = fz->seq++;
	if (r->len >= NLMSG_HDRLEN)
		nlh->nlmsg_seq = r->seq;
	if (r->len < NLMSG_HDRLEN + GENL_HDRLEN ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		r->cat = C_SHORT;
		return;
	}
	r->cmd = g->cmd;
	r->may_dump = g->cmd == PCPNAT_CMD_MAP_GET &&
		      (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	r->cat = r->may_dump ? C_DUMP : g->cmd <= PCPNAT_CMD_MAX ? g->cmd : C_OTHER;
}

static struct req *req_msg(struct fuzz *fz, int kind, const struct fmsg *m, int ok_err)
{
	struct req *r = req_new(fz, kind);

	r->len = m_serialize(m, fz->fam, r->buf, fz->off);
	r->ok_err = ok_err;
	req_seal(fz, r);
	return r;
}

static struct req *req_simple(struct fuzz *fz, int kind, uint8_t cmd, uint16_t flags)
{
	m_init(&fz->m, cmd);
	fz->m.flags = flags;
	return req_msg(fz, kind, &fz->m, 0);
}

/*
 * The length field against the datagram: longer, or below a header, and
 * the netlink core drops the message unanswered; shorter, and it parses
 * less, the rest (under a header's worth, so it is not taken for another
 * message) ignored.
 */
static void lie_about_length(struct req *r)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;
	int lo;

	switch (rnd(4)) {
	case 0:
		nlh->nlmsg_len = r->len + 1 + rnd(chance(50) ? 4 : 100000);
		r->expect_answer = false;
		break;
	case 1:
		nlh->nlmsg_len = rnd(NLMSG_HDRLEN);
		r->expect_answer = false;
		break;
	case 2:		/* not even a header's worth (0 bytes: sendmsg ENODATA) */
		r->len = 1 + rnd(NLMSG_HDRLEN - 1);
		r->expect_answer = false;
		break;
	default:
		lo = r->len - (NLMSG_HDRLEN - 1);
		if (lo < NLMSG_HDRLEN)
			lo = NLMSG_HDRLEN;
		if (lo < r->len)
			nlh->nlmsg_len = lo + rnd(r->len - lo);
		break;
	}
}

/* One generated message: mostly a valid one mutated, some pure noise. */
static void gen_fuzz(struct fuzz *fz, struct req *r)
{
	struct fmsg *m = &fz->m;
	int t = pick_target(), mode = rnd(100), k;

	/* A valid CONFIG_SET as it is: expensive (see target_weight), nothing new. */
	if (t == T_CONFIG_SET && mode >= 22 && mode < 27)
		mode = 27;
	build_template(m, t);
	if (mode < 8) {
		/* Random bytes after the headers. */
		r->len = m_serialize(m, fz->fam, r->buf, fz->off);
		r->len = NLMSG_HDRLEN + GENL_HDRLEN;
		k = rnd(chance(80) ? 64 : 512);
		rnd_bytes(r->buf + r->len, k);
		r->len += k;
		((struct nlmsghdr *)r->buf)->nlmsg_len = r->len;
	} else {
		if (mode < 22)
			random_attrs(m);
		else if (mode >= 27)	/* 22..26: the valid message as it is */
			/* Often one mutation only: the deeper checks see more. */
			for (k = chance(50) ? 1 : 2 + rnd(3); k--;)
				mutate_tree(m);
		if (chance(8))
			mutate_header(m);
		r->len = m_serialize(m, fz->fam, r->buf, fz->off);
		if (mode >= 27 && chance(30))
			for (k = 1 + rnd(3); k--;)
				r->len = mutate_bytes(r->buf, r->len, fz->off, m->n);
	}
	if (chance(3))
		lie_about_length(r);
	req_seal(fz, r);
}

static void note_touched(struct fuzz *fz, const struct req *r)
{
	struct bstate *b = &fz->b;

	if (!r->has_key || b->ntouched == FZ_TOUCHED_MAX) {
		b->touched_all = true;	/* cannot tell which: put all back */
		return;
	}
	b->touched[b->ntouched++] = r->key;
}

/* The final answer to r: an ack, an error, or the end of a dump. */
static void on_final(struct fuzz *fz, struct req *r, int err, bool has_info)
{
	struct bstate *b = &fz->b;
	struct catstat *cs = &fz->cat[r->cat];
	int e = -err;

	r->done = true;
	r->err = err;
	fz->pending--;
	if (err > 0 || err < -4095) {
		fz_fail(fz, r, "error code %d is no errno", err);
		return;
	}
	/*
	 * The receive queue was too full for a dump's first part: the core
	 * says ENOBUFS, yet the dump stays registered and goes on (answers
	 * after this final one). Answers were lost, as with ENOBUFS on recvmsg.
	 */
	if (err == -ENOBUFS && r->may_dump) {
		b->overrun = true;
		if (r->kind != R_FUZZ)
			return;
	}
	if (r->kind != R_FUZZ) {
		if (err && err != r->ok_err) {
			if (r->kind == R_CTL) {
				b->ctl_failed = true;
				ksft_print_msg("restoring the known state: request %d, %s, refused: %s (%s)\n",
					       (int)(r - fz->req), cat_name(r->cat), strerror(e),
					       r->errmsg);
			} else {
				fz_fail(fz, r, "control request refused: %s (%s)",
					strerror(e), r->errmsg);
			}
		}
		return;
	}

	if (err) {
		cs->rejected++;
		cs->err[e < ERRNO_MAX ? e : ERRNO_MAX]++;
		if (!has_info) {
			cs->no_info++;
			/* Not the core's "no such op": pcpnat's own, worth a look. */
			if (cat_has_op(r->cat) && e != EOPNOTSUPP && e != ENOBUFS &&
			    fz->no_info_shown < 3) {
				fz->no_info_shown++;
				ksft_print_msg("note: %s refused with %s and no extack:\n",
					       cat_name(r->cat), strerrorname_np(e) ?: "?");
				report_req(fz, r);
			}
		}
		if (!errno_allowed(r->cat, e) &&
		    !(r->cat == C_DUMP && errno_allowed(PCPNAT_CMD_MAP_GET, e)))
			fz_fail(fz, r, "%s refused with %s (%s), which its ABI does not list",
				cat_name(r->cat), strerrorname_np(e) ?: "?", r->errmsg);
		if (r->nreplies && !r->may_dump)
			fz_fail(fz, r, "a reply and then an error");
		return;
	}

	cs->accepted++;
	if (!cat_has_op(r->cat)) {
		fz_fail(fz, r, "%s, a command with no op, accepted", cat_name(r->cat));
		return;
	}
	if (!r->may_dump && r->nreplies != (reply_schema(r->cmd) ? 1 : 0))
		fz_fail(fz, r, "%s accepted with %d replies", cat_name(r->cat), r->nreplies);
	if (!cat_mutating(r->cat))
		return;
	b->dirty = b->accepted_since_fp = true;
	switch (r->cat) {
	case PCPNAT_CMD_MAP_ADD:
	case PCPNAT_CMD_MAP_DEL:
		note_touched(fz, r);
		break;
	case PCPNAT_CMD_FLUSH:
		b->flush = true;	/* a full flush changes the state id */
		if (!r->has_flushed || r->flushed)
			b->touched_all = true;
		break;
	case PCPNAT_CMD_STATS_RESET:
		b->stats_reset = true;
		break;
	case PCPNAT_CMD_CONFIG_SET:
		/* Even if a later one put it back: a pool change took mappings. */
		b->config = true;
		break;
	}
}

/* A fingerprint: unchanged, unless something was accepted since the last. */
static void on_fingerprint(struct fuzz *fz, int idx, const struct cfgsnap *s)
{
	struct bstate *b = &fz->b;
	int i;

	fz->fp_checks++;
	if (!cfg_same(s, &b->base, true) && !b->accepted_since_fp) {
		fz_fail(fz, NULL, "configuration or table changed (mappings %u -> %u, state id %s), yet every message since the last check was refused:",
			b->base.mappings, s->mappings,
			s->state_id == b->base.state_id ? "same" : "changed");
		for (i = b->since_fp; i < idx; i++)
			if (fz->req[i].kind == R_FUZZ && fz->fails <= FZ_REPORTS)
				report_req(fz, &fz->req[i]);
		b->unknown = true;
	}
	b->base = *s;
	b->accepted_since_fp = false;
	b->since_fp = idx + 1;
}

/* A genl reply: right command, right shape, then what it says. */
static void on_reply(struct fuzz *fz, struct req *r, int idx, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = nlmsg_data(nlh);
	const uint8_t *attrs = (const uint8_t *)g + GENL_HDRLEN;
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	const struct vset *vs;
	const char *e;
	struct cfgsnap s;
	struct mapv v;

	r->nreplies++;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		fz_fail(fz, r, "reply without a genl header");
		return;
	}
	if (g->cmd != r->cmd || g->version != PCPNAT_GENL_VERSION || g->reserved) {
		fz_fail(fz, r, "reply header: cmd %u version %u reserved %u",
			g->cmd, g->version, g->reserved);
		return;
	}
	if (!!(nlh->nlmsg_flags & NLM_F_MULTI) != r->may_dump) {
		fz_fail(fz, r, "NLM_F_MULTI %s a dump", r->may_dump ? "missing in" : "outside");
		return;
	}
	if (!r->may_dump && r->nreplies > 1) {
		fz_fail(fz, r, "more than one reply to a doit");
		return;
	}
	vs = reply_schema(g->cmd);
	if (!vs) {
		fz_fail(fz, r, "a reply to %s, which has none", cat_name(r->cat));
		return;
	}
	e = vcheck(vs, attrs, len);
	if (e) {
		fz_fail(fz, r, "malformed reply: %s", e);
		return;
	}

	switch (g->cmd) {
	case PCPNAT_CMD_CONFIG_GET:
		e = parse_cfg(attrs, len, &s);
		if (e)
			break;
		if (r->kind == R_FP)
			on_fingerprint(fz, idx, &s);
		else if (r->kind == R_CFG)
			fz->cfg_now = s;
		else if (r->kind == R_FUZZ && !fz->b.dirty && !cfg_same(&s, &fz->b.base, true)) {
			fz_fail(fz, r, "CONFIG_GET shows another state than the last fingerprint");
			fz->b.unknown = true;
		}
		break;
	case PCPNAT_CMD_MAP_ADD:
	case PCPNAT_CMD_MAP_DEL:
	case PCPNAT_CMD_MAP_GET:
		e = parse_map(attrs, len, &v);
		if (e)
			break;
		r->has_key = true;
		r->key = v.key;
		if (r->kind == R_DUMP) {
			if (fz->ndump < (int)ARRAY_LEN(fz->dump))
				fz->dump[fz->ndump++] = v;
			else
				fz->dump_overflow = true;
		} else if (r->kind == R_FUZZ && g->cmd == PCPNAT_CMD_MAP_GET && !fz->b.dirty) {
			check_known_mapping(fz, r, &v);
		}
		break;
	case PCPNAT_CMD_STATS_GET:
		if (r->kind == R_STATS)
			parse_stats(attrs, len, fz->stats_now);
		break;
	case PCPNAT_CMD_FLUSH:
		r->has_flushed = true;
		r->flushed = attr_uint(attrs, len, PCPNAT_A_FLUSHED);
		break;
	}
	if (e)
		fz_fail(fz, r, "reply: %s", e);
}

/*
 * The extack of an error or a dump's end: well formed, pointing inside r.
 * Returns whether it says anything: a message, a bad or a missing attribute.
 */
static bool check_extack(struct fuzz *fz, struct req *r, const uint8_t *p, int len)
{
	const struct nlmsghdr *sent = (const struct nlmsghdr *)r->buf;
	const char *e = vcheck(&vs_ack, p, len);
	const struct nlattr *a;
	uint32_t off;

	if (e) {
		fz_fail(fz, r, "malformed extack: %s", e);
		return false;
	}
	a = attr_get(p, len, NLMSGERR_ATTR_OFFS);
	if (!a)
		a = attr_get(p, len, NLMSGERR_ATTR_MISS_NEST);
	if (a) {
		off = nla_get_u32((struct nlattr *)a);
		if (off < NLMSG_HDRLEN + GENL_HDRLEN || off >= sent->nlmsg_len ||
		    off >= (uint32_t)r->len)
			fz_fail(fz, r, "extack offset %u outside the message (%u bytes)",
				off, sent->nlmsg_len);
	}
	a = attr_get(p, len, NLMSGERR_ATTR_MSG);
	if (a)
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", (const char *)nla_data(a));
	return a || attr_get(p, len, NLMSGERR_ATTR_OFFS) ||
	       attr_get(p, len, NLMSGERR_ATTR_MISS_TYPE);
}

static void on_error(struct fuzz *fz, struct req *r, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = nlmsg_data(nlh);
	int tlv = NLMSG_HDRLEN + sizeof(*err);
	bool has_info = false;

	if (nlh->nlmsg_len < (uint32_t)tlv) {
		fz_fail(fz, r, "NLMSG_ERROR of %u bytes", nlh->nlmsg_len);
		on_final(fz, r, -EIO, false);
		return;
	}
	/* The request's own header comes back, as sent. */
	if (memcmp(&err->msg, r->buf, NLMSG_HDRLEN))
		fz_fail(fz, r, "NLMSG_ERROR quotes another header");
	/* We asked for NETLINK_CAP_ACK: the request is not quoted further. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		fz_fail(fz, r, "NLMSG_ERROR without NLM_F_CAPPED");
	else if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && (int)nlh->nlmsg_len > tlv)
		has_info = check_extack(fz, r, (const uint8_t *)nlh + tlv,
				       nlh->nlmsg_len - tlv);
	on_final(fz, r, err->error, has_info);
}

static void on_done(struct fuzz *fz, struct req *r, const struct nlmsghdr *nlh)
{
	int tlv = NLMSG_HDRLEN + sizeof(int), err;
	bool has_info = false;

	if (!r->may_dump || nlh->nlmsg_len < (uint32_t)tlv) {
		fz_fail(fz, r, "NLMSG_DONE of %u bytes to %s", nlh->nlmsg_len,
			r->may_dump ? "a dump" : "a doit");
		on_final(fz, r, -EIO, false);
		return;
	}
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && (int)nlh->nlmsg_len > tlv)
		has_info = check_extack(fz, r, (const uint8_t *)nlh + tlv,
				       nlh->nlmsg_len - tlv);
	on_final(fz, r, err, has_info);
}

/* One netlink message received: find its request and check it. */
static void on_message(struct fuzz *fz, const struct nlmsghdr *nlh)
{
	uint32_t idx = nlh->nlmsg_seq - fz->seq0;
	struct req *r;
	int i;

	fz->replies++;
	if (idx >= (uint32_t)fz->nreq || fz->req[idx].seq != nlh->nlmsg_seq) {
		fz_fail(fz, NULL, "message type %u for sequence %u, which is not waiting for one",
			nlh->nlmsg_type, nlh->nlmsg_seq);
		return;
	}
	r = &fz->req[idx];
	if (r->done) {
		if (!fz->b.lost && !fz->b.overrun)
			fz_fail(fz, r, "message type %u after the final answer", nlh->nlmsg_type);
		return;
	}
	if (!r->expect_answer) {
		fz_fail(fz, r, "an answer to a message the netlink core should drop");
		r->expect_answer = true;
		fz->pending++;
	}
	if (nlh->nlmsg_pid != fz->portid)
		fz_fail(fz, r, "answer to port %u, we are %u", nlh->nlmsg_pid, fz->portid);
	/* Requests are handled in order: everything before r is answered. */
	for (i = 0; i < (int)idx; i++)
		if (fz->req[i].expect_answer && !fz->req[i].done && !fz->req[i].may_dump &&
		    !fz->b.lost && !fz->b.overrun) {
			fz_fail(fz, &fz->req[i], "no answer, yet a later request got one");
			fz->req[i].done = true;
			fz->pending--;
		}

	if (nlh->nlmsg_type == NLMSG_ERROR)
		on_error(fz, r, nlh);
	else if (nlh->nlmsg_type == NLMSG_DONE)
		on_done(fz, r, nlh);
	else if (nlh->nlmsg_type == fz->fam)
		on_reply(fz, r, idx, nlh);
	else
		fz_fail(fz, r, "answer of type %u", nlh->nlmsg_type);
}

/* Send everything queued. */
static int batch_send(struct fuzz *fz, int from)
{
	int i, n = fz->nreq - from, sent;

	for (i = 0; i < n; i++) {
		struct req *r = &fz->req[from + i];

		fz->iov[i].iov_base = r->buf;
		fz->iov[i].iov_len = r->len;
		memset(&fz->mm[i], 0, sizeof(fz->mm[i]));
		fz->mm[i].msg_hdr.msg_iov = &fz->iov[i];
		fz->mm[i].msg_hdr.msg_iovlen = 1;
		if (r->expect_answer)
			fz->pending++;
		if (r->kind == R_FUZZ)
			fz->cat[r->cat].sent++;
		if (r->kind == R_FUZZ && !r->expect_answer)
			fz->cat[r->cat].unanswered++;
	}
	for (i = 0; i < n; i += sent) {
		sent = sendmmsg(fz->fd, &fz->mm[i], n - i, 0);
		if (sent <= 0) {
			fz_fail(fz, &fz->req[from + i], "sendmmsg: %s", strerror(errno));
			fz->fatal = true;
			return -1;
		}
	}
	return 0;
}

/* One datagram into fz->rbuf: its length, or -errno. */
static int recv_datagram(struct fuzz *fz, int flags)
{
	struct iovec iov = { fz->rbuf, sizeof(fz->rbuf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(fz->fd, &mh, flags);

	if (n < 0)
		return -errno;
	if (!n)
		return -ENODATA;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;	/* an answer larger than rbuf */
	return n;
}

/* Every message of the datagram in fz->rbuf; -1 if it cannot be taken apart. */
static int handle_datagram(struct fuzz *fz, int n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)fz->rbuf;
	int rem = n;

	while (rem >= NLMSG_HDRLEN) {
		int adv = NLMSG_ALIGN(nlh->nlmsg_len);

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > (uint32_t)rem) {
			fz_fail(fz, NULL, "answer framing: nlmsg_len %u, %d bytes left",
				nlh->nlmsg_len, rem);
			fz->fatal = true;
			return -1;
		}
		on_message(fz, nlh);
		if (adv > rem)
			adv = rem;
		rem -= adv;
		nlh = (const struct nlmsghdr *)((const uint8_t *)nlh + adv);
	}
	if (rem)
		fz_fail(fz, NULL, "%d bytes after the last message of a datagram", rem);
	return 0;
}

/*
 * Answers were lost to ENOBUFS. The socket stays congested until its queue
 * is empty, so read what is left without waiting, then ask once more: once
 * that is answered, everything sent before it is done with.
 */
static int resync(struct fuzz *fz)
{
	int n, from = fz->nreq;

	fz->enobufs++;
	fz->b.lost = true;
	while ((n = recv_datagram(fz, MSG_DONTWAIT)) > 0 || n == -ENOBUFS || n == -EINTR)
		if (n > 0 && handle_datagram(fz, n))
			return -1;
	if (n != -EAGAIN || fz->nreq == FZ_REQ_MAX) {
		fz_fail(fz, NULL, "resynchronising after ENOBUFS: %s", strerror(-n));
		fz->fatal = true;
		return -1;
	}
	req_simple(fz, R_SYNC, PCPNAT_CMD_CONFIG_GET, 0);
	return batch_send(fz, from);
}

/*
 * Send the batch, then read until every request that must be answered has
 * its final answer (after ENOBUFS: until the last resync request has). A
 * request unanswered for FZ_REPLY_TIMEOUT fails the run.
 */
static int batch_run(struct fuzz *fz)
{
	int i, n, overruns = 0;

	fz->seq0 = fz->req[0].seq;
	fz->pending = 0;
	if (batch_send(fz, 0))
		return -1;
	while (fz->pending > 0 && !(fz->b.lost && fz->req[fz->nreq - 1].done)) {
		n = recv_datagram(fz, 0);
		if (n == -EINTR)
			continue;
		if (n == -ENOBUFS && overruns++ < 5) {
			ksft_print_msg("ENOBUFS: answers were lost, resynchronising\n");
			if (resync(fz))
				return -1;
			continue;
		}
		if (n < 0) {
			fz_fail(fz, NULL, "recvmsg: %s%s", strerror(-n),
				n == -EAGAIN ? ", no answer in time to:" : "");
			for (i = 0; i < fz->nreq && n == -EAGAIN; i++)
				if (fz->req[i].expect_answer && !fz->req[i].done)
					report_req(fz, &fz->req[i]);
			fz->fatal = true;
			return -1;
		}
		if (handle_datagram(fz, n))
			return -1;
		if (fz->b.overrun && !fz->b.lost && resync(fz))
			return -1;
	}
	return fz->b.lost ? -ENOBUFS : 0;
}

/* ------------------------------------------------------------------ */
/* Setting up and restoring the known state. */

static int conn_open(struct fuzz *fz)
{
	int rcvbuf = FZ_RCVBUF;

	fz->fam = genl_util_open(&fz->sk, FZ_REPLY_TIMEOUT);
	if (fz->fam < 0)
		return -1;
	fz->fd = nl_socket_get_fd(fz->sk);
	fz->portid = nl_socket_get_local_port(fz->sk);
	/* A batch's answers must fit: above rmem_max, root only. */
	if (setsockopt(fz->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		return -1;
	return 0;
}

static void conn_close(struct fuzz *fz)
{
	if (fz->sk)
		nl_socket_free(fz->sk);
	fz->sk = NULL;
}

static void queue_map_add(struct fuzz *fz, int i)
{
	struct mreq q;

	canon_req(i, &q);
	put_map_add(&fz->m, &q);
	req_msg(fz, R_CTL, &fz->m, 0);
}

static void queue_map_force_del(struct fuzz *fz, const struct mkey *k)
{
	put_map_del(&fz->m, k->proto, ntohl(k->addr), ntohs(k->port), NULL,
		    PCPNAT_MAP_F_FORCE);
	req_msg(fz, R_CTL, &fz->m, -ENOENT);
}

/* The whole table by a dump, checked against the known one. */
static bool table_is_known(struct fuzz *fz)
{
	struct mapv c;
	int i, j;

	batch_begin(fz);
	fz->ndump = 0;
	fz->dump_overflow = false;
	req_simple(fz, R_DUMP, PCPNAT_CMD_MAP_GET, NLM_F_DUMP);
	if (batch_run(fz))
		return false;
	if (fz->ndump != (fz->configured ? NCANON : 0) || fz->dump_overflow) {
		ksft_print_msg("dump: %d mappings, %d expected\n", fz->ndump,
			       fz->configured ? NCANON : 0);
		return false;
	}
	for (i = 0; i < fz->ndump; i++) {
		j = canon_find(&fz->dump[i].key);
		if (j >= 0)
			canon_view(j, &c);
		if (j < 0 || !map_same(&fz->dump[i], &c) || !lifetime_ok(fz, &fz->dump[i])) {
			ksft_print_msg("dump: mapping proto %u %08x:%u is not the known one\n",
				       fz->dump[i].key.proto, ntohl(fz->dump[i].key.addr),
				       ntohs(fz->dump[i].key.port));
			return false;
		}
	}
	return true;
}

/* Read the configuration and counters (in the batch being built). */
static void queue_snapshot(struct fuzz *fz)
{
	req_simple(fz, R_CFG, PCPNAT_CMD_CONFIG_GET, 0);
	req_simple(fz, R_STATS, PCPNAT_CMD_STATS_GET, 0);
}

/*
 * Known state from scratch: canonical configuration, an empty table, the
 * canonical mappings. Unconfigured: a new network namespace.
 */
static int full_restore_once(struct fuzz *fz)
{
	struct cfgsnap want;
	int i, err;

	if (!fz->configured) {
		fz->netns_restores++;
		conn_close(fz);
		if (unshare(CLONE_NEWNET) || conn_open(fz)) {
			fz_fail(fz, NULL, "a new network namespace: %s", strerror(errno));
			fz->fatal = true;
			return -1;
		}
	}
	batch_begin(fz);
	if (fz->configured) {
		put_config_set(&fz->m, 100);
		req_msg(fz, R_CTL, &fz->m, 0);
		req_simple(fz, R_CTL, PCPNAT_CMD_FLUSH, 0);
		for (i = 0; i < NCANON; i++)
			queue_map_add(fz, i);
	}
	queue_snapshot(fz);
	err = batch_run(fz);
	if (err)
		return err;
	if (fz->b.ctl_failed)
		return -1;
	if (fz->configured) {
		canon_cfg_view(&want);
		want.state_id = fz->cfg_now.state_id;
		want.mappings = NCANON;
	} else {
		want = fz->cfg_now;	/* the defaults: pcpnat_genl.c checks them */
		if (want.state_id || want.mappings || want.npool)
			return -1;
	}
	if (!cfg_same(&fz->cfg_now, &want, true))
		return -1;
	if (!table_is_known(fz))
		return fz->b.lost ? -ENOBUFS : -1;
	fz->ref_cfg = fz->cfg_now;
	memcpy(fz->ref_stats, fz->stats_now, sizeof(fz->ref_stats));
	return 0;
}

/* As above; answers lost to ENOBUFS: it is all idempotent, once more. */
static int full_restore(struct fuzz *fz)
{
	int attempt, err = -1;

	fz->full_restores++;
	for (attempt = 0; attempt < 3; attempt++) {
		err = full_restore_once(fz);
		if (err != -ENOBUFS || fz->fatal)
			break;
	}
	if (err && !fz->fatal) {
		fz_fail(fz, NULL, "cannot set up the known state");
		fz->fatal = true;
	}
	return err ? -1 : 0;
}

/*
 * Undo what the batch's accepted messages did, from what their replies
 * said: the configuration if it differs, every mapping key an accepted
 * MAP_ADD or MAP_DEL named (deleted, and put back if canonical), all
 * canonical mappings after a flush. Falls back to full_restore().
 */
static void restore_state(struct fuzz *fz);

static void restore(struct fuzz *fz)
{
	double t0 = now_s();

	restore_state(fz);
	fz->t_restore += now_s() - t0;
}

static void restore_state(struct fuzz *fz)
{
	struct bstate b = fz->b;	/* batch_begin() clears it */
	bool all = b.touched_all || b.config;
	char failed[64] = "";
	int i, j;

	fz->restores++;
	if (b.lost || b.unknown || !fz->configured) {
		/* Unconfigured: only CONFIG_SET changes anything, and only once. */
		if (!fz->configured && cfg_same(&b.base, &fz->ref_cfg, true) &&
		    !b.lost && !b.unknown)
			return;
		full_restore(fz);
		return;
	}
	batch_begin(fz);
	if (!cfg_same(&b.base, &fz->ref_cfg, false)) {
		put_config_set(&fz->m, 100);
		req_msg(fz, R_CTL, &fz->m, 0);
	}
	for (i = 0; i < b.ntouched; i++)
		if (canon_find(&b.touched[i]) < 0)
			queue_map_force_del(fz, &b.touched[i]);
	for (i = 0; i < NCANON; i++) {
		bool hit = all;
		struct mapv c;

		canon_view(i, &c);
		for (j = 0; j < b.ntouched && !hit; j++)
			hit = canon_find(&b.touched[j]) == i;
		if (!hit)
			continue;
		queue_map_force_del(fz, &c.key);
		queue_map_add(fz, i);
	}
	queue_snapshot(fz);
	if (batch_run(fz) || fz->b.ctl_failed)
		snprintf(failed, sizeof(failed), "a request failed");
	else if (!cfg_same(&fz->cfg_now, &fz->ref_cfg, false))
		snprintf(failed, sizeof(failed), "configuration differs");
	else if (fz->cfg_now.mappings != NCANON)
		snprintf(failed, sizeof(failed), "%u mappings", fz->cfg_now.mappings);
	else if (!b.flush && fz->cfg_now.state_id != fz->ref_cfg.state_id)
		snprintf(failed, sizeof(failed), "state id changed without a flush");
	if (failed[0]) {
		if (fz->fatal)
			return;
		ksft_print_msg("restoring the known state failed (%s), starting over\n", failed);
		full_restore(fz);
		return;
	}
	fz->ref_cfg = fz->cfg_now;
	memcpy(fz->ref_stats, fz->stats_now, sizeof(fz->ref_stats));
}

/* Everything, compared with the known state. */
static void full_check(struct fuzz *fz, long at)
{
	double t0 = now_s();

	fz->full_checks++;
	batch_begin(fz);
	queue_snapshot(fz);
	if (batch_run(fz)) {
		if (!fz->fatal)		/* ENOBUFS: no telling; start over */
			full_restore(fz);
		return;
	}
	if (!cfg_same(&fz->cfg_now, &fz->ref_cfg, true) ||
	    !stats_same(fz->stats_now, fz->ref_stats) || !table_is_known(fz)) {
		if (fz->fatal)
			return;
		if (fz->b.lost) {
			full_restore(fz);
			return;
		}
		fz_fail(fz, NULL, "after message %ld the state is not the known one (seed 0x%llx)",
			at, (unsigned long long)fz->seed);
		full_restore(fz);
	}
	fz->t_check += now_s() - t0;
}

/* ------------------------------------------------------------------ */
/* The fuzz loop. */

/*
 * One batch: up to FZ_BATCH messages, a fingerprint after each of a
 * command that changes state or has no op, a dump only last (a second
 * dump would find the first still running and get EBUSY).
 */
static void fuzz_batch(struct fuzz *fz, long *next, long count)
{
	int nfuzz = 0, err;

	batch_begin(fz);
	while (nfuzz++ < FZ_BATCH && *next < count) {
		struct req *r = req_new(fz, R_FUZZ);

		r->index = (*next)++;
		gen_fuzz(fz, r);
		if (r->expect_answer && (cat_mutating(r->cat) || !cat_has_op(r->cat)) &&
		    r->cat != C_SHORT)
			req_simple(fz, R_FP, PCPNAT_CMD_CONFIG_GET, 0);
		if (r->may_dump)
			break;
	}
	err = batch_run(fz);
	if (fz->fatal)
		return;
	if (err || fz->b.dirty || fz->b.unknown)
		restore(fz);
}

static void fuzz_report(struct fuzz *fz, long count, double secs)
{
	long acc = 0, rej = 0, una = 0;
	int c, e;

	ksft_print_msg("%ld messages in %.1f s (%.0f/s), seed 0x%llx%s\n", count, secs,
		       count / (secs > 0 ? secs : 1), (unsigned long long)fz->seed,
		       fz->configured ? "" : ", unconfigured namespace");
	ksft_print_msg("%ld fingerprints, %ld full compares (%.1f s), %ld restores (%.1f s; %ld from scratch, %ld namespaces), %ld ENOBUFS, %ld answers\n",
		       fz->fp_checks, fz->full_checks, fz->t_check, fz->restores,
		       fz->t_restore, fz->full_restores, fz->netns_restores, fz->enobufs,
		       fz->replies);
	ksft_print_msg("%-18s %7s %8s %8s %10s  refusals by errno\n", "command", "sent",
		       "accepted", "refused", "unanswered");
	for (c = 0; c < C_N; c++) {
		struct catstat *s = &fz->cat[c];
		char errs[256] = "";
		int n = 0;

		if (!s->sent)
			continue;
		for (e = 1; e <= ERRNO_MAX; e++)
			if (s->err[e] && n < (int)sizeof(errs) - 40)
				n += snprintf(errs + n, sizeof(errs) - n, " %s:%ld",
					      e < ERRNO_MAX ? strerrorname_np(e) ?: "?" : "other",
					      s->err[e]);
		if (s->no_info)
			snprintf(errs + n, sizeof(errs) - n, " (%ld with no extack)",
				 s->no_info);
		ksft_print_msg("%-18s %7ld %8ld %8ld %10ld %s\n", cat_name(c), s->sent,
			       s->accepted, s->rejected, s->unanswered, errs);
		acc += s->accepted;
		rej += s->rejected;
		una += s->unanswered;
	}
	ksft_print_msg("%-18s %7ld %8ld %8ld %10ld\n", "total", acc + rej + una, acc, rej, una);
}

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);

	return s && *s ? strtol(s, NULL, 0) : def;
}

static uint64_t env_seed(void)
{
	const char *s = getenv("PCPNAT_FUZZ_SEED");

	if (s && *s)
		return strtoull(s, NULL, 0);
	return (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid() ^ (uint64_t)(now_s() * 1e9);
}

static void fuzz_run(struct fuzz *fz, long count)
{
	long next = 0, next_full = FZ_FULL_EVERY;
	double t0;

	rnd_seed(fz->seed);
	ksft_print_msg("seed 0x%llx (PCPNAT_FUZZ_SEED), %ld messages (PCPNAT_FUZZ_COUNT)\n",
		       (unsigned long long)fz->seed, count);
	t0 = now_s();
	while (next < count && !fz->fatal && fz->fails < FZ_GIVE_UP) {
		fuzz_batch(fz, &next, count);
		if (next >= next_full && !fz->fatal) {
			full_check(fz, next);
			next_full += FZ_FULL_EVERY;
		}
	}
	if (!fz->fatal)
		full_check(fz, next);
	fuzz_report(fz, next, now_s() - t0);
	if (fz->fails > FZ_REPORTS)
		ksft_print_msg("%d failures, the first %d reported\n", fz->fails, FZ_REPORTS);
}

/* ------------------------------------------------------------------ */

FIXTURE(fuzz) {
	struct fuzz *fz;
};

FIXTURE_SETUP(fuzz)
{
	memset(descr_max, 'd', PCPNAT_DESCR_MAX - 1);
	self->fz = calloc(1, sizeof(*self->fz));
	ASSERT_NE(NULL, self->fz);
	self->fz->req = calloc(FZ_REQ_MAX, sizeof(*self->fz->req));
	ASSERT_NE(NULL, self->fz->req);
	self->fz->seed = env_seed();
	self->fz->seq = 1;
	/* A namespace of our own: no other test sees what we configure. */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, conn_open(self->fz)) TH_LOG("pcpnat family not found: module loaded?");
}

FIXTURE_TEARDOWN(fuzz)
{
	conn_close(self->fz);
	free(self->fz->req);
	free(self->fz);
}

/* Against the known state: configured, with mappings of every kind. */
TEST_F_TIMEOUT(fuzz, configured, 1800)
{
	struct fuzz *fz = self->fz;

	fz->configured = true;
	fz->t_start = now_s();
	ASSERT_EQ(0, full_restore(fz));
	fz->full_restores = 0;
	fuzz_run(fz, env_long("PCPNAT_FUZZ_COUNT", FZ_COUNT));
	ASSERT_FALSE(fz->fatal);
	EXPECT_EQ(0, fz->fails);
}

/*
 * Against a namespace never configured (no table, no counters): a tenth of
 * the messages. An accepted CONFIG_SET brings the instance to life; the
 * run then moves to a fresh namespace.
 */
TEST_F_TIMEOUT(fuzz, unconfigured, 1800)
{
	struct fuzz *fz = self->fz;
	long count = env_long("PCPNAT_FUZZ_COUNT", FZ_COUNT) / 10;

	fz->configured = false;
	fz->t_start = now_s();
	ASSERT_EQ(0, full_restore(fz));
	fz->full_restores = fz->netns_restores = 0;
	fuzz_run(fz, count > 0 ? count : 1);
	ASSERT_FALSE(fz->fatal);
	EXPECT_EQ(0, fz->fails);
}

TEST_HARNESS_MAIN
