/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpd's decision logic: one datagram in, one response (or nothing) out.
 * Pure with respect to I/O: the only side effects go through the backend.
 */
#ifndef PCPD_HANDLER_H
#define PCPD_HANDLER_H

#include <stddef.h>
#include <stdint.h>

#include "pcpd/backend.h"
#include "pcpd/policy.h"

struct pcpd_server {
	const struct pcpd_policy *pol;
	const struct pcpd_backend_ops *ops;
	void *be;
};

/* What was decided, for the one-line log and the counters. */
struct pcpd_outcome {
	uint8_t version;	/* 0 NAT-PMP, 2 PCP, other: unsupported */
	uint8_t opcode;
	uint8_t result;		/* PCP or NAT-PMP result code */
	bool dropped;
	int backend_err;	/* the backend's -errno, 0 if none */
};

/*
 * Handle the datagram buf[0..len) that arrived from src (IPv4, network
 * order) on the PCP port. Writes the response into resp (cap >= 1100
 * recommended) and returns its length; 0 means send nothing.
 */
int pcpd_handle(const struct pcpd_server *srv, const uint8_t *buf,
		size_t len, uint32_t src, uint8_t *resp, size_t cap,
		struct pcpd_outcome *out);

#endif /* PCPD_HANDLER_H */
