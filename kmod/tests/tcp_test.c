// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: what traffic does to a mapping (table.c): the coarse TCP state
 * (pcpnat_touch_out, pcpnat_touch_in), the idle timeouts it selects
 * (pcpnat_idle_timeout, pcpnat_map_expired), the idle refresh and the
 * remembered peers of address-dependent filtering.
 *
 * The TCP rules are known to be too coarse: FIN or RST make a mapping
 * TRANSITORY, and any later bare ACK makes it ESTABLISHED again, so a
 * closed connection's mapping gets the 2 h 4 min timeout back. A datapath
 * fix will change that. Here:
 *  - what is right now and stays right is tested as such;
 *  - a case whose rule the fix will change is marked FIX WILL CHANGE (or
 *    FIX MAY CHANGE where the fix may reasonably go either way), in the
 *    table and in its description, so that whoever fixes it knows to
 *    update the case rather than the code;
 *  - the buggy behaviour itself is never asserted: the case that a closed
 *    connection stays transitory after its last ACKs comes with the fix.
 */
#include <linux/in.h>
#include <linux/jiffies.h>
#include "kt.h"

#define FIN	0x01
#define SYN	0x02
#define RST	0x04
#define PSH	0x08
#define ACK	0x10
#define URG	0x20
#define ECE	0x40
#define CWR	0x80

#define TRANS	PCPNAT_TCP_TRANSITORY
#define EST	PCPNAT_TCP_ESTABLISHED

static struct pcpnat_mapping *mapping(struct kunit *test, u8 proto, u8 state)
{
	struct pcpnat_mapping *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->key = kt_key(proto, 0x0a000001, 40000);
	m->ext_addr = htonl(KT_POOL_BASE);
	m->ext_port = htons(40000);
	m->kind = PCPNAT_KIND_IMPLICIT;
	m->tcp_state = state;
	m->subscriber = m->key.addr;
	m->last_used = 1;
	m->expires = 1;
	return m;
}

struct tcp_case {
	const char *desc;
	u8 from, flags, to;
};

static const struct tcp_case tcp_cases[] = {
	/* The handshake does not make a connection established. */
	{ "SYN keeps transitory", TRANS, SYN, TRANS },
	{ "SYN+ACK keeps transitory", TRANS, SYN | ACK, TRANS },
	{ "SYN+ECE+CWR keeps transitory", TRANS, SYN | ECE | CWR, TRANS },
	/* A segment with no flag that counts changes nothing. */
	{ "no flags keep transitory", TRANS, 0, TRANS },
	{ "no flags keep established", EST, 0, EST },
	{ "PSH keeps established", EST, PSH, EST },
	/* Data on an established connection keeps it so. */
	{ "ACK keeps established", EST, ACK, EST },
	{ "ACK+PSH keeps established", EST, ACK | PSH, EST },
	{ "ACK+ECE+CWR+URG keeps established", EST, ACK | ECE | CWR | URG, EST },
	/* RST ends a connection: transitory (RFC 5382, RFC 7857 2.1). */
	{ "RST makes transitory", EST, RST, TRANS },
	{ "RST+ACK makes transitory", EST, RST | ACK, TRANS },
	{ "RST keeps transitory", TRANS, RST, TRANS },
	{ "SYN+RST is transitory", EST, SYN | RST, TRANS },
	/*
	 * FIX MAY CHANGE: one FIN makes the mapping transitory at once; RFC
	 * 7857 2.1 waits for a FIN in each direction, which the fix may track.
	 */
	{ "FIN makes transitory (FIX MAY CHANGE)", EST, FIN, TRANS },
	{ "FIN+ACK makes transitory (FIX MAY CHANGE)", EST, FIN | ACK, TRANS },
	/*
	 * FIX WILL CHANGE: any bare ACK on a transitory mapping makes it
	 * established, the third segment of a handshake as much as one after
	 * FIN or RST; the fix will take that away from the closed states at
	 * least (and may want the handshake seen both ways).
	 */
	{ "ACK after handshake establishes (FIX WILL CHANGE)", TRANS, ACK, EST },
	{ "ACK+PSH after handshake establishes (FIX WILL CHANGE)", TRANS,
	  ACK | PSH, EST },
	/*
	 * FIX MAY CHANGE: a SYN on an established mapping (a new connection
	 * from the same endpoint) leaves it established.
	 */
	{ "SYN keeps established (FIX MAY CHANGE)", EST, SYN, EST },
};

