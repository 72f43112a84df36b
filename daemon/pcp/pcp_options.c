// SPDX-License-Identifier: GPL-2.0
/*
 * PCP options: decoding with the validity rules of RFC 6887 7.3 and 13,
 * RFC 7220 (DESCRIPTION) and draft-boucadair-pcp-failure App. B.4 (NEXT),
 * and encoding for responses.
 *
 * Each option is code (8) | reserved (8) | length (16) | data, padded with
 * zeros to a multiple of 4; the length does not count the padding.
 */
#include <string.h>

#include "pcp/pcp.h"
#include "pcp/pcp_addr.h"
#include "pcp/pcp_wire.h"

/* May option code appear in a request of this opcode? */
static bool opt_valid_for(uint8_t code, uint8_t opcode)
{
	switch (code) {
	case PCP_OPT_THIRD_PARTY:
		/*
		 * GET: a NOC asks about one subscriber
		 * (draft-boucadair-pcp-failure App. B).
		 */
		return opcode == PCP_OP_MAP || opcode == PCP_OP_PEER ||
		       opcode == PCP_OP_GET;
	case PCP_OPT_PREFER_FAILURE:
	case PCP_OPT_FILTER:
		return opcode == PCP_OP_MAP;
	case PCP_OPT_DESCRIPTION:
		return opcode == PCP_OP_MAP || opcode == PCP_OP_PEER;
	case PCP_OPT_NEXT:
		return opcode == PCP_OP_GET;
	}
	return false;
}

/*
 * RFC 6887 13.3: the prefix length counts over the 128-bit form, so an
 * IPv4 filter has 96..128; 0 is "remove all filters"
 * (draft-boucadair-pcp-flow-examples 6.2).
 */
static bool filter_plen_ok(const struct pcp_filter *f)
{
	if (f->prefix_len == 0)
		return true;
	if (pcp_addr_is_v4(f->addr))
		return f->prefix_len >= 96 && f->prefix_len <= 128;
	return f->prefix_len <= 128;
}

int pcp_decode_next(const uint8_t *d, size_t len, bool is_response,
		    struct pcp_next *n)
{
	size_t i;

	if (len < PCP_NEXT_LEN)
		return -1;
	memset(n, 0, sizeof(*n));
	memcpy(n->nonce, d, PCP_NONCE_LEN);
	n->protocol = d[12];
	n->more_end = d[15];
	memcpy(n->int_addr, d + 16, 16);
	memcpy(n->ext_addr, d + 32, 16);
	n->lifetime = pcp_get32(d + 48);
	n->int_port = pcp_get16(d + 52);
	n->ext_port = pcp_get16(d + 54);
	if (is_response)
		return 0;
	/*
	 * A Locator lists the option codes wanted back, one octet each, in the
	 * way the UNPROCESSED option of RFC 6887 drafts did; zero is padding.
	 * Codes beyond what we can embed are dropped, duplicates folded.
	 */
	for (i = PCP_NEXT_LEN; i < len; i++) {
		uint8_t c = d[i], k;
		bool dup = false;

		if (!c)
			continue;
		for (k = 0; k < n->ncodes; k++)
			dup |= n->codes[k] == c;
		if (!dup && n->ncodes < PCP_NEXT_CODES_MAX)
			n->codes[n->ncodes++] = c;
	}
	return 0;
}

