/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCP v2 codec: pure functions over caller buffers, no I/O, no allocation.
 * Layouts: RFC 6887 7, 11, 12, 13; GET/NEXT: draft-boucadair-pcp-failure
 * App. B. Byte order: see pcp_types.h.
 */
#ifndef PCP_H
#define PCP_H

#include "pcp/pcp_types.h"

/*
 * Decode and validate one datagram received on the PCP port. Never reads
 * beyond len. res->verdict says what to do; on PCP_V_OK, req is complete.
 * On PCP_V_ERROR the fields of req that could be read are filled.
 */
void pcp_parse_request(const uint8_t *buf, size_t len,
		       struct pcp_request *req, struct pcp_parse_result *res);

/*
 * Options of a request (is_response false) or of a response (true) found
 * in buf[off..len). Returns PCP_SUCCESS or the result code the request
 * deserves (UNSUPP_OPTION, MALFORMED_OPTION), *bad_off the offending
 * option's offset. In responses, NEXT may repeat: *nnext counts them and
 * the first is kept in opt->next_locator.
 */
uint8_t pcp_parse_options(uint8_t opcode, const uint8_t *buf, size_t off,
			  size_t len, bool is_response,
			  struct pcp_options *opt, unsigned int *nnext,
			  uint16_t *bad_off);

/* Write the options o asks for (not NEXT); -1 if they do not fit in cap. */
int pcp_put_options(uint8_t *p, size_t cap, const struct pcp_options *o);

/* Decode a response (for clients and tests). 0, or -1 if malformed. */
int pcp_parse_response(const uint8_t *buf, size_t len,
		       struct pcp_response *resp, unsigned int *nnext);

/*
 * Build a success (or any non-copying) response. Returns its length, or
 * -1 if it would exceed cap or PCP_MAX_LEN.
 */
int pcp_build_response(uint8_t *buf, size_t cap, const struct pcp_response *r);

/*
 * Build an error response to the request req[0..req_len) per RFC 6887
 * 8.3: the header says version 2, R, the request's opcode and the result;
 * the opcode payload and options are copied from the request as far as
 * they go, truncated to PCP_MAX_LEN and to a multiple of 4. For
 * UNSUPP_VERSION only the 24-octet header is sent (the rest of a message
 * of another version cannot be understood). Returns the length or -1.
 */
int pcp_build_error(uint8_t *buf, size_t cap, const uint8_t *req,
		    size_t req_len, uint8_t result, uint32_t lifetime,
		    uint32_t epoch);

/*
 * Append one NEXT option carrying mapping n (and the options in emb,
 * embedded) to the GET response in buf[0..len). Returns the new length, or
 * -1 if it does not fit within cap and PCP_MAX_LEN (the caller then marks
 * the last NEXT it wrote as MORE and stops). *more_end_off receives the
 * offset of the MORE/END octet so the caller can rewrite it.
 */
int pcp_append_next(uint8_t *buf, size_t len, size_t cap,
		    const struct pcp_next *n, const struct pcp_options *emb,
		    size_t *more_end_off);

/* Decode the body of a NEXT option (data[0..len)). 0, or -1 if short. */
int pcp_decode_next(const uint8_t *data, size_t len, bool is_response,
		    struct pcp_next *n);

/* Short- or long-lifetime error (RFC 6887 7.4)? */
bool pcp_result_is_short(uint8_t result);
const char *pcp_result_name(uint8_t result);

#endif /* PCP_H */
