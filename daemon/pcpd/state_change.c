// SPDX-License-Identifier: GPL-2.0
/* See state_change.h. */
#include "pcpd/state_change.h"

enum pcpd_state_change pcpd_state_change(uint64_t known, uint64_t seen)
{
	if (known == seen)
		return PCPD_SC_NONE;
	if (!known)
		return PCPD_SC_NEW_INSTANCE;
	return PCPD_SC_FLUSHED;
}
