/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the tests that replay requests through pcpd_handle()
 * against the fake backend (#include "fake_backend.c" first): the server,
 * its policy and table, one request and one response buffer, and the
 * client's address. Each test file still declares a fixture of its own,
 * with these members, so that its tests keep their names (flow.*, opt.*)
 * and their self->be, self->req; the two macros below take any such self.
 */
#ifndef PCPD_FIXTURE_H
#define PCPD_FIXTURE_H

#include "pcpd/handler.h"
#include "fake_backend.h"

#define PCPD_FIXTURE_MEMBERS		\
	struct fake_be be;		\
	struct pcpd_policy pol;		\
	struct pcpd_server srv;		\
	uint8_t req[1100];		\
	uint8_t resp[1100];		\
	uint32_t src

/*
 * The default policy (a test file changes it after this), an empty table
 * at epoch 1250 as in the flow examples, requests from 198.51.100.1.
 */
#define pcpd_fixture_setup(self)					\
	pcpd_fixture_init(&(self)->be, &(self)->pol, &(self)->srv,	\
			  &(self)->src)

static inline void pcpd_fixture_init(struct fake_be *be,
				     struct pcpd_policy *pol,
				     struct pcpd_server *srv, uint32_t *src)
{
	fake_init(be);
	pcpd_policy_defaults(pol);
	srv->pol = pol;
	srv->ops = &fake_ops;
	srv->be = be;
	*src = ip4("198.51.100.1");
	be->epoch = 1250;
}

/* The first n bytes of self->req through the server, as from self->src. */
#define run(self, n)							\
	pcpd_handle(&(self)->srv, (self)->req, (n), (self)->src,	\
		    (self)->resp, sizeof((self)->resp), NULL)

#endif /* PCPD_FIXTURE_H */
