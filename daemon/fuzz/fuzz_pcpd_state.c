// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the state-file parser (pcpd/state_file.c). The file ends
 * in a record count and a hash of what precedes it, which random bytes
 * never match; so each input is tried twice: as it is, and with the end
 * record a writer would have put after it, so that the fuzzer reaches the
 * record parsers behind the check. What is accepted must format back into
 * a file that parses to the same records and formats to the same bytes
 * (draft-boucadair-pcp-failure Appendix A: what is restored is what was
 * saved).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcpd/state_file.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void round_trip(const struct pcpd_state *a)
{
	struct pcpd_state b;
	char *buf, *again, err[128];
	size_t len, len2;

	if (pcpd_state_format(a, &buf, &len))
		return;		/* too big to write: never written */
	pcpd_state_init(&b);
	CHECK(pcpd_state_parse(buf, len, &b, err, sizeof(err)) == 0);
	CHECK(b.nmaps == a->nmaps && b.nresets == a->nresets);
	CHECK(b.state_id == a->state_id && b.origin == a->origin);
	CHECK(pcpd_state_format(&b, &again, &len2) == 0);
	CHECK(len2 == len && !memcmp(again, buf, len));
	free(again);
	free(buf);
	pcpd_state_free(&b);
}

static void try_one(const char *buf, size_t len)
{
	struct pcpd_state s;
	char err[128];

	pcpd_state_init(&s);
	if (!pcpd_state_parse(buf, len, &s, err, sizeof(err)))
		round_trip(&s);
	else
		CHECK(s.nmaps == 0 && memchr(err, 0, sizeof(err)));
	pcpd_state_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int records = 0;
	char *buf;
	size_t i;
	int n;

	try_one((const char *)data, size);
	if (size > (1 << 16) || (size && data[size - 1] != '\n'))
		return 0;
	/* Every line is a record but the three of the header. */
	for (i = 0; i < size; i++)
		records += data[i] == '\n';
	records = records > 3 ? records - 3 : 0;
	buf = malloc(size + 64);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	n = snprintf(buf + size, 64, "end %u %016" PRIx64 "\n",
		     records, pcpd_state_hash(data, size));
	try_one(buf, size + (size_t)n);
	free(buf);
	return 0;
}
