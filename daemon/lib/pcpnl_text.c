// SPDX-License-Identifier: GPL-2.0
/* Parsers and formatters for operator text; see pcpnl_text.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "lib/pcpnl_text.h"

int pcpnl_parse_addr(const char *s, struct in_addr *a)
{
	struct in_addr tmp;

	if (!s || inet_pton(AF_INET, s, &tmp) != 1)
		return -EINVAL;
	*a = tmp;
	return 0;
}

/* Parses the decimal digits in [s, s+len); strtoul would take "+1", " 1". */
static int parse_dec(const char *s, size_t len, uint32_t min, uint32_t max,
		     uint32_t *v)
{
	uint64_t n = 0;
	size_t i;

	if (!len || len > 10)
		return len ? -ERANGE : -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (n < min || n > max)
		return -ERANGE;
	*v = (uint32_t)n;
	return 0;
}

int pcpnl_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	size_t len;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	/* Eleven or more digits are out of range, anything else is junk. */
	if (len > 10 && strspn(s, "0123456789") == len)
		return -ERANGE;
	return parse_dec(s, len, min, max, v);
}

/* Copies [s, s+len) into buf as a C string; false if it does not fit. */
static bool take(char *buf, size_t size, const char *s, size_t len)
{
	if (len >= size)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

static int prefix_span(const char *s, size_t len, uint32_t minlen,
		       struct in_addr *a, uint8_t *plen)
{
	const char *slash = memchr(s, '/', len);
	char buf[INET_ADDRSTRLEN];
	struct in_addr addr;
	uint32_t l = 32;
	int rc;

	if (!take(buf, sizeof(buf), s, slash ? (size_t)(slash - s) : len) ||
	    pcpnl_parse_addr(buf, &addr))
		return -EINVAL;
	if (slash) {
		rc = parse_dec(slash + 1, len - (size_t)(slash + 1 - s), minlen,
			       32, &l);
		if (rc)
			return rc;
	}
	*a = addr;
	*plen = (uint8_t)l;
	return 0;
}

int pcpnl_parse_prefix(const char *s, struct pcpnl_prefix *p)
{
	struct in_addr a;
	uint8_t l;
	int rc;

	if (!s)
		return -EINVAL;
	rc = prefix_span(s, strlen(s), 0, &a, &l);
	if (rc)
		return rc;
	p->addr = a;
	p->len = l;
	return 0;
}

int pcpnl_parse_prefix_list(const char *s, struct pcpnl_prefix *p,
			     unsigned int max, unsigned int *n)
{
	struct pcpnl_prefix tmp;
	const char *e;
	unsigned int i = 0;
	int rc;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "none")) {
		*n = 0;
		return 0;
	}
	for (;;) {
		e = strchr(s, ',');
		if (i == max)
			return -ERANGE;
		rc = prefix_span(s, e ? (size_t)(e - s) : strlen(s), 0,
				 &tmp.addr, &tmp.len);
		if (rc)
			return rc;
		/*
		 * Writing before the whole list parsed is fine: n says how
		 * many. Member by member into a zeroed entry: a copy of tmp
		 * would carry its stack garbage in the padding, and two
		 * parses of one text would then differ in memory.
		 */
		memset(&p[i], 0, sizeof(p[i]));
		p[i].addr = tmp.addr;
		p[i++].len = tmp.len;
		if (!e)
			break;
		s = e + 1;
	}
	*n = i;
	return 0;
}

int pcpnl_parse_endpoint(const char *s, bool port_optional,
			  struct in_addr *a, uint16_t *port, bool *has_port)
{
	char buf[INET_ADDRSTRLEN];
	const char *colon;
	struct in_addr addr;
	uint32_t p = 0;
	int rc;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon && !port_optional)
		return -EINVAL;
	if (!take(buf, sizeof(buf), s, colon ? (size_t)(colon - s) : strlen(s)) ||
	    pcpnl_parse_addr(buf, &addr))
		return -EINVAL;
	if (colon) {
		rc = pcpnl_parse_u32(colon + 1, 0, 65535, &p);
		if (rc)
			return rc;
	}
	*a = addr;
	*port = (uint16_t)p;
	if (has_port)
		*has_port = colon != NULL;
	return 0;
}

int pcpnl_parse_bool(const char *s, bool *v)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	size_t i;

	for (i = 0; s && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*v = !strcmp(s, yes[i]);
			return 0;
		}
	}
	return -EINVAL;
}

int pcpnl_parse_port_range(const char *s, uint16_t *min, uint16_t *max)
{
	const char *dash;
	uint32_t lo, hi;
	int rc;

	if (!s)
		return -EINVAL;
	dash = strchr(s, '-');
	rc = parse_dec(s, dash ? (size_t)(dash - s) : strlen(s), 1, 65535, &lo);
	if (rc)
		return rc;
	hi = lo;
	if (dash) {
		rc = pcpnl_parse_u32(dash + 1, 1, 65535, &hi);
		if (rc)
			return rc;
	}
	if (lo > hi)
		return -ERANGE;
	*min = (uint16_t)lo;
	*max = (uint16_t)hi;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pcpnl_parse_nonce(const char *s, uint8_t nonce[PCPNAT_NONCE_LEN])
{
	uint8_t tmp[PCPNAT_NONCE_LEN];
	int hi, lo;
	size_t i;

	if (!s || strlen(s) != 2 * PCPNAT_NONCE_LEN)
		return -EINVAL;
	for (i = 0; i < PCPNAT_NONCE_LEN; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(nonce, tmp, sizeof(tmp));
	return 0;
}

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "udp", IPPROTO_UDP },
	{ "tcp", IPPROTO_TCP },
	{ "icmp", IPPROTO_ICMP },
};

int pcpnl_parse_proto(const char *s, uint8_t *proto)
{
	size_t i;

	for (i = 0; s && i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcmp(s, protos[i].name)) {
			*proto = protos[i].proto;
			return 0;
		}
	}
	return -EINVAL;
}

const char *pcpnl_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

int pcpnl_parse_filter(const char *s, struct pcpnl_filter *f)
{
	const char *colon;
	struct in_addr a;
	uint32_t port = 0;
	uint8_t l;
	int rc;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	rc = prefix_span(s, colon ? (size_t)(colon - s) : strlen(s), 1, &a, &l);
	if (rc)
		return rc;
	if (colon) {
		rc = pcpnl_parse_u32(colon + 1, 0, 65535, &port);
		if (rc)
			return rc;
	}
	f->addr = a;
	f->plen = l;
	f->port = (uint16_t)port;
	return 0;
}

void pcpnl_format_nonce(const uint8_t nonce[PCPNAT_NONCE_LEN],
			 char out[PCPNL_NONCE_HEX_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < PCPNAT_NONCE_LEN; i++) {
		out[2 * i] = hex[nonce[i] >> 4];
		out[2 * i + 1] = hex[nonce[i] & 15];
	}
	out[2 * PCPNAT_NONCE_LEN] = '\0';
}
