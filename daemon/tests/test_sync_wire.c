// SPDX-License-Identifier: GPL-2.0
/*
 * The replication wire codec (sync/sync_wire.c, sync/sync_record.c),
 * byte for byte: every field at the offset and in the byte order
 * sync_wire.h documents, the tag a known HMAC-SHA-512-256 value, and the
 * strict parse refusing each malformation under a valid tag (so that the
 * parse, not the tag, is what refuses it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "kselftest_harness.h"
#include "sync/sync_wire.h"

static uint8_t key[SYNC_KEY_LEN];

static void init_key(void)
{
	unsigned int i;

	for (i = 0; i < SYNC_KEY_LEN; i++)
		key[i] = (uint8_t)i;
}

/* HMAC-SHA-512 truncated to 256 bits, computed apart from libsodium
 * (Python's hmac), of "pcpnat sync" under the key 00 01 .. 1f. */
TEST(tag_is_hmac_sha512_256)
{
	static const uint8_t want[32] = {
		0xa7, 0xd2, 0xd3, 0xa5, 0x23, 0x91, 0xc7, 0xc1,
		0x48, 0x5b, 0x18, 0x30, 0x58, 0x3f, 0x1d, 0xc7,
		0x45, 0xe9, 0x16, 0x2b, 0xfc, 0x20, 0x61, 0x27,
		0x50, 0x5f, 0xd2, 0x87, 0x88, 0xf6, 0x22, 0xac,
	};
	uint8_t tag[32];

	init_key();
	ASSERT_EQ(0, sodium_init() < 0);
	crypto_auth(tag, (const uint8_t *)"pcpnat sync", 11, key);
	EXPECT_EQ(0, memcmp(want, tag, 32));
	EXPECT_EQ((size_t)SYNC_TAG_LEN, crypto_auth_BYTES);
	EXPECT_EQ((size_t)SYNC_KEY_LEN, crypto_auth_KEYBYTES);
}

static struct sync_record sample_map(void)
{
	struct sync_record r;
	struct pcpd_mapping *m = &r.map;

	/* memset: the tests compare whole structs, padding included. */
	memset(&r, 0, sizeof(r));
	r.op = SYNC_REC_MAP;
	r.flags = SYNC_RECF_BULK;
	m->proto = 17;
	m->kind = PCPNAT_KIND_EXPLICIT;
	m->int_addr = htonl(0x0a000002);
	m->int_port = 0x1234;
	m->ext_addr = htonl(0xc0000201);
	m->ext_port = 0xabcd;
	m->lifetime = 0x01020304;
	m->idle = 5;
	memcpy(m->nonce, "ABCDEFGHIJKL", 12);
	m->subscriber = htonl(0x0a000003);
	m->peer = htonl(0xc6336401);
	m->nfilters = 1;
	m->filters[0].addr = htonl(0xcb007100);
	m->filters[0].plen = 24;
	m->filters[0].port = 443;
	strcpy(m->descr, "web");
	return r;
}

static const uint8_t sample_map_wire[] = {
	0x01, 0x01, 0x00, 0x3c,		/* MAP, BULK, length 60 */
	17, 2, 0x12, 0x34,		/* UDP, explicit, int port */
	10, 0, 0, 2,			/* int addr */
	192, 0, 2, 1,			/* ext addr */
	0xab, 0xcd, 1, 3,		/* ext port, 1 filter, descr 3 */
	0x01, 0x02, 0x03, 0x04,		/* lifetime */
	0, 0, 0, 5,			/* idle */
	10, 0, 0, 3,			/* subscriber */
	198, 51, 100, 1,		/* peer */
	'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L',
	203, 0, 113, 0, 24, 0, 0x01, 0xbb,	/* filter */
	'w', 'e', 'b', 0,		/* description, padded */
};

