// SPDX-License-Identifier: GPL-2.0
/*
 * Messages of the replication channel (layouts in sync_wire.h). The
 * receive path authenticates before it looks at anything but the length
 * and the magic, and then parses strictly: whatever it accepts, the
 * builder could have produced.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "pcp/pcp_wire.h"
#include "sync/sync_wire.h"

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)pcp_get32(p) << 32 | pcp_get32(p + 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	pcp_put32(p, (uint32_t)(v >> 32));
	pcp_put32(p + 4, (uint32_t)v);
}

/* Body length of each type; BATCH: before its records. */
static int body_len(uint8_t type)
{
	switch (type) {
	case SYNC_MSG_HELLO:
	case SYNC_MSG_ACK:
	case SYNC_MSG_RESYNC:
		return 8;
	case SYNC_MSG_HEARTBEAT:
		return 16;
	case SYNC_MSG_BATCH:
	case SYNC_MSG_BULK_BEGIN:
	case SYNC_MSG_BULK_END:
		return 24;
	}
	return -1;
}

int sync_wire_put_hdr(uint8_t *buf, size_t cap, const struct sync_hdr *h)
{
	if (cap < SYNC_HDR_LEN + SYNC_TAG_LEN)
		return -ENOSPC;
	memset(buf, 0, SYNC_HDR_LEN);
	pcp_put32(buf, SYNC_MAGIC);
	buf[4] = SYNC_VERSION;
	buf[5] = h->type;
	/* 6: length, written by sync_wire_seal() */
	pcp_put32(buf + 8, h->node_id);
	buf[12] = h->role;
	put64(buf + 16, h->session);
	put64(buf + 24, h->dst_session);
	put64(buf + 32, h->counter);
	return SYNC_HDR_LEN;
}

int sync_wire_build(uint8_t *buf, size_t cap, const struct sync_msg *m)
{
	int blen = body_len(m->h.type);
	uint8_t *b = buf + SYNC_HDR_LEN;

	if (blen < 0)
		return -EINVAL;
	if (cap < (size_t)SYNC_HDR_LEN + blen + SYNC_TAG_LEN)
		return -ENOSPC;
	sync_wire_put_hdr(buf, cap, &m->h);
	memset(b, 0, blen);
	switch (m->h.type) {
	case SYNC_MSG_HELLO:
		pcp_put32(b, m->value);
		pcp_put32(b + 4, m->flags);
		break;
	case SYNC_MSG_ACK:
		put64(b, m->seq);
		break;
	case SYNC_MSG_RESYNC:
		pcp_put32(b, m->rid);
		pcp_put32(b + 4, m->value);
		break;
	case SYNC_MSG_HEARTBEAT:
		put64(b, m->seq);
		put64(b + 8, m->tx_base);
		break;
	case SYNC_MSG_BATCH:
		/* count (16) grows with sync_wire_batch_add() */
		put64(b, m->seq);
		put64(b + 8, m->tx_base);
		break;
	case SYNC_MSG_BULK_BEGIN:
	case SYNC_MSG_BULK_END:
		put64(b, m->seq);
		put64(b + 8, m->tx_base);
		pcp_put32(b + 16, m->rid);
		if (m->h.type == SYNC_MSG_BULK_END)
			pcp_put32(b + 20, m->value);
		break;
	}
	return SYNC_HDR_LEN + blen;
}

int sync_wire_batch_add(uint8_t *buf, size_t cap, size_t *len,
			const struct sync_record *r)
{
	uint8_t *count = buf + SYNC_HDR_LEN + 16;
	int n;

	if (cap > SYNC_MSG_MAX)
		cap = SYNC_MSG_MAX;
	if (buf[5] != SYNC_MSG_BATCH || cap < *len + SYNC_TAG_LEN ||
	    pcp_get16(count) == UINT16_MAX)
		return -ENOSPC;
	n = sync_rec_encode(buf + *len, cap - SYNC_TAG_LEN - *len, r);
	if (n < 0)
		return n;
	*len += n;
	pcp_put16(count, pcp_get16(count) + 1);
	return n;
}

int sync_wire_seal(uint8_t *buf, size_t cap, size_t len,
		   const uint8_t key[SYNC_KEY_LEN])
{
	if (len < SYNC_HDR_LEN || len + SYNC_TAG_LEN > cap ||
	    len + SYNC_TAG_LEN > SYNC_MSG_MAX)
		return -ENOSPC;
	pcp_put16(buf + 6, (uint16_t)(len + SYNC_TAG_LEN));
	crypto_auth(buf + len, buf, len, key);
	return (int)(len + SYNC_TAG_LEN);
}

