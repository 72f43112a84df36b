// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: what traffic does to a mapping (table.c, tcp_track.c, peers.c):
 * the TCP state (pcpnat_touch_out, pcpnat_touch_in), the idle timeouts it
 * selects (pcpnat_idle_timeout, pcpnat_map_expired), the idle refresh and
 * the exact peer set of address-dependent filtering.
 *
 * The TCP rules (RFC 5382 REQ-5, RFC 7857 section 2.2): a mapping is
 * transitory until the internal host ACKs a handshake, and again once a
 * FIN went each way or the host sent an RST; a later ACK does not undo
 * that, only a new SYN from the host (a new connection, opening) does.
 * From outside only a FIN counts: an ACK or RST that passes the filter
 * neither establishes nor ends a mapping.
 */
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <net/tcp.h>
#include "kt.h"

#define FIN	TCPHDR_FIN
#define SYN	TCPHDR_SYN
#define RST	TCPHDR_RST
#define PSH	TCPHDR_PSH
#define ACK	TCPHDR_ACK
#define URG	TCPHDR_URG
#define ECE	TCPHDR_ECE
#define CWR	TCPHDR_CWR

/* Opening: no bit set. */
#define TRANS	0
#define EST	PCPNAT_TCP_EST
#define FOUT	PCPNAT_TCP_FIN_OUT
#define FIN_I	PCPNAT_TCP_FIN_IN
#define RSTO	PCPNAT_TCP_RST
#define CLOSED	(EST | FOUT | FIN_I)

static struct pcpnat_mapping *mapping(struct kunit *test, u8 proto, u8 state)
{
	struct pcpnat_mapping *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->key = kt_key(proto, 0x0a000001, 40000);
	m->ext_addr = htonl(KT_POOL_BASE);
	m->ext_port = htons(40000);
	m->kind = PCPNAT_KIND_IMPLICIT;
	m->tcp = state;
	m->subscriber = m->key.addr;
	m->last_used = 1;
	m->expires = 1;
	return m;
}

/* The out-of-line peers a test made, freed however it ends. */
static void free_peers(void *m)
{
	pcpnat_peers_free(m);
}

static struct pcpnat_mapping *adf_mapping(struct kunit *test, u8 proto)
{
	struct pcpnat_mapping *m = mapping(test, proto, TRANS);

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_peers, m), 0);
	return m;
}

struct tcp_case {
	const char *desc;
	bool out;		/* sent by the internal host */
	u8 from, flags, to;
	bool transitory;	/* after the segment */
};