KUNIT_ARRAY_PARAM_DESC(tcp, tcp_cases, desc);

/* The same rule whichever way the segment goes. */
static void tcp_state_transition(struct kunit *test)
{
	const struct tcp_case *c = test->param_value;
	struct pcpnat_mapping *in = mapping(test, IPPROTO_TCP, c->from);
	struct pcpnat_mapping *out = mapping(test, IPPROTO_TCP, c->from);

	pcpnat_touch_in(in, c->flags);
	pcpnat_touch_out(out, htonl(0xc6336401), c->flags);
	KUNIT_EXPECT_EQ(test, in->tcp_state, c->to);
	KUNIT_EXPECT_EQ(test, out->tcp_state, c->to);
}

/*
 * A whole connection, outbound and inbound segments as they come, from
 * the mapping's creation (transitory, table.c) to established: with the
 * handshake seen both ways this must hold after the fix too.
 */
static void tcp_handshake_establishes(struct kunit *test)
{
	struct pcpnat_mapping *m = mapping(test, IPPROTO_TCP, TRANS);
	__be32 r = htonl(0xc6336401);

	pcpnat_touch_out(m, r, SYN);
	KUNIT_EXPECT_EQ(test, m->tcp_state, TRANS);
	pcpnat_touch_in(m, SYN | ACK);
	KUNIT_EXPECT_EQ(test, m->tcp_state, TRANS);
	pcpnat_touch_out(m, r, ACK);
	KUNIT_EXPECT_EQ(test, m->tcp_state, EST);
	pcpnat_touch_in(m, ACK | PSH);
	pcpnat_touch_out(m, r, ACK);
	KUNIT_EXPECT_EQ(test, m->tcp_state, EST);
	/* Reset by the peer. */
	pcpnat_touch_in(m, RST);
	KUNIT_EXPECT_EQ(test, m->tcp_state, TRANS);
}

/* UDP and ICMP mappings have no TCP state: flags never change it. */
static void tcp_state_only_for_tcp(struct kunit *test)
{
	static const u8 protos[] = { IPPROTO_UDP, IPPROTO_ICMP };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		struct pcpnat_mapping *m = mapping(test, protos[i], TRANS);

		pcpnat_touch_in(m, ACK);
		pcpnat_touch_out(m, htonl(0xc6336401), ACK);
		KUNIT_EXPECT_EQ(test, m->tcp_state, TRANS);
		m->tcp_state = EST;
		pcpnat_touch_in(m, RST);
		pcpnat_touch_out(m, htonl(0xc6336401), FIN);
		KUNIT_EXPECT_EQ(test, m->tcp_state, EST);
	}
}

/*
 * Outbound traffic refreshes the idle time, never to 0 (0 is "never
 * used"); inbound does not (RFC 4787 REQ-6: a peer alone cannot keep a
 * mapping alive).
 */
static void touch_refresh(struct kunit *test)
{
	struct pcpnat_mapping *m = mapping(test, IPPROTO_UDP, TRANS);
	unsigned long before, after;

	m->last_used = 12345;
	pcpnat_touch_in(m, 0);
	KUNIT_EXPECT_EQ(test, m->last_used, 12345UL);
	m = mapping(test, IPPROTO_TCP, TRANS);
	m->last_used = 12345;
	pcpnat_touch_in(m, ACK);
	KUNIT_EXPECT_EQ(test, m->last_used, 12345UL);

	before = jiffies;
	pcpnat_touch_out(m, htonl(0xc6336401), ACK);
	after = jiffies;
	KUNIT_EXPECT_NE(test, m->last_used, 0UL);
	KUNIT_EXPECT_TRUE(test, (time_after_eq(m->last_used, before) &&
				 time_before_eq(m->last_used, after)) ||
				m->last_used == 1);
}

