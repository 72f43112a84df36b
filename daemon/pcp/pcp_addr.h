/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCP carries every address in 128 bits; IPv4 travels IPv4-mapped
 * (::ffff:a.b.c.d, RFC 6887 5). These helpers convert between that form
 * and the __be32 the module's ABI uses. IPv4 values are in network order.
 */
#ifndef PCP_ADDR_H
#define PCP_ADDR_H

#include <stdbool.h>
#include <stdint.h>

/* True for ::ffff:0:0/96. */
bool pcp_addr_is_v4(const uint8_t a[16]);
/* True for :: and ::ffff:0.0.0.0, the two "no address" spellings. */
bool pcp_addr_is_unspec(const uint8_t a[16]);
/* ::ffff:a.b.c.d from a network-order IPv4 address. */
void pcp_addr_from_v4(uint8_t a[16], uint32_t be_addr);
/* The IPv4 address of an IPv4-mapped one; false if it is not one. */
bool pcp_addr_to_v4(const uint8_t a[16], uint32_t *be_addr);
bool pcp_addr_equal(const uint8_t a[16], const uint8_t b[16]);
/* Does a fall in b/plen (plen 0..128)? */
bool pcp_addr_in_prefix(const uint8_t a[16], const uint8_t b[16],
			unsigned int plen);

#endif /* PCP_ADDR_H */
