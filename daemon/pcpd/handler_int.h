/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the per-opcode handlers; not part of pcpd's API. */
#ifndef PCPD_HANDLER_INT_H
#define PCPD_HANDLER_INT_H

#include "pcp/pcp.h"
#include "pcpd/handler.h"

/* One request being answered. */
struct pcpd_txn {
	const struct pcpd_server *srv;
	const uint8_t *raw;
	size_t raw_len;
	uint32_t src;		/* packet source, network order */
	const struct pcp_request *req;
	uint8_t *resp;
	size_t cap;
	struct pcpd_outcome *out;
};

/* Error response copying the request (RFC 6887 8.3), lifetime by class. */
int pcpd_error(struct pcpd_txn *t, uint8_t result);
/* Same, with an explicit lifetime (nonce mismatch reports the mapping's). */
int pcpd_error_lt(struct pcpd_txn *t, uint8_t result, uint32_t lifetime);
/* PCP result for a backend -errno. */
uint8_t pcpd_errno_result(int err);
uint32_t pcpd_epoch(struct pcpd_txn *t, uint32_t subscriber);
/* Resolve THIRD_PARTY: 0 and *who set, or a result code to answer. */
uint8_t pcpd_subject(struct pcpd_txn *t, uint32_t *who, bool *noc);

int pcpd_handle_map(struct pcpd_txn *t);
int pcpd_handle_peer(struct pcpd_txn *t);
int pcpd_handle_get(struct pcpd_txn *t);
int pcpd_handle_natpmp(const struct pcpd_server *srv, const uint8_t *buf,
		       size_t len, uint32_t src, uint8_t *resp, size_t cap,
		       struct pcpd_outcome *out);

#endif /* PCPD_HANDLER_INT_H */
