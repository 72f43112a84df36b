// SPDX-License-Identifier: GPL-2.0
/*
 * Restoring stable storage into a fresh table (pcpd/restore.c): a
 * mapping that cannot be made again is a loss its owner must learn of, so
 * that subscriber's epoch restarts (RFC 6887 8.5;
 * draft-boucadair-pcp-failure 3.1) while the others continue from the
 * stored origin (its App. A).
 */
#include <netinet/in.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "kselftest_harness.h"
#include "pcpd/backend_nl.h"
#include "pcpd/restore.h"
#include "pcpd/state_file.h"
#include "fake_backend.c"

static void stored(struct pcpd_state *s, const char *host, uint16_t port)
{
	struct pcpd_mapping m = {
		.proto = IPPROTO_UDP, .int_addr = ip4(host), .int_port = port,
		.ext_addr = ip4("192.0.2.1"), .ext_port = port,
		.kind = PCPNAT_KIND_EXPLICIT, .subscriber = ip4(host),
	};

	pcpd_state_add(s, &m, 10000);
}

TEST(failed_restore_resets_owner_epoch)
{
	static struct fake_be be;
	static struct pcpd_nl nl;
	struct pcpd_restore_result r;
	struct pcpd_state s;

	fake_init(&be);
	be.quota = 1;		/* the second mapping of 10.0.0.3 fails */
	pcpd_state_init(&s);
	s.state_id = 5;
	s.origin = 1000;	/* boot time; now is 5000: epoch 4000 */
	stored(&s, "10.0.0.2", 4000);
	stored(&s, "10.0.0.3", 4001);
	stored(&s, "10.0.0.3", 4002);

	nl.ep.origin = s.origin;
	nl.ep.origin_state_id = 9;
	pcpd_restore(&fake_ops, &be, &s, 5000, &nl, NULL, NULL, &r);
	EXPECT_EQ(2u, r.restored);
	EXPECT_EQ(1u, r.failed);
	EXPECT_EQ(2u, fake_count(&be));
	/* The owner of the lost mapping starts over ... */
	EXPECT_EQ(0u, pcpd_epoch_rule(&nl.ep, ip4("10.0.0.3"), 3, 9, 5000));
	/* ... the others continue the chain. */
	EXPECT_EQ(4000u, pcpd_epoch_rule(&nl.ep, ip4("10.0.0.2"), 3, 9, 5000));
	pcpd_state_free(&s);
}

TEST_HARNESS_MAIN