/*
 * Address-dependent filtering: the last two remote addresses the inside
 * sent to are admitted exactly; one pushed out stays admitted through the
 * bloom filter; under endpoint-independent filtering everyone is.
 */
static void touch_remembers_peers(struct kunit *test)
{
	struct pcpnat_config *cfg = kt_config(test, 0, 1024, 65535);
	struct pcpnat_mapping *m = mapping(test, IPPROTO_UDP, TRANS);
	__be32 a = htonl(0xc6336401), b = htonl(0xc6336402), c = htonl(0xcb007105);
	__be16 rp = htons(53);

	KUNIT_ASSERT_EQ(test, cfg->filtering, PCPNAT_FILTER_ADDRESS_DEPENDENT);
	KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));
	pcpnat_touch_out(m, a, 0);
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));
	KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m, b, rp));
	/* The same peer again moves nothing. */
	pcpnat_touch_out(m, a, 0);
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[0]), KT_RAW(a));
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[1]), 0U);
	pcpnat_touch_out(m, b, 0);
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[0]), KT_RAW(b));
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[1]), KT_RAW(a));
	KUNIT_EXPECT_EQ(test, m->peer_bloom, 0U);
	pcpnat_touch_out(m, a, 0);
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[0]), KT_RAW(b));
	pcpnat_touch_out(m, c, 0);
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[0]), KT_RAW(c));
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[1]), KT_RAW(b));
	KUNIT_EXPECT_NE(test, m->peer_bloom, 0U);
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, b, rp));
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, c, rp));

	cfg->filtering = PCPNAT_FILTER_ENDPOINT_INDEPENDENT;
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m,
						       htonl(0x08080808), rp));
}

struct timeout_case {
	const char *desc;
	u8 proto, state;
	/* offsetof the expected value in struct pcpnat_config */
	size_t field;
};

#define TO(d, p, s, f) { d, p, s, offsetof(struct pcpnat_config, f) }

static const struct timeout_case timeout_cases[] = {
	TO("UDP", IPPROTO_UDP, TRANS, udp_timeout),
	TO("UDP, TCP state ignored", IPPROTO_UDP, EST, udp_timeout),
	TO("TCP established", IPPROTO_TCP, EST, tcp_est_timeout),
	TO("TCP transitory", IPPROTO_TCP, TRANS, tcp_trans_timeout),
	TO("ICMP", IPPROTO_ICMP, TRANS, icmp_timeout),
	TO("ICMP, TCP state ignored", IPPROTO_ICMP, EST, icmp_timeout),
};

KUNIT_ARRAY_PARAM_DESC(timeout, timeout_cases, desc);

/*
 * The idle timeout is the configured one of the protocol and TCP state,
 * in jiffies: with the defaults (the RFC minima but UDP's 300 s), and with
 * a value of each its own, so that a mix-up shows.
 */
static void idle_timeout(struct kunit *test)
{
	const struct timeout_case *c = test->param_value;
	struct pcpnat_config *cfg = kt_config(test, 0, 1024, 65535);
	struct pcpnat_mapping *m = mapping(test, c->proto, c->state);
	u32 *want = (u32 *)((char *)cfg + c->field);

	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), (unsigned long)*want * HZ);
	cfg->udp_timeout = 1000;
	cfg->tcp_est_timeout = 86400;
	cfg->tcp_trans_timeout = 241;
	cfg->icmp_timeout = 61;
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), (unsigned long)*want * HZ);
	/* The largest a u32 holds does not overflow. */
	*want = U32_MAX;
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), (unsigned long)U32_MAX * HZ);
}