TEST(map_record_bytes)
{
	struct sync_record r = sample_map(), back;
	uint8_t buf[SYNC_REC_MAX_LEN];

	ASSERT_EQ((int)sizeof(sample_map_wire),
		  sync_rec_encode(buf, sizeof(buf), &r));
	EXPECT_EQ(0, memcmp(sample_map_wire, buf, sizeof(sample_map_wire)));
	ASSERT_EQ((int)sizeof(sample_map_wire),
		  sync_rec_decode(buf, sizeof(buf), &back));
	EXPECT_EQ(0, memcmp(&r, &back, sizeof(r)));
	/* Too small a buffer: refused, nothing half written counts. */
	EXPECT_EQ(-ENOSPC, sync_rec_encode(buf, 59, &r));
}

static const uint8_t unmap_wire[] = { 2, 0, 0, 12, 6, 0, 0x00, 0x50,
				      10, 0, 0, 9 };
static const uint8_t epoch_wire[] = { 3, 0, 0, 8, 0, 1, 0x51, 0x80 };
static const uint8_t reset_wire[] = { 4, 1, 0, 12, 10, 0, 0, 7,
				      0, 0, 0, 42 };

TEST(small_record_bytes)
{
	struct sync_record r, back;
	uint8_t buf[64];

	memset(&r, 0, sizeof(r));
	r.op = SYNC_REC_UNMAP;
	r.map.proto = 6;
	r.map.int_port = 80;
	r.map.int_addr = htonl(0x0a000009);
	ASSERT_EQ(12, sync_rec_encode(buf, sizeof(buf), &r));
	EXPECT_EQ(0, memcmp(unmap_wire, buf, 12));
	ASSERT_EQ(12, sync_rec_decode(buf, 12, &back));
	EXPECT_EQ(0, memcmp(&r, &back, sizeof(r)));

	memset(&r, 0, sizeof(r));
	r.op = SYNC_REC_EPOCH;
	r.age = 86400;
	ASSERT_EQ(8, sync_rec_encode(buf, sizeof(buf), &r));
	EXPECT_EQ(0, memcmp(epoch_wire, buf, 8));
	ASSERT_EQ(8, sync_rec_decode(buf, 8, &back));
	EXPECT_EQ(86400u, back.age);

	memset(&r, 0, sizeof(r));
	r.op = SYNC_REC_SUB_RESET;
	r.flags = SYNC_RECF_BULK;
	r.subscriber = htonl(0x0a000007);
	r.age = 42;
	ASSERT_EQ(12, sync_rec_encode(buf, sizeof(buf), &r));
	EXPECT_EQ(0, memcmp(reset_wire, buf, 12));
	ASSERT_EQ(12, sync_rec_decode(buf, 12, &back));
	EXPECT_EQ(0, memcmp(&r, &back, sizeof(r)));
}

/* The longest record: 8 filters, 127-character description. */
TEST(longest_record)
{
	struct sync_record r = sample_map(), back;
	uint8_t buf[SYNC_REC_MAX_LEN + 8];
	unsigned int i;

	r.map.nfilters = PCPNAT_FILTERS_MAX;
	for (i = 0; i < PCPNAT_FILTERS_MAX; i++) {
		r.map.filters[i].addr = htonl(0x01000000u * (i + 1));
		r.map.filters[i].plen = 8;
		r.map.filters[i].port = (uint16_t)i;
	}
	memset(r.map.descr, 'x', PCPNAT_DESCR_LEN);
	r.map.descr[PCPNAT_DESCR_LEN] = '\0';
	ASSERT_EQ(SYNC_REC_MAX_LEN, sync_rec_encode(buf, sizeof(buf), &r));
	ASSERT_EQ(SYNC_REC_MAX_LEN, sync_rec_decode(buf, sizeof(buf), &back));
	EXPECT_EQ(0, memcmp(&r, &back, sizeof(r)));
}

