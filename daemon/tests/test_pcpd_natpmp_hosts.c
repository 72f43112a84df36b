// SPDX-License-Identifier: GPL-2.0
/*
 * The NAT-PMP hosts pcpd tells their own address (pcpd/natpmp_hosts.c):
 * each once, 0 never, and a bounded array that makes room by forgetting
 * the host added longest ago.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "pcpd/natpmp_hosts.h"

static struct pcpd_natpmp_hosts h;

#define ADDR(i) ((uint32_t)(0x0a000000u + (i)))	/* any distinct values */

static int known(uint32_t addr)
{
	unsigned int i;

	for (i = 0; i < h.n; i++)
		if (h.addr[i] == addr)
			return 1;
	return 0;
}

TEST(each_host_once)
{
	memset(&h, 0, sizeof(h));
	pcpd_natpmp_hosts_add(&h, ADDR(1));
	pcpd_natpmp_hosts_add(&h, ADDR(2));
	pcpd_natpmp_hosts_add(&h, ADDR(1));
	pcpd_natpmp_hosts_add(&h, 0);
	EXPECT_EQ(2u, h.n);
	EXPECT_TRUE(known(ADDR(1)));
	EXPECT_TRUE(known(ADDR(2)));
	EXPECT_FALSE(known(0));
}

TEST(full_forgets_the_oldest)
{
	unsigned int i;

	memset(&h, 0, sizeof(h));
	for (i = 1; i <= PCPD_NATPMP_HOSTS_MAX; i++)
		pcpd_natpmp_hosts_add(&h, ADDR(i));
	EXPECT_EQ((unsigned int)PCPD_NATPMP_HOSTS_MAX, h.n);
	/* Known hosts again: nothing moves. */
	pcpd_natpmp_hosts_add(&h, ADDR(1));
	pcpd_natpmp_hosts_add(&h, ADDR(PCPD_NATPMP_HOSTS_MAX));
	EXPECT_TRUE(known(ADDR(1)));
	/* Two new ones take the places of the first two. */
	pcpd_natpmp_hosts_add(&h, ADDR(PCPD_NATPMP_HOSTS_MAX + 1));
	pcpd_natpmp_hosts_add(&h, ADDR(PCPD_NATPMP_HOSTS_MAX + 2));
	EXPECT_EQ((unsigned int)PCPD_NATPMP_HOSTS_MAX, h.n);
	EXPECT_FALSE(known(ADDR(1)));
	EXPECT_FALSE(known(ADDR(2)));
	EXPECT_TRUE(known(ADDR(3)));
	EXPECT_TRUE(known(ADDR(PCPD_NATPMP_HOSTS_MAX + 1)));
	EXPECT_TRUE(known(ADDR(PCPD_NATPMP_HOSTS_MAX + 2)));
}

TEST_HARNESS_MAIN