static const struct tcp_case tcp_cases[] = {
	/* The handshake does not make a connection established. */
	{ "out SYN keeps opening", true, TRANS, SYN, TRANS, true },
	{ "out SYN+ACK keeps opening", true, TRANS, SYN | ACK, TRANS, true },
	{ "out SYN+ECE+CWR keeps opening", true, TRANS, SYN | ECE | CWR, TRANS,
	  true },
	{ "in SYN+ACK keeps opening", false, TRANS, SYN | ACK, TRANS, true },
	/* A segment with no flag that counts changes nothing. */
	{ "out no flags keep opening", true, TRANS, 0, TRANS, true },
	{ "out no flags keep established", true, EST, 0, EST, false },
	{ "out PSH keeps established", true, EST, PSH, EST, false },
	/* The host's ACK after the handshake establishes. */
	{ "out ACK establishes", true, TRANS, ACK, EST, false },
	{ "out ACK+PSH establishes", true, TRANS, ACK | PSH, EST, false },
	/* ...an outsider's does not (it could keep the mapping 2 h). */
	{ "in ACK does not establish", false, TRANS, ACK, TRANS, true },
	{ "in ACK+PSH does not establish", false, TRANS, ACK | PSH, TRANS, true },
	/* Data on an established connection keeps it so. */
	{ "out ACK keeps established", true, EST, ACK, EST, false },
	{ "in ACK keeps established", false, EST, ACK, EST, false },
	{ "out ACK+ECE+CWR+URG keeps established", true, EST,
	  ACK | ECE | CWR | URG, EST, false },
	/* The host's RST ends the connection (RFC 7857 section 2.2). */
	{ "out RST makes transitory", true, EST, RST, EST | RSTO, true },
	{ "out RST+ACK makes transitory", true, EST, RST | ACK, EST | RSTO, true },
	{ "out RST keeps opening", true, TRANS, RST, RSTO, true },
	/* An inbound RST cannot be validated (RFC 5961 3.2): ignored. */
	{ "in RST is ignored", false, EST, RST, EST, false },
	{ "in RST+ACK is ignored", false, EST, RST | ACK, EST, false },
	{ "in FIN+RST is ignored", false, EST, FIN | RST, EST, false },
	/* One FIN is a half close: still established. */
	{ "out FIN is a half close", true, EST, FIN, EST | FOUT, false },
	{ "out FIN+ACK is a half close", true, EST, FIN | ACK, EST | FOUT, false },
	{ "in FIN is a half close", false, EST, FIN, EST | FIN_I, false },
	{ "in FIN+ACK is a half close", false, EST, FIN | ACK, EST | FIN_I,
	  false },
	/* A FIN each way: closed, transitory. */
	{ "out FIN after in FIN closes", true, EST | FIN_I, FIN | ACK, CLOSED,
	  true },
	{ "in FIN after out FIN closes", false, EST | FOUT, FIN | ACK, CLOSED,
	  true },
	/* Closed stays closed: the last ACKs do not undo it. */
	{ "out ACK keeps closed", true, CLOSED, ACK, CLOSED, true },
	{ "in ACK keeps closed", false, CLOSED, ACK, CLOSED, true },
	{ "out ACK keeps reset", true, EST | RSTO, ACK, EST | RSTO, true },
	{ "out ACK after a half close", true, EST | FOUT, ACK, EST | FOUT,
	  false },
	/* Only the host's SYN, a new connection, starts over: opening. */
	{ "out SYN reopens closed", true, CLOSED, SYN, TRANS, true },
	{ "out SYN reopens reset", true, EST | RSTO, SYN, TRANS, true },
	{ "out SYN on established is opening", true, EST, SYN, TRANS, true },
	{ "out SYN+RST is opening", true, EST, SYN | RST, TRANS, true },
	{ "in SYN keeps closed", false, CLOSED, SYN, CLOSED, true },
	{ "in SYN keeps established", false, EST, SYN, EST, false },
};

KUNIT_ARRAY_PARAM_DESC(tcp, tcp_cases, desc);

static void tcp_state_transition(struct kunit *test)
{
	const struct tcp_case *c = test->param_value;
	struct pcpnat_mapping *m = adf_mapping(test, IPPROTO_TCP);

	m->tcp = c->from;
	if (c->out)
		pcpnat_touch_out(m, htonl(0xc6336401), c->flags);
	else
		pcpnat_touch_in(m, c->flags);
	KUNIT_EXPECT_EQ(test, m->tcp, c->to);
	KUNIT_EXPECT_EQ(test, pcpnat_tcp_transitory(m), c->transitory);
}

/*
 * A whole connection, outbound and inbound segments as they come, from
 * the mapping's creation (opening, table.c) to established, closed, and
 * then a new connection from the same endpoint.
 */
