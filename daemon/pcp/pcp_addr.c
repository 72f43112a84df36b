// SPDX-License-Identifier: GPL-2.0
/* IPv4-mapped address helpers (see pcp_addr.h). */
#include <string.h>

#include "pcp/pcp_addr.h"

static const uint8_t v4_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

bool pcp_addr_is_v4(const uint8_t a[16])
{
	return memcmp(a, v4_prefix, sizeof(v4_prefix)) == 0;
}

bool pcp_addr_is_unspec(const uint8_t a[16])
{
	static const uint8_t zero[16];

	if (memcmp(a, zero, 16) == 0)
		return true;
	return pcp_addr_is_v4(a) && memcmp(a + 12, zero, 4) == 0;
}

void pcp_addr_from_v4(uint8_t a[16], uint32_t be_addr)
{
	memcpy(a, v4_prefix, sizeof(v4_prefix));
	/* be_addr is already in wire order: copy its octets as they lie. */
	memcpy(a + 12, &be_addr, 4);
}

bool pcp_addr_to_v4(const uint8_t a[16], uint32_t *be_addr)
{
	if (!pcp_addr_is_v4(a))
		return false;
	memcpy(be_addr, a + 12, 4);
	return true;
}

bool pcp_addr_equal(const uint8_t a[16], const uint8_t b[16])
{
	return memcmp(a, b, 16) == 0;
}

bool pcp_addr_in_prefix(const uint8_t a[16], const uint8_t b[16],
			unsigned int plen)
{
	unsigned int full = plen / 8, rem = plen % 8;

	if (plen > 128)
		return false;
	if (memcmp(a, b, full) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));

		if ((a[full] & mask) != (b[full] & mask))
			return false;
	}
	return true;
}
