// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the pcpd.conf parser (pcpd/conf.c over libinih):
 * any text either parses into a configuration within its bounds or is
 * refused with one line naming what is wrong, and parsing the same text
 * twice gives the same configuration (nothing depends on leftovers).
 */
#include <stdlib.h>
#include <string.h>

#include "pcpd/conf.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* A timeout within the module's bounds. */
static int in(uint32_t v, uint32_t min)
{
	return v >= min && v <= PCPNAT_TIMEOUT_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pcpd_conf a, b;
	char err[256], err2[256], *text;
	int rc, rc2;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* b starts from another parse's leftovers: nothing may show through. */
	memset(&b, 0xa5, sizeof(b));
	rc = pcpd_conf_parse_string(text, &a, err, sizeof(err));
	rc2 = pcpd_conf_parse_string(text, &b, err2, sizeof(err2));
	free(text);
	CHECK(rc == rc2);
	if (rc) {
		CHECK(rc == -1 && err[0] && memchr(err, 0, sizeof(err)));
		CHECK(!strcmp(err, err2) && !strchr(err, '\n'));
		return 0;
	}
	CHECK(!memcmp(&a, &b, sizeof(a)));
	CHECK(a.nlisten <= PCPD_LISTEN_MAX && a.nannounce <= PCPD_ANNOUNCE_MAX);
	CHECK(memchr(a.state_file, 0, sizeof(a.state_file)));
	CHECK(memchr(a.user, 0, sizeof(a.user)));
	CHECK(memchr(a.ext_dev, 0, sizeof(a.ext_dev)));
	CHECK(a.pol.lifetime_min <= a.pol.lifetime_max);
	CHECK(a.pol.n_third_party <= PCPD_THIRD_PARTY_MAX);
	CHECK(a.pol.max_filters <= PCPNAT_FILTERS_MAX);
	/* [nat]: nothing the module's policy would refuse. */
	CHECK(a.nat.npool <= PCPNAT_POOL_MAX && a.nat.nint <= PCPNAT_INTERNAL_MAX);
	CHECK(!(a.nat.fields & PCPNL_CF_UDP_TIMEOUT) ||
	      in(a.nat.udp_timeout, PCPNAT_UDP_TIMEOUT_MIN));
	CHECK(!(a.nat.fields & PCPNL_CF_TCP_EST_TIMEOUT) ||
	      in(a.nat.tcp_est_timeout, PCPNAT_TCP_EST_TIMEOUT_MIN));
	CHECK(!(a.nat.fields & PCPNL_CF_TCP_TRANS_TIMEOUT) ||
	      in(a.nat.tcp_trans_timeout, PCPNAT_TCP_TRANS_TIMEOUT_MIN));
	CHECK(!(a.nat.fields & PCPNL_CF_ICMP_TIMEOUT) ||
	      in(a.nat.icmp_timeout, PCPNAT_ICMP_TIMEOUT_MIN));
	CHECK(!(a.nat.fields & PCPNL_CF_MAX_MAPPINGS) || a.nat.max_mappings);
	CHECK(a.nat.filtering <= PCPNAT_FILTER_MAX);
	CHECK(!(a.nat.fields & PCPNL_CF_PORT_MIN) ||
	      (a.nat.port_min && a.nat.port_min <= a.nat.port_max));
	return 0;
}