static void tcp_connection(struct kunit *test)
{
	struct pcpnat_config *cfg = kt_config(test, 0, 1024, 65535);
	struct pcpnat_mapping *m = adf_mapping(test, IPPROTO_TCP);
	__be32 r = htonl(0xc6336401);

	pcpnat_touch_out(m, r, SYN);
	KUNIT_EXPECT_TRUE(test, pcpnat_tcp_transitory(m));
	pcpnat_touch_in(m, SYN | ACK);
	KUNIT_EXPECT_TRUE(test, pcpnat_tcp_transitory(m));
	pcpnat_touch_out(m, r, ACK);
	KUNIT_EXPECT_FALSE(test, pcpnat_tcp_transitory(m));
	pcpnat_touch_in(m, ACK | PSH);
	pcpnat_touch_out(m, r, ACK);
	/* An outsider's RST changes nothing. */
	pcpnat_touch_in(m, RST);
	KUNIT_EXPECT_FALSE(test, pcpnat_tcp_transitory(m));
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), 7440UL * HZ);
	/* The peer closes its half, data still flows the other way. */
	pcpnat_touch_in(m, FIN | ACK);
	pcpnat_touch_out(m, r, ACK | PSH);
	KUNIT_EXPECT_FALSE(test, pcpnat_tcp_transitory(m));
	/* The host closes its half: closed. */
	pcpnat_touch_out(m, r, FIN | ACK);
	KUNIT_EXPECT_TRUE(test, pcpnat_tcp_transitory(m));
	/* The last ACKs, both ways: still transitory (RFC 7857 2.2). */
	pcpnat_touch_in(m, ACK);
	pcpnat_touch_out(m, r, ACK);
	pcpnat_touch_out(m, r, ACK | PSH);
	KUNIT_EXPECT_TRUE(test, pcpnat_tcp_transitory(m));
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), 240UL * HZ);
	/* A new connection from the same endpoint. */
	pcpnat_touch_out(m, r, SYN);
	KUNIT_EXPECT_EQ(test, m->tcp, TRANS);
	pcpnat_touch_in(m, SYN | ACK);
	pcpnat_touch_out(m, r, ACK);
	KUNIT_EXPECT_FALSE(test, pcpnat_tcp_transitory(m));
	/* Reset by the host. */
	pcpnat_touch_out(m, r, RST);
	pcpnat_touch_out(m, r, ACK);
	KUNIT_EXPECT_TRUE(test, pcpnat_tcp_transitory(m));
}

/* UDP and ICMP mappings have no TCP state: flags never change it. */
static void tcp_state_only_for_tcp(struct kunit *test)
{
	static const u8 protos[] = { IPPROTO_UDP, IPPROTO_ICMP };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		struct pcpnat_mapping *m = adf_mapping(test, protos[i]);

		pcpnat_touch_in(m, FIN);
		pcpnat_touch_out(m, htonl(0xc6336401), ACK);
		KUNIT_EXPECT_EQ(test, m->tcp, TRANS);
		m->tcp = EST;
		pcpnat_touch_in(m, FIN);
		pcpnat_touch_out(m, htonl(0xc6336401), FIN);
		pcpnat_touch_out(m, htonl(0xc6336401), SYN);
		KUNIT_EXPECT_EQ(test, m->tcp, EST);
	}
}

/*
 * Outbound traffic refreshes the idle time, never to 0 (0 is "never
 * used"); inbound does not (RFC 4787 REQ-6: a peer alone cannot keep a
 * mapping alive).
 */
static void touch_refresh(struct kunit *test)
{
	struct pcpnat_mapping *m = adf_mapping(test, IPPROTO_UDP);
	unsigned long before, after;

	m->last_used = 12345;
	pcpnat_touch_in(m, 0);
	KUNIT_EXPECT_EQ(test, m->last_used, 12345UL);
	m = adf_mapping(test, IPPROTO_TCP);
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
 * Address-dependent filtering (RFC 4787 REQ-8): exactly the remote
 * addresses the inside sent to are admitted, two inline and more out of
 * line, none other; under endpoint-independent filtering everyone is.
 */
static void touch_remembers_peers(struct kunit *test)
{
	struct pcpnat_config *cfg = kt_config(test, 0, 1024, 65535);
	struct pcpnat_mapping *m = adf_mapping(test, IPPROTO_UDP);
	__be32 a = htonl(0xc6336401), b = htonl(0xc6336402), c = htonl(0xcb007105);
	__be16 rp = htons(53);
	u32 i;

	KUNIT_ASSERT_EQ(test, cfg->filtering, PCPNAT_FILTER_ADDRESS_DEPENDENT);
	KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));
	pcpnat_touch_out(m, a, 0);
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));
	KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m, b, rp));
	/* The same peer again takes no second slot. */
	pcpnat_touch_out(m, a, 0);
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[0].addr), KT_RAW(a));
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[1].addr), 0U);
	pcpnat_touch_out(m, b, 0);
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[1].addr), KT_RAW(b));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(m->more));
	/* A third goes out of line; all three stay admitted, no other. */
	pcpnat_touch_out(m, c, 0);
	KUNIT_EXPECT_NOT_NULL(test, rcu_access_pointer(m->more));
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, b, rp));
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, c, rp));
	for (i = 0; i < 256; i++)
		KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m,
					htonl(0xcb007100 + i + (i >= 5)), rp));
	KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m, 0, rp));

	cfg->filtering = PCPNAT_FILTER_ENDPOINT_INDEPENDENT;
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m,
						       htonl(0x08080808), rp));
}

