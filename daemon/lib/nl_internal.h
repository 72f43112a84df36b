/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the client library only: the request/reply engine and attribute
 * helpers shared by nl_*.c. Callers of the library never see netlink.
 */
#ifndef PCPNL_NL_INTERNAL_H
#define PCPNL_NL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include "lib/nlclient.h"
#include "lib/pcpnl_types.h"

struct pcpnl_client {
	struct nl_sock *sk;
	int family;
	uint32_t version;
	char error[256];	/* extack of the last failure */
	char warning[256];	/* extack of the last success: a warning */
};

/*
 * Called for each reply message with its top-level attributes (tb has
 * PCPNAT_A_MAX + 1 entries). Return 0 to go on, a negative errno to stop;
 * that errno becomes the result of pcpnl_transact().
 */
typedef int (*pcpnl_reply_fn)(const struct nlmsghdr *nlh, struct nlattr **tb,
			       void *arg);

/* A request of cmd with the family header filled in; NULL: out of memory. */
struct nl_msg *pcpnl_msg_new(struct pcpnl_client *c, uint8_t cmd, int flags);

/*
 * Send msg (always consumed) and read until the ack, the error or the end
 * of the dump. Clears and then records the extack text.
 */
int pcpnl_transact(struct pcpnl_client *c, struct nl_msg *msg,
		    pcpnl_reply_fn fn, void *arg);

/*
 * The extack TLVs of an error answering req as one line into out: the
 * kernel's message, led by the keyword of the attribute it points at and
 * followed by the policy's bounds ("udp-timeout: integer out of range
 * (minimum 120)"); "" when the kernel said nothing (nl_extack.c).
 */
void pcpnl_extack_text(char *out, size_t len, const struct nlmsghdr *req,
			const struct nlattr *tlvs, int tlvlen, int error);

/* Exact-length attribute readers: false if a is NULL or malformed. */
bool pcpnl_attr_u8(const struct nlattr *a, uint8_t *v);
bool pcpnl_attr_u16(const struct nlattr *a, uint16_t *v);
bool pcpnl_attr_u32(const struct nlattr *a, uint32_t *v);
bool pcpnl_attr_u64(const struct nlattr *a, uint64_t *v);
bool pcpnl_attr_be16(const struct nlattr *a, uint16_t *host);
bool pcpnl_attr_in(const struct nlattr *a, struct in_addr *v);

/*
 * Reads an optional attribute of tb into dst and sets bit in fields: absent
 * is fine, malformed makes the calling function return -EBADMSG.
 */
#define PCPNL_NL_OPT(tb, attr, reader, dst, fields, bit)		\
	do {								\
		if ((tb)[attr]) {					\
			if (!reader((tb)[attr], dst))			\
				return -EBADMSG;			\
			(fields) |= (bit);				\
		}							\
	} while (0)

/* PCPNAT_A_MAP nest <-> struct pcpnl_map (nl_mapattr.c). */
int pcpnl_map_put(struct nl_msg *msg, int type, const struct pcpnl_map *m);
int pcpnl_map_parse(const struct nlattr *nest, struct pcpnl_map *m);

#endif /* PCPNL_NL_INTERNAL_H */