static void idle_timeout_defaults(struct kunit *test)
{
	struct pcpnat_config *cfg = kt_config(test, 0, 1024, 65535);

	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, mapping(test, IPPROTO_UDP, TRANS)),
			300UL * HZ);
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, mapping(test, IPPROTO_TCP, EST)),
			7440UL * HZ);
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, mapping(test, IPPROTO_TCP, TRANS)),
			240UL * HZ);
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, mapping(test, IPPROTO_ICMP, TRANS)),
			60UL * HZ);
}

/* The timeout follows the state as segments change it. */
static void idle_timeout_follows_state(struct kunit *test)
{
	struct pcpnat_config *cfg = kt_config(test, 0, 1024, 65535);
	struct pcpnat_mapping *m = mapping(test, IPPROTO_TCP, TRANS);

	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), 240UL * HZ);
	pcpnat_touch_out(m, htonl(0xc6336401), ACK);
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), 7440UL * HZ);
	pcpnat_touch_in(m, RST);
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), 240UL * HZ);
}

/*
 * Expiry: an implicit mapping lives its idle timeout after the last
 * outbound packet, or until a PCP PEER's lifetime if later; an explicit one
 * until its lifetime ends, traffic or not. Also across a jiffies wrap.
 */
static void map_expiry(struct kunit *test)
{
	static const unsigned long bases[] = { 1, 100000, ULONG_MAX - 100 * HZ };
	struct pcpnat_config *cfg = kt_config(test, 0, 1024, 65535);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		struct pcpnat_mapping *m = mapping(test, IPPROTO_UDP, TRANS);
		unsigned long l = bases[i], to = 300UL * HZ;

		m->last_used = l;
		m->expires = l;
		KUNIT_EXPECT_FALSE(test, pcpnat_map_expired(cfg, m, l));
		KUNIT_EXPECT_FALSE(test, pcpnat_map_expired(cfg, m, l + to - 1));
		KUNIT_EXPECT_TRUE(test, pcpnat_map_expired(cfg, m, l + to));
		KUNIT_EXPECT_TRUE(test, pcpnat_map_expired(cfg, m, l + to + HZ));
		/* PEER asked for longer. */
		m->expires = l + 2 * to;
		KUNIT_EXPECT_FALSE(test, pcpnat_map_expired(cfg, m, l + to));
		KUNIT_EXPECT_FALSE(test, pcpnat_map_expired(cfg, m, l + 2 * to - 1));
		KUNIT_EXPECT_TRUE(test, pcpnat_map_expired(cfg, m, l + 2 * to));
		/* ...and for shorter: the idle timeout still holds. */
		m->expires = l + 1;
		KUNIT_EXPECT_FALSE(test, pcpnat_map_expired(cfg, m, l + to - 1));

		/* Explicit: its lifetime alone. */
		m->kind = PCPNAT_KIND_EXPLICIT;
		m->expires = l + 10 * HZ;
		KUNIT_EXPECT_FALSE(test, pcpnat_map_expired(cfg, m, l + 10 * HZ - 1));
		KUNIT_EXPECT_TRUE(test, pcpnat_map_expired(cfg, m, l + 10 * HZ));
		m->expires = l + 2 * to;
		KUNIT_EXPECT_FALSE(test, pcpnat_map_expired(cfg, m, l + to + HZ));
	}
}

static struct kunit_case tcp_test_cases[] = {
	KUNIT_CASE_PARAM(tcp_state_transition, tcp_gen_params),
	KUNIT_CASE(tcp_handshake_establishes),
	KUNIT_CASE(tcp_state_only_for_tcp),
	KUNIT_CASE(touch_refresh),
	KUNIT_CASE(touch_remembers_peers),
	KUNIT_CASE_PARAM(idle_timeout, timeout_gen_params),
	KUNIT_CASE(idle_timeout_defaults),
	KUNIT_CASE(idle_timeout_follows_state),
	KUNIT_CASE(map_expiry),
	{}
};

static struct kunit_suite tcp_suite = {
	.name = "pcpnat_tcp",
	.test_cases = tcp_test_cases,
};

kunit_test_suite(tcp_suite);