/* What the decoder refuses, the encoder refuses to produce. */
TEST(encoder_refuses_what_decoder_would)
{
	struct sync_record r;
	uint8_t buf[SYNC_REC_MAX_LEN];

#define BAD(stmt) do { r = sample_map(); stmt; \
		EXPECT_EQ(-EINVAL, sync_rec_encode(buf, sizeof(buf), &r)); } while (0)
	BAD(r.op = 9);
	BAD(r.flags = 2);
	BAD(r.map.proto = 2);
	BAD(r.map.kind = 3);
	BAD(r.map.nfilters = PCPNAT_FILTERS_MAX + 1);
	BAD(r.map.filters[0].plen = 0);
	BAD(r.map.filters[0].plen = 33);
	BAD(r.map.filters[0].addr = htonl(0xcb007101));	/* host bits */
	BAD(memset(r.map.descr, 'x', sizeof(r.map.descr)));	/* no NUL */
	BAD((r.op = SYNC_REC_UNMAP, r.map.proto = 0));
#undef BAD
}

/* Every malformation of a MAP record, each alone. */
TEST(record_decode_is_strict)
{
	uint8_t buf[sizeof(sample_map_wire) + 4];
	struct sync_record r;

#define BAD(stmt) do { memcpy(buf, sample_map_wire, sizeof(sample_map_wire)); \
		stmt; EXPECT_EQ(-EBADMSG, sync_rec_decode(buf, sizeof(buf), &r)); \
	} while (0)
	BAD(buf[0] = 5);			/* op */
	BAD(buf[1] = 3);			/* flags */
	BAD(buf[3] = 0x40);			/* length past the content */
	BAD(buf[3] = 0x38);			/* length short of it */
	BAD(buf[4] = 2);			/* proto */
	BAD(buf[5] = 0);			/* kind */
	BAD(buf[18] = 2);			/* filters past the length */
	BAD(buf[19] = 4);			/* description past it */
	BAD(buf[53] = 1);			/* filter reserved */
	BAD(buf[52] = 0);			/* filter plen 0 */
	BAD(buf[51] = 1);			/* filter host bits */
	BAD(buf[57] = 0);			/* NUL in the description */
	BAD(buf[59] = 'x');			/* padding */
#undef BAD
	memcpy(buf, sample_map_wire, sizeof(sample_map_wire));
	EXPECT_EQ(-EBADMSG, sync_rec_decode(buf, 59, &r));	/* truncated */
	EXPECT_EQ(60, sync_rec_decode(buf, sizeof(buf), &r));
}

/*
 * len octets ending exactly where a page that may not be read begins: a
 * decoder reading one octet past them faults (without a sanitizer).
 */
static uint8_t *at_page_end(const uint8_t *src, size_t len, void **map,
			    size_t *maplen)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *base;

	*maplen = 2 * pg;
	base = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || mprotect(base + pg, pg, PROT_NONE))
		return NULL;
	*map = base;
	memcpy(base + pg - len, src, len);
	return base + pg - len;
}

/*
 * Every record type, alone in a buffer of exactly its size, and each
 * claiming fewer octets than it has (the least the decoder takes, 8) at
 * the end of a buffer of that size: nothing is read past the buffer.
 */
