/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request builders and response checks for the PCP tests. They write and
 * read octets by hand, independently of the codec under test, so that a
 * bug shared by parser and builder cannot hide. Nonces like the "15685" of
 * draft-boucadair-pcp-flow-examples go in the last four octets of the
 * 96-bit field, big-endian.
 */
#ifndef PCP_TEST_UTIL_H
#define PCP_TEST_UTIL_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

static inline void be16w(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void be32w(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline uint32_t be32r(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t be16r(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* "::ffff:198.51.100.1", "::", "2001:db8::1" ... into 16 octets. */
static inline void a16(uint8_t *p, const char *s)
{
	if (inet_pton(AF_INET6, s, p) != 1)
		memset(p, 0xee, 16);	/* a test typo shows up as garbage */
}

static inline void nonce_w(uint8_t *p, uint32_t v)
{
	memset(p, 0, 12);
	be32w(p + 8, v);
}

/* Common request header. */
static inline size_t rq_hdr(uint8_t *b, uint8_t ver, uint8_t op,
			    uint32_t lifetime, const char *client)
{
	memset(b, 0, 24);
	b[0] = ver;
	b[1] = op;
	be32w(b + 4, lifetime);
	a16(b + 8, client);
	return 24;
}

/* MAP (peer == NULL) or PEER request. */
static inline size_t rq_map(uint8_t *b, uint32_t lifetime, const char *client,
			    uint32_t nonce, uint8_t proto, uint16_t iport,
			    uint16_t eport, const char *eaddr,
			    uint16_t pport, const char *peer)
{
	size_t n = rq_hdr(b, 2, peer ? 2 : 1, lifetime, client);

	memset(b + n, 0, peer ? 56 : 36);
	nonce_w(b + n, nonce);
	b[n + 12] = proto;
	be16w(b + n + 16, iport);
	be16w(b + n + 18, eport);
	a16(b + n + 20, eaddr);
	if (peer) {
		be16w(b + n + 36, pport);
		a16(b + n + 40, peer);
		return n + 56;
	}
	return n + 36;
}

static inline size_t rq_opt(uint8_t *b, size_t n, uint8_t code,
			    const void *data, uint16_t len)
{
	size_t pad = (len + 3u) & ~3u;

	b[n] = code;
	b[n + 1] = 0;
	be16w(b + n + 2, len);
	memset(b + n + 4, 0, pad);
	if (len)
		memcpy(b + n + 4, data, len);
	return n + 4 + pad;
}

static inline size_t rq_filter(uint8_t *b, size_t n, uint8_t plen,
			       uint16_t port, const char *addr)
{
	uint8_t d[20] = { 0 };

	d[1] = plen;
	be16w(d + 2, port);
	a16(d + 4, addr);
	return rq_opt(b, n, 3, d, 20);
}

static inline size_t rq_third_party(uint8_t *b, size_t n, const char *addr)
{
	uint8_t d[16];

	a16(d, addr);
	return rq_opt(b, n, 1, d, 16);
}

/*
 * Expected response, every field of the figures of
 * draft-boucadair-pcp-flow-examples.
 */
struct exp {
	uint8_t op, result;
	uint32_t lifetime, epoch;
	bool payload;		/* check the MAP/PEER fields below */
	uint32_t nonce;
	uint8_t proto;
	uint16_t iport, eport;
	const char *eaddr;
	uint16_t pport;
	const char *paddr;
};

#define CHECK_HDR(r, n, e) do {						\
	ASSERT_GE((n), 24);						\
	EXPECT_EQ(0, (n) % 4);						\
	EXPECT_EQ(2, (r)[0]);						\
	EXPECT_EQ(0x80 | (e)->op, (r)[1]);				\
	EXPECT_EQ(0, (r)[2]);						\
	EXPECT_EQ((e)->result, (r)[3]);					\
	EXPECT_EQ((e)->lifetime, be32r((r) + 4));			\
	EXPECT_EQ((e)->epoch, be32r((r) + 8));				\
	for (int _i = 12; _i < 24; _i++)				\
		EXPECT_EQ(0, (r)[_i]);					\
} while (0)

#define CHECK_MAP(r, n, e) do {						\
	uint8_t _a[16], _nz[12];					\
	CHECK_HDR(r, n, e);						\
	ASSERT_GE((n), 24 + ((e)->op == 2 ? 56 : 36));			\
	nonce_w(_nz, (e)->nonce);					\
	EXPECT_EQ(0, memcmp(_nz, (r) + 24, 12));			\
	EXPECT_EQ((e)->proto, (r)[36]);					\
	EXPECT_EQ(0, (r)[37] | (r)[38] | (r)[39]);			\
	EXPECT_EQ((e)->iport, be16r((r) + 40));				\
	EXPECT_EQ((e)->eport, be16r((r) + 42));				\
	a16(_a, (e)->eaddr);						\
	EXPECT_EQ(0, memcmp(_a, (r) + 44, 16));				\
	if ((e)->op == 2) {						\
		EXPECT_EQ((e)->pport, be16r((r) + 60));			\
		EXPECT_EQ(0, (r)[62] | (r)[63]);			\
		a16(_a, (e)->paddr);					\
		EXPECT_EQ(0, memcmp(_a, (r) + 64, 16));			\
	}								\
} while (0)

#endif /* PCP_TEST_UTIL_H */
