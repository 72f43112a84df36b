/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a changed state_id means when pcpd's once-a-second poll sees it on
 * a link that stayed up. The genl family of a reloaded module gets a new
 * id (the kernel hands family ids out cyclically), so a reload breaks the
 * link and shows up on reconnection instead, where stable storage is
 * restored. On a live link the instance lost its state on purpose: a
 * flush whose STATE_RESET event is still queued or was lost. Restoring
 * then would bring the flushed mappings back for good.
 */
#ifndef PCPD_STATE_CHANGE_H
#define PCPD_STATE_CHANGE_H

#include <stdint.h>

enum pcpd_state_change {
	PCPD_SC_NONE,		/* same instance */
	PCPD_SC_NEW_INSTANCE,	/* pcpd had none: stored mappings go in */
	PCPD_SC_FLUSHED,	/* state dropped on purpose: never restore */
};

enum pcpd_state_change pcpd_state_change(uint64_t known, uint64_t seen);

#endif /* PCPD_STATE_CHANGE_H */