TEST(record_decode_reads_only_its_buffer)
{
	static const uint8_t short8[][8] = {
		{ 1, 0, 0, 8, 17, 2, 0, 1 },	/* MAP */
		{ 2, 0, 0, 8, 17, 0, 0, 1 },	/* UNMAP */
		{ 4, 0, 0, 8, 10, 0, 0, 7 },	/* SUB_RESET */
	};
	static const struct { const uint8_t *b; size_t len; } ok[] = {
		{ sample_map_wire, sizeof(sample_map_wire) },
		{ unmap_wire, sizeof(unmap_wire) }, { epoch_wire, sizeof(epoch_wire) },
		{ reset_wire, sizeof(reset_wire) },
	};
	struct sync_record r;
	size_t maplen;
	unsigned int i;
	uint8_t *b;
	void *map;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		b = at_page_end(ok[i].b, ok[i].len, &map, &maplen);
		ASSERT_NE(NULL, b);
		EXPECT_EQ((int)ok[i].len, sync_rec_decode(b, ok[i].len, &r));
		munmap(map, maplen);
		/* Its last octet missing: refused, not read past. */
		b = at_page_end(ok[i].b, ok[i].len - 1, &map, &maplen);
		ASSERT_NE(NULL, b);
		EXPECT_EQ(-EBADMSG, sync_rec_decode(b, ok[i].len - 1, &r));
		munmap(map, maplen);
	}
	for (i = 0; i < sizeof(short8) / sizeof(short8[0]); i++) {
		b = at_page_end(short8[i], 8, &map, &maplen);
		ASSERT_NE(NULL, b);
		TH_LOG("record op %u claiming 8 octets", short8[i][0]);
		EXPECT_EQ(-EBADMSG, sync_rec_decode(b, 8, &r));
		munmap(map, maplen);
	}
}

static const struct sync_hdr hdr = {
	.type = SYNC_MSG_HELLO, .role = SYNC_ROLE_MASTER,
	.node_id = 0x01020304, .session = 0x1112131415161718ull,
	.dst_session = 0x2122232425262728ull, .counter = 0x0102,
};

TEST(hello_bytes)
{
	static const uint8_t want[] = {
		'P', 'C', 'S', 'Y', 1, 1, 0, 80,	/* magic, v1, HELLO, 80 */
		1, 2, 3, 4, 2, 0, 0, 0,			/* node, MASTER */
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
		0, 0, 0, 0, 0, 0, 0x01, 0x02,		/* counter */
		0, 0, 0x04, 0xb0, 0, 0, 0, 1,		/* mtu 1200, flags */
	};
	struct sync_msg m = { .h = hdr, .value = 1200,
			      .flags = SYNC_HELLO_F_ESTABLISHED }, back;
	uint8_t buf[SYNC_MSG_MAX], tag[32];
	int n;

	init_key();
	n = sync_wire_build(buf, sizeof(buf), &m);
	ASSERT_EQ(48, n);
	ASSERT_EQ(80, sync_wire_seal(buf, sizeof(buf), (size_t)n, key));
	EXPECT_EQ(0, memcmp(want, buf, sizeof(want)));
	crypto_auth(tag, buf, 48, key);
	EXPECT_EQ(0, memcmp(tag, buf + 48, 32));
	ASSERT_EQ(0, sync_wire_parse(buf, 80, key, &back));
	EXPECT_EQ(0, memcmp(&m.h, &back.h, sizeof(m.h)));
	EXPECT_EQ(1200u, back.value);
	EXPECT_EQ((uint32_t)SYNC_HELLO_F_ESTABLISHED, back.flags);
}

static int build_sealed(uint8_t *buf, const struct sync_msg *m)
{
	int n = sync_wire_build(buf, SYNC_MSG_MAX, m);

	return n < 0 ? n : sync_wire_seal(buf, SYNC_MSG_MAX, (size_t)n, key);
}