/*
 * A peer is admitted for the mapping's idle timeout since the inside last
 * sent to it; when every slot is taken, a new peer replaces the one
 * longest unused.
 */
static void peers_age_and_replace(struct kunit *test)
{
	struct pcpnat_config *cfg = kt_config(test, 0, 1024, 65535);
	struct pcpnat_mapping *m = adf_mapping(test, IPPROTO_UDP);
	__be32 a = htonl(0xc6336401), x = htonl(0xcb007101);
	unsigned long to = pcpnat_idle_timeout(cfg, m);
	u32 now = (u32)jiffies, i;
	__be16 rp = htons(53);

	pcpnat_touch_out(m, a, 0);
	KUNIT_ASSERT_EQ(test, KT_RAW(m->peers[0].addr), KT_RAW(a));
	m->peers[0].seen = now - to + 10 * HZ;
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));
	m->peers[0].seen = now - to - HZ;
	KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));
	/* Sending again admits it again. */
	pcpnat_touch_out(m, a, 0);
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));

	/* Fill every slot, a the oldest; the next peer takes a's place. */
	for (i = 1; i < PCPNAT_PEERS_INLINE + PCPNAT_PEERS_MORE; i++)
		pcpnat_touch_out(m, htonl(0xcb007100 + i), 0);
	m->peers[0].seen = now - 100 * HZ;
	for (i = 1; i < PCPNAT_PEERS_INLINE + PCPNAT_PEERS_MORE; i++)
		KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m,
					htonl(0xcb007100 + i), rp));
	pcpnat_touch_out(m, htonl(0xcb0071ff), 0);
	KUNIT_EXPECT_EQ(test, KT_RAW(m->peers[0].addr), KT_RAW(htonl(0xcb0071ff)));
	KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m, a, rp));
	KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, x, rp));

	/*
	 * The reaper pins a time older than every timeout, so that it does
	 * not wrap into a recent one; a recent time it leaves alone.
	 */
	m->peers[1].seen = now - (1U << 30) - 7 * HZ;
	m->peers[0].seen = now - 5 * HZ;
	pcpnat_peers_age(m, now);
	KUNIT_EXPECT_EQ(test, m->peers[1].seen, now - (1U << 30));
	KUNIT_EXPECT_EQ(test, m->peers[0].seen, now - 5 * HZ);
	KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m,
							m->peers[1].addr, rp));
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
	TO("TCP opening", IPPROTO_TCP, TRANS, tcp_trans_timeout),
	TO("TCP half closed", IPPROTO_TCP, EST | FOUT, tcp_est_timeout),
	TO("TCP closed", IPPROTO_TCP, CLOSED, tcp_trans_timeout),
	TO("TCP reset", IPPROTO_TCP, EST | RSTO, tcp_trans_timeout),
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
	struct pcpnat_mapping *m = adf_mapping(test, IPPROTO_TCP);

	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), 240UL * HZ);
	pcpnat_touch_out(m, htonl(0xc6336401), ACK);
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), 7440UL * HZ);
	pcpnat_touch_in(m, FIN);
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), 7440UL * HZ);
	pcpnat_touch_out(m, htonl(0xc6336401), FIN | ACK);
	KUNIT_EXPECT_EQ(test, pcpnat_idle_timeout(cfg, m), 240UL * HZ);
	pcpnat_touch_out(m, htonl(0xc6336401), ACK);
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

