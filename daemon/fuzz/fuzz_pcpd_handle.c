// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for pcpd's whole decision logic: a sequence of
 * datagrams from a few LAN hosts through pcpd_handle() against the
 * in-memory backend, so that MAP, PEER, GET/NEXT, ANNOUNCE and NAT-PMP
 * requests meet the mappings earlier ones made.
 *
 * Input: one byte of policy (strict nonces, THIRD_PARTY for one host, a
 * quota, all-ports allowed), then records of [host 1][length 2][bytes].
 * After every datagram:
 *  - a PCP response is 24..1100 octets, a multiple of 4, version 2 with
 *    the R bit, and a SUCCESS decodes (RFC 6887 §7, §8.3);
 *  - a NAT-PMP response is 8, 12 or 16 octets with the reply opcode
 *    (RFC 6886 §3.2, §3.3);
 *  - nothing changed in the table except the sender's own mappings,
 *    unless the request carries THIRD_PARTY from a host allowed to use
 *    it (RFC 6887 §7.3, §13.1);
 *  - a subscriber never holds more than its quota.
 */
#include <stdlib.h>
#include <string.h>

#include "pcp/pcp.h"
#include "pcpd/handler.h"
#include "tests/fake_backend.c"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define QUOTA 4

static const char *const hosts[] = {
	"10.0.1.2", "10.0.1.3", "10.0.1.4", "198.51.100.9",
};
#define ARRAY_SIZE_HOSTS (sizeof(hosts) / sizeof(hosts[0]))

static void check_response(const uint8_t *r, int n,
			   const struct pcpd_outcome *out)
{
	struct pcp_response back;
	unsigned int nnext;

	CHECK(n >= 0 && n <= PCP_MAX_LEN);
	if (!n)
		return;
	if (r[0] == 0) {
		CHECK(n == 8 || n == 12 || n == 16);
		CHECK(r[1] >= 128);
		return;
	}
	CHECK(r[0] == 2);
	CHECK(n >= PCP_HDR_LEN && n % 4 == 0);
	CHECK(r[1] & 0x80);
	if (out->version == 2 && out->result == PCP_SUCCESS)
		CHECK(pcp_parse_response(r, (size_t)n, &back, &nnext) == 0);
}

/* Only the sender's mappings may change, unless it speaks for others. */
static void check_owners(const struct fake_be *before,
			 const struct fake_be *after, uint32_t src,
			 bool third_party)
{
	unsigned int i, per[ARRAY_SIZE_HOSTS] = { 0 }, h;

	for (i = 0; i < FAKE_MAX_MAPS; i++) {
		bool changed = before->used[i] != after->used[i] ||
			(after->used[i] &&
			 memcmp(&before->maps[i], &after->maps[i],
				sizeof(after->maps[i])));

		if (changed && !third_party) {
			CHECK(!before->used[i] || before->maps[i].subscriber == src);
			CHECK(!after->used[i] || after->maps[i].subscriber == src);
		}
		if (!after->used[i])
			continue;
		for (h = 0; h < ARRAY_SIZE_HOSTS; h++)
			if (after->maps[i].subscriber == ip4(hosts[h]))
				per[h]++;
	}
	for (h = 0; h < ARRAY_SIZE_HOSTS; h++)
		CHECK(!after->quota || per[h] <= after->quota);
}

/* A request that may change other hosts' mappings (RFC 6887 §7.3). */
static bool speaks_for_others(const struct pcpd_policy *pol, uint32_t src,
			      const uint8_t *buf, size_t len)
{
	struct pcp_parse_result r;
	struct pcp_request q;

	if (!pcpd_third_party_allowed(pol, src))
		return false;
	memset(&q, 0, sizeof(q));
	pcp_parse_request(buf, len, &q, &r);
	return r.verdict == PCP_V_OK && q.opt.third_party;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_be be, before;
	static uint8_t resp[PCP_MAX_LEN];
	struct pcpd_policy pol;
	struct pcpd_server srv = { .pol = &pol, .ops = &fake_ops, .be = &be };
	struct pcpd_outcome out;
	uint8_t flags;
	size_t off = 1;

	if (!size)
		return 0;
	flags = data[0];
	fake_init(&be);
	be.epoch = 1250;
	be.quota = flags & 4 ? QUOTA : 0;
	be.allow_all_ports = flags & 8;
	pcpd_policy_defaults(&pol);
	pol.nonce_strict = flags & 1;
	if (flags & 2) {
		pol.n_third_party = 1;
		pol.third_party[0].addr = ip4(hosts[0]);
		pol.third_party[0].plen = 32;
	}
	while (size - off >= 3) {
		uint32_t src = ip4(hosts[data[off] % ARRAY_SIZE_HOSTS]);
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		int n;

		off += 3;
		if (len > size - off)
			len = size - off;
		before = be;
		memset(&out, 0, sizeof(out));
		n = pcpd_handle(&srv, data + off, len, src, resp, sizeof(resp),
				&out);
		check_response(resp, n, &out);
		check_owners(&before, &be, src,
			     speaks_for_others(&pol, src, data + off, len));
		off += len;
	}
	return 0;
}