TEST(body_bytes)
{
	static const uint8_t ack[] = { 0, 0, 0, 0, 0, 1, 0, 2 };
	static const uint8_t resync[] = { 0, 0, 0, 7, 0, 0, 0, 2 };
	static const uint8_t hb[] = { 0, 0, 0, 0, 0, 0, 0, 9,
				      0, 0, 0, 0, 0, 0, 0, 3 };
	static const uint8_t end[] = { 0, 0, 0, 0, 0, 0, 1, 0,
				       0, 0, 0, 0, 0, 0, 0, 0xf0,
				       0, 0, 0, 7, 0, 0, 0x27, 0x10 };
	struct sync_msg m = { .h = hdr }, back;
	uint8_t buf[SYNC_MSG_MAX];

	init_key();
	m.h.type = SYNC_MSG_ACK;
	m.seq = 0x10002;
	ASSERT_EQ(80, build_sealed(buf, &m));
	EXPECT_EQ(0, memcmp(ack, buf + 40, 8));
	ASSERT_EQ(0, sync_wire_parse(buf, 80, key, &back));
	EXPECT_EQ(0x10002u, back.seq);

	memset(&m, 0, sizeof(m));
	m.h = hdr;
	m.h.type = SYNC_MSG_RESYNC;
	m.rid = 7;
	m.value = SYNC_RESYNC_BEHIND;
	ASSERT_EQ(80, build_sealed(buf, &m));
	EXPECT_EQ(0, memcmp(resync, buf + 40, 8));
	ASSERT_EQ(0, sync_wire_parse(buf, 80, key, &back));
	EXPECT_EQ(7u, back.rid);

	memset(&m, 0, sizeof(m));
	m.h = hdr;
	m.h.type = SYNC_MSG_HEARTBEAT;
	m.seq = 9;
	m.tx_base = 3;
	ASSERT_EQ(88, build_sealed(buf, &m));
	EXPECT_EQ(0, memcmp(hb, buf + 40, 16));
	ASSERT_EQ(0, sync_wire_parse(buf, 88, key, &back));

	m.h.type = SYNC_MSG_BULK_END;
	m.seq = 0x100;
	m.tx_base = 0xf0;
	m.rid = 7;
	m.value = 10000;
	ASSERT_EQ(96, build_sealed(buf, &m));
	EXPECT_EQ(0, memcmp(end, buf + 40, 24));
	ASSERT_EQ(0, sync_wire_parse(buf, 96, key, &back));
	EXPECT_EQ(10000u, back.value);
	EXPECT_EQ(0xf0u, back.tx_base);
}

/* A batch of records: counted, walked in order, filled to the MTU. */
TEST(batch_fills_to_mtu)
{
	struct sync_msg m = { .h = hdr, .seq = 5, .tx_base = 5 }, back;
	struct sync_record r = sample_map(), got;
	uint8_t buf[SYNC_MSG_MAX];
	size_t len, off = 0;
	unsigned int n = 0;
	int sealed;

	init_key();
	m.h.type = SYNC_MSG_BATCH;
	len = (size_t)sync_wire_build(buf, SYNC_MTU_DEFAULT, &m);
	EXPECT_EQ(64u, len);
	while (sync_wire_batch_add(buf, SYNC_MTU_DEFAULT, &len, &r) > 0) {
		r.map.int_port++;
		n++;
	}
	/* (1200 - 40 - 24 - 32) / 60 */
	EXPECT_EQ(18u, n);
	sealed = sync_wire_seal(buf, SYNC_MTU_DEFAULT, len, key);
	ASSERT_EQ(64 + 18 * 60 + 32, sealed);
	EXPECT_EQ(0, buf[56]);
	EXPECT_EQ(18, buf[57]);
	ASSERT_EQ(0, sync_wire_parse(buf, (size_t)sealed, key, &back));
	ASSERT_EQ(18u, back.count);
	while (sync_wire_next_record(&back, &off, &got)) {
		EXPECT_EQ(0x1234 + n - 18, got.map.int_port);
		n++;
	}
	EXPECT_EQ(36u, n);
}

/* A valid message, then each malformation alone under a fresh tag. */
TEST(parse_is_strict)
{
	struct sync_msg m = { .h = hdr, .seq = 5, .tx_base = 5 }, back;
	struct sync_record r = sample_map();
	uint8_t good[SYNC_MSG_MAX], buf[SYNC_MSG_MAX];
	size_t len, blen;
	int n;

	init_key();
	m.h.type = SYNC_MSG_BATCH;
	len = (size_t)sync_wire_build(good, sizeof(good), &m);
	ASSERT_LT(0, sync_wire_batch_add(good, sizeof(good), &len, &r));
	n = sync_wire_seal(good, sizeof(good), len, key);
	ASSERT_EQ(0, sync_wire_parse(good, (size_t)n, key, &back));
	blen = len;

#define RESEAL(stmt, l) do { memcpy(buf, good, sizeof(good)); stmt; \
		sync_wire_seal(buf, sizeof(buf), (l), key); } while (0)