uint8_t pcp_parse_options(uint8_t opcode, const uint8_t *buf, size_t off,
			  size_t len, bool is_response,
			  struct pcp_options *opt, unsigned int *nnext,
			  uint16_t *bad_off)
{
	unsigned int next_seen = 0;

	memset(opt, 0, sizeof(*opt));
	*bad_off = 0;
	while (off < len) {
		const uint8_t *d;
		uint8_t code;
		size_t olen, padded;

		*bad_off = (uint16_t)off;
		if (len - off < PCP_OPT_HDR_LEN)
			return PCP_MALFORMED_OPTION;
		code = buf[off];
		olen = pcp_get16(buf + off + 2);
		padded = (olen + 3) & ~(size_t)3;
		/* The option, padding included, must end inside the message. */
		if (padded > len - off - PCP_OPT_HDR_LEN)
			return PCP_MALFORMED_OPTION;
		d = buf + off + PCP_OPT_HDR_LEN;
		off += PCP_OPT_HDR_LEN + padded;

		if (!opt_valid_for(code, opcode)) {
			/* Unknown or misplaced: fatal only if mandatory. */
			if (code < PCP_OPT_OPTIONAL_MIN)
				return PCP_UNSUPP_OPTION;
			continue;
		}
		switch (code) {
		case PCP_OPT_THIRD_PARTY:
			if (olen != PCP_THIRD_PARTY_LEN || opt->third_party)
				return PCP_MALFORMED_OPTION;
			opt->third_party = true;
			memcpy(opt->third_party_addr, d, 16);
			break;
		case PCP_OPT_PREFER_FAILURE:
			if (olen != 0 || opt->prefer_failure)
				return PCP_MALFORMED_OPTION;
			opt->prefer_failure = true;
			break;
		case PCP_OPT_FILTER: {
			struct pcp_filter *f;

			if (olen != PCP_FILTER_LEN)
				return PCP_MALFORMED_OPTION;
			/* Cannot overflow: 1100 octets hold no more. */
			if (opt->nfilters >= PCP_FILTERS_MAX_WIRE)
				return PCP_MALFORMED_OPTION;
			f = &opt->filters[opt->nfilters];
			f->prefix_len = d[1];
			f->port = pcp_get16(d + 2);
			memcpy(f->addr, d + 4, 16);
			if (!filter_plen_ok(f))
				return PCP_MALFORMED_OPTION;
			opt->nfilters++;
			break;
		}
		case PCP_OPT_DESCRIPTION: {
			size_t keep = olen < PCP_DESCR_MAX ? olen : PCP_DESCR_MAX;

			if (opt->description)
				return PCP_MALFORMED_OPTION;
			/* Optional to process: a long one is cut, not refused. */
			opt->description = true;
			opt->description_len = (uint16_t)keep;
			memcpy(opt->description_text, d, keep);
			opt->description_text[keep] = '\0';
			break;
		}
		case PCP_OPT_NEXT:
			if (!is_response && next_seen)
				return PCP_MALFORMED_OPTION;
			if (pcp_decode_next(d, olen, is_response,
					    next_seen ? &(struct pcp_next){0} :
					    &opt->next_locator))
				return PCP_MALFORMED_OPTION;
			next_seen++;
			opt->next = true;
			break;
		}
	}
	*bad_off = 0;
	if (nnext)
		*nnext = next_seen;
	return PCP_SUCCESS;
}

static int put_opt_hdr(uint8_t *p, size_t cap, uint8_t code, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;

	if (cap < PCP_OPT_HDR_LEN + padded)
		return -1;
	p[0] = code;
	p[1] = 0;
	pcp_put16(p + 2, (uint16_t)len);
	memset(p + PCP_OPT_HDR_LEN, 0, padded);
	return (int)(PCP_OPT_HDR_LEN + padded);
}

int pcp_put_options(uint8_t *p, size_t cap, const struct pcp_options *o)
{
	size_t n = 0;
	unsigned int i;
	int w;

	if (o->third_party) {
		w = put_opt_hdr(p + n, cap - n, PCP_OPT_THIRD_PARTY,
				PCP_THIRD_PARTY_LEN);
		if (w < 0)
			return -1;
		memcpy(p + n + 4, o->third_party_addr, 16);
		n += w;
	}
	if (o->prefer_failure) {
		w = put_opt_hdr(p + n, cap - n, PCP_OPT_PREFER_FAILURE, 0);
		if (w < 0)
			return -1;
		n += w;
	}
	for (i = 0; i < o->nfilters; i++) {
		const struct pcp_filter *f = &o->filters[i];

		w = put_opt_hdr(p + n, cap - n, PCP_OPT_FILTER, PCP_FILTER_LEN);
		if (w < 0)
			return -1;
		p[n + 5] = f->prefix_len;
		pcp_put16(p + n + 6, f->port);
		memcpy(p + n + 8, f->addr, 16);
		n += w;
	}
	if (o->description) {
		w = put_opt_hdr(p + n, cap - n, PCP_OPT_DESCRIPTION,
				o->description_len);
		if (w < 0)
			return -1;
		memcpy(p + n + 4, o->description_text, o->description_len);
		n += w;
	}
	return (int)n;
}