/*
 * Standby (Documentation/pcpd-sync.md): the reaper keeps an implicit
 * mapping however long idle, and ends an explicit one at its lifetime;
 * leaving standby restarts the idle time and the peers' times from now.
 */
static void map_standby(struct kunit *test)
{
	static const unsigned long bases[] = { 1, 100000, ULONG_MAX - 100 * HZ };
	struct pcpnat_config *cfg = kt_config(test, 0, 1024, 65535);
	__be32 peer = htonl(0xc6336401);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		struct pcpnat_mapping *m = mapping(test, IPPROTO_UDP, TRANS);
		unsigned long l = bases[i], to = 300UL * HZ, now = l + 10 * to;

		m->last_used = l;
		m->expires = l;
		cfg->standby = 1;
		KUNIT_EXPECT_TRUE(test, pcpnat_map_expired(cfg, m, now));
		KUNIT_EXPECT_FALSE(test, pcpnat_map_reapable(cfg, m, now));
		cfg->standby = 0;
		KUNIT_EXPECT_TRUE(test, pcpnat_map_reapable(cfg, m, now));

		/* Takeover at now: a whole idle timeout from now. */
		pcpnat_map_restart(m, now);
		KUNIT_EXPECT_FALSE(test, pcpnat_map_reapable(cfg, m, now + to - 1));
		KUNIT_EXPECT_TRUE(test, pcpnat_map_reapable(cfg, m, now + to));

		/* Explicit: its lifetime, standby or not; restart leaves it. */
		m->kind = PCPNAT_KIND_EXPLICIT;
		m->expires = now + HZ;
		cfg->standby = 1;
		KUNIT_EXPECT_FALSE(test, pcpnat_map_reapable(cfg, m, now));
		KUNIT_EXPECT_TRUE(test, pcpnat_map_reapable(cfg, m, now + HZ));
		m->last_used = l;
		pcpnat_map_restart(m, now);
		KUNIT_EXPECT_EQ(test, m->last_used, l);
	}

	/* The peers' times are jiffies now, as the filter reads them. */
	{
		struct pcpnat_mapping *m = adf_mapping(test, IPPROTO_UDP);
		__be16 rp = htons(53);

		pcpnat_touch_out(m, peer, 0);
		m->peers[0].seen = (u32)(jiffies - 2 * 300UL * HZ);
		KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m, peer, rp));
		pcpnat_map_restart(m, jiffies);
		KUNIT_EXPECT_TRUE(test, pcpnat_inbound_allowed(NULL, cfg, m, peer, rp));
		KUNIT_EXPECT_FALSE(test, pcpnat_inbound_allowed(NULL, cfg, m,
							       htonl(0xc6336402), rp));
	}
}

static struct kunit_case tcp_test_cases[] = {
	KUNIT_CASE_PARAM(tcp_state_transition, tcp_gen_params),
	KUNIT_CASE(tcp_connection),
	KUNIT_CASE(tcp_state_only_for_tcp),
	KUNIT_CASE(touch_refresh),
	KUNIT_CASE(touch_remembers_peers),
	KUNIT_CASE(peers_age_and_replace),
	KUNIT_CASE_PARAM(idle_timeout, timeout_gen_params),
	KUNIT_CASE(idle_timeout_defaults),
	KUNIT_CASE(idle_timeout_follows_state),
	KUNIT_CASE(map_expiry),
	KUNIT_CASE(map_standby),
	{}
};

static struct kunit_suite tcp_suite = {
	.name = "pcpnat_tcp",
	.test_cases = tcp_test_cases,
};

kunit_test_suite(tcp_suite);
