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
 *
 * The same input is also replayed as a journal (state_journal.c) after
 * the header of a fixed snapshot: the replay must never fail on it (a bad
 * record ends it), must account for every byte, and what it applied must
 * be what writing those records again gives back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcpd/state_journal.h"

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

#define SNAP	0x0123456789abcdefull

/*
 * Random bytes never chain their hashes: each line of the input sealed as
 * the writer would, so that the fuzzer reaches the record parsers.
 */
static void try_sealed_journal(const uint8_t *data, size_t size)
{
	struct pcpd_journal_replay r;
	struct pcpd_state s;
	const uint8_t *p = data, *nl;
	uint64_t chain = SNAP, h;
	size_t off, cap;
	char *buf;

	if (size > (1 << 16))
		return;
	cap = PCPD_JOURNAL_HEADER_LEN + 1 + size + 18 * (size + 1);
	buf = malloc(cap);
	if (!buf)
		return;
	off = pcpd_journal_header(buf, cap, SNAP);
	while ((nl = memchr(p, '\n', data + size - p))) {
		memcpy(buf + off, p, nl - p);
		h = pcpd_state_hash_more(chain, p, nl - p);
		off += nl - p;
		off += snprintf(buf + off, cap - off, " %016" PRIx64 "\n", h);
		chain = h;
		p = nl + 1;
	}
	pcpd_state_init(&s);
	CHECK(pcpd_journal_replay(buf, off, SNAP, &s, &r) == 0);
	CHECK(r.used + r.ignored == off);
	pcpd_state_free(&s);
	free(buf);
}

static void try_journal(const uint8_t *data, size_t size)
{
	struct pcpd_journal_replay r, r2;
	struct pcpd_state s, again;
	char *buf, rec[PCPD_STATE_LINE_MAX], *out;
	size_t len, off;
	uint64_t chain = SNAP;
	unsigned int i;
	int n;

	buf = malloc(PCPD_JOURNAL_HEADER_LEN + 1 + size);
	if (!buf)
		return;
	n = pcpd_journal_header(buf, PCPD_JOURNAL_HEADER_LEN + 1, SNAP);
	CHECK(n == (int)PCPD_JOURNAL_HEADER_LEN);
	memcpy(buf + n, data, size);
	len = n + size;
	pcpd_state_init(&s);
	CHECK(pcpd_journal_replay(buf, len, SNAP, &s, &r) == 0);
	CHECK(r.used + r.ignored == len);
	CHECK(pcpd_journal_replay(buf, len, SNAP + 1, &s, &r2) == -ESTALE);
	/* What was applied, written as one record a mapping, replays alike. */
	out = malloc(PCPD_JOURNAL_HEADER_LEN + 1 +
		     (size_t)s.nmaps * PCPD_STATE_LINE_MAX);
	if (out) {
		off = pcpd_journal_header(out, PCPD_JOURNAL_HEADER_LEN + 1, SNAP);
		for (i = 0; i < s.nmaps; i++) {
			n = pcpd_journal_map(rec, sizeof(rec), &chain,
					     &s.maps[i].m, s.maps[i].expires);
			CHECK(n > 0);
			memcpy(out + off, rec, n);
			off += n;
		}
		pcpd_state_init(&again);
		CHECK(pcpd_journal_replay(out, off, SNAP, &again, &r2) == 0);
		CHECK(r2.ignored == 0 && again.nmaps == s.nmaps);
		for (i = 0; i < s.nmaps; i++)
			CHECK(!memcmp(&again.maps[i].m, &s.maps[i].m,
				      sizeof(s.maps[i].m)) &&
			      again.maps[i].expires == s.maps[i].expires);
		pcpd_state_free(&again);
		free(out);
	}
	pcpd_state_free(&s);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int records = 0;
	char *buf;
	size_t i;
	int n;

	try_one((const char *)data, size);
	try_journal(data, size);
	try_sealed_journal(data, size);
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
