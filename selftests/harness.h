/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h for the C tests here, which build with -Werror. The
 * harness compares an int literal with whatever type the value has
 * (-Wsign-compare) and its optional handler after EXPECT is a for clause
 * (-Wmisleading-indentation): both are in the tests' own code once the
 * macros expand, so they stay off for the whole file. The harness's own
 * signal handler has an unused parameter: that one is off for the header
 * alone.
 */
#ifndef PCPNAT_HARNESS_H
#define PCPNAT_HARNESS_H

#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#endif /* PCPNAT_HARNESS_H */