#define BAD(stmt) do { RESEAL(stmt, blen); EXPECT_EQ(-EBADMSG, \
		sync_wire_parse(buf, blen + SYNC_TAG_LEN, key, &back)); } while (0)
	BAD(buf[0] = 'X');			/* magic */
	BAD(buf[4] = 2);			/* version */
	BAD(buf[5] = 8);			/* type */
	BAD(buf[12] = 4);			/* role */
	BAD(buf[13] = 1);			/* flags */
	BAD(buf[15] = 1);			/* reserved */
	BAD(memset(buf + 16, 0, 8));		/* session 0 */
	BAD(memset(buf + 32, 0, 8));		/* counter 0 */
	BAD(buf[55] = 6);			/* tx base above seq */
	BAD(memset(buf + 48, 0, 8));		/* tx base 0 */
	BAD(buf[57] = 2);			/* count past the records */
	BAD(buf[57] = 0);			/* count 0 */
	BAD(buf[59] = 1);			/* reserved */
	BAD(buf[63] = 1);			/* reserved */
	BAD(buf[64 + 59] = 'x');		/* a record's padding */
#undef BAD
	/* Length field and datagram disagree. */
	memcpy(buf, good, sizeof(good));
	EXPECT_EQ(-EBADMSG, sync_wire_parse(buf, (size_t)n - 1, key, &back));
	buf[n] = 0;
	EXPECT_EQ(-EBADMSG, sync_wire_parse(buf, (size_t)n + 1, key, &back));
	/* A trailing octet inside the length: sealed, still refused. */
	RESEAL(buf[blen] = 0, blen + 1);
	EXPECT_EQ(-EBADMSG, sync_wire_parse(buf, blen + 1 + SYNC_TAG_LEN, key,
					    &back));
	/* A HELLO with a body of another type's length. */
	m.h.type = SYNC_MSG_HELLO;
	m.value = 1200;
	len = (size_t)sync_wire_build(buf, sizeof(buf), &m);
	n = sync_wire_seal(buf, sizeof(buf), len + 8, key);
	EXPECT_EQ(-EBADMSG, sync_wire_parse(buf, (size_t)n, key, &back));
	/* HELLO with an MTU below the minimum, an unknown flag. */
	m.value = SYNC_MTU_MIN - 1;
	EXPECT_EQ(-EBADMSG, sync_wire_parse(buf, (size_t)build_sealed(buf, &m),
					    key, &back));
	m.value = 1200;
	m.flags = 2;
	EXPECT_EQ(-EBADMSG, sync_wire_parse(buf, (size_t)build_sealed(buf, &m),
					    key, &back));
#undef RESEAL
}

/* Forged (another key) and tampered (any one bit) fail the tag. */
TEST(forged_and_tampered)
{
	struct sync_msg m = { .h = hdr, .value = 1200 }, back;
	uint8_t buf[SYNC_MSG_MAX], other[SYNC_KEY_LEN];
	unsigned int bit;
	int n;

	init_key();
	memcpy(other, key, sizeof(other));
	other[31] ^= 1;
	n = build_sealed(buf, &m);
	ASSERT_EQ(80, n);
	EXPECT_EQ(-EPERM, sync_wire_parse(buf, 80, other, &back));
	/* Every bit outside magic, version and length (checked first). */
	for (bit = 8 * 8; bit < 80 * 8; bit++) {
		buf[bit / 8] ^= 1 << (bit % 8);
		EXPECT_EQ(-EPERM, sync_wire_parse(buf, 80, key, &back));
		buf[bit / 8] ^= 1 << (bit % 8);
	}
	EXPECT_EQ(0, sync_wire_parse(buf, 80, key, &back));
}

TEST_HARNESS_MAIN