static int parse_batch(struct sync_msg *m, const uint8_t *b, size_t rest)
{
	struct sync_record r;
	unsigned int i;
	size_t off = 0;
	int n;

	m->count = pcp_get16(b + 16);
	if (!m->count || pcp_get16(b + 18) || pcp_get32(b + 20))
		return -EBADMSG;
	m->records = b + 24;
	m->records_len = rest;
	for (i = 0; i < m->count; i++) {
		n = sync_rec_decode(m->records + off, rest - off, &r);
		if (n < 0)
			return -EBADMSG;
		off += n;
	}
	return off == rest ? 0 : -EBADMSG;
}

int sync_wire_parse(const uint8_t *buf, size_t len,
		    const uint8_t key[SYNC_KEY_LEN], struct sync_msg *m)
{
	const uint8_t *b = buf + SYNC_HDR_LEN;
	size_t blen;
	int fixed;

	memset(m, 0, sizeof(*m));
	if (len < SYNC_HDR_LEN + SYNC_TAG_LEN || len > SYNC_MSG_MAX ||
	    pcp_get32(buf) != SYNC_MAGIC || buf[4] != SYNC_VERSION ||
	    pcp_get16(buf + 6) != len)
		return -EBADMSG;
	if (crypto_auth_verify(buf + len - SYNC_TAG_LEN, buf,
			       len - SYNC_TAG_LEN, key))
		return -EPERM;
	m->h.type = buf[5];
	m->h.node_id = pcp_get32(buf + 8);
	m->h.role = buf[12];
	m->h.session = get64(buf + 16);
	m->h.dst_session = get64(buf + 24);
	m->h.counter = get64(buf + 32);
	fixed = body_len(m->h.type);
	blen = len - SYNC_HDR_LEN - SYNC_TAG_LEN;
	if (fixed < 0 || buf[13] || pcp_get16(buf + 14) ||
	    m->h.role > SYNC_ROLE_FAULT || !m->h.session || !m->h.counter ||
	    blen < (size_t)fixed ||
	    (m->h.type != SYNC_MSG_BATCH && blen != (size_t)fixed))
		return -EBADMSG;
	switch (m->h.type) {
	case SYNC_MSG_HELLO:
		m->value = pcp_get32(b);
		m->flags = pcp_get32(b + 4);
		if (m->flags & ~SYNC_HELLO_F_ESTABLISHED ||
		    m->value < SYNC_MTU_MIN ||
		    m->value > SYNC_MSG_MAX)
			return -EBADMSG;
		break;
	case SYNC_MSG_ACK:
		m->seq = get64(b);
		break;
	case SYNC_MSG_RESYNC:
		m->rid = pcp_get32(b);
		m->value = pcp_get32(b + 4);
		if (m->value < SYNC_RESYNC_START ||
		    m->value > SYNC_RESYNC_MISMATCH)
			return -EBADMSG;
		break;
	case SYNC_MSG_HEARTBEAT:
		m->seq = get64(b);
		m->tx_base = get64(b + 8);
		if (m->tx_base > m->seq || !m->tx_base)
			return -EBADMSG;
		break;
	case SYNC_MSG_BATCH:
	case SYNC_MSG_BULK_BEGIN:
	case SYNC_MSG_BULK_END:
		m->seq = get64(b);
		m->tx_base = get64(b + 8);
		if (!m->tx_base || m->tx_base > m->seq)
			return -EBADMSG;
		if (m->h.type == SYNC_MSG_BATCH)
			return parse_batch(m, b, blen - fixed);
		m->rid = pcp_get32(b + 16);
		m->value = pcp_get32(b + 20);
		if (m->h.type == SYNC_MSG_BULK_BEGIN && m->value)
			return -EBADMSG;
		break;
	}
	return 0;
}

int sync_wire_next_record(const struct sync_msg *m, size_t *off,
			  struct sync_record *r)
{
	int n;

	if (m->h.type != SYNC_MSG_BATCH || *off >= m->records_len)
		return 0;
	n = sync_rec_decode(m->records + *off, m->records_len - *off, r);
	if (n < 0)
		return 0;	/* cannot happen: parse checked every one */
	*off += n;
	return 1;
}
