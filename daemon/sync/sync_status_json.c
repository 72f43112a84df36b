// SPDX-License-Identifier: GPL-2.0
/* A replication peer's status as JSON; see sync_status_json.h. */
#include <stddef.h>

#include "sync/sync_status_json.h"

static const char *const role_names[] = {
	[SYNC_ROLE_UNKNOWN] = "unknown",
	[SYNC_ROLE_BACKUP] = "backup",
	[SYNC_ROLE_MASTER] = "master",
	[SYNC_ROLE_FAULT] = "fault",
};

static const char *role_name(enum sync_role r)
{
	return (unsigned int)r <= SYNC_ROLE_FAULT ? role_names[r] : "unknown";
}

#define COUNTER(name) { #name, offsetof(struct sync_counters, name) }

static const struct {
	const char *name;
	size_t off;
} counters[] = {
	COUNTER(tx_msgs), COUNTER(tx_batches), COUNTER(tx_records),
	COUNTER(rx_msgs), COUNTER(rx_records), COUNTER(rx_malformed),
	COUNTER(rx_auth_fail), COUNTER(rx_replay), COUNTER(rx_stale),
	COUNTER(rx_foreign), COUNTER(rx_looped), COUNTER(rx_unestablished),
	COUNTER(rx_out_of_order), COUNTER(rx_duplicate), COUNTER(rx_bogus_ack),
	COUNTER(retransmits), COUNTER(fast_retransmits),
	COUNTER(resyncs_requested), COUNTER(resyncs_served),
	COUNTER(bulk_mismatch), COUNTER(bulk_postponed), COUNTER(overflows),
	COUNTER(restates), COUNTER(peer_restarts),
	COUNTER(peer_down), COUNTER(split_brain),
};

static int put(struct json_object *o, const char *k, struct json_object *v)
{
	return v ? json_object_object_add(o, k, v) : -1;
}

struct json_object *sync_status_json(const struct sync_status *st)
{
	struct json_object *o = json_object_new_object();
	struct json_object *c = json_object_new_object();
	unsigned int i;
	int bad = !o || !c;

	for (i = 0; !bad && i < sizeof(counters) / sizeof(counters[0]); i++)
		bad |= put(c, counters[i].name, json_object_new_uint64(
			*(const uint64_t *)((const char *)&st->c +
					    counters[i].off)));
	if (!bad)
		bad |= put(o, "counters", c);
	if (bad) {
		json_object_put(o);
		json_object_put(c);
		return NULL;
	}
	bad |= put(o, "peer_node_id", json_object_new_int64(st->peer_node_id));
	bad |= put(o, "role", json_object_new_string(role_name(st->role)));
	bad |= put(o, "peer_role",
		   json_object_new_string(role_name(st->peer_role)));
	bad |= put(o, "established", json_object_new_boolean(st->established));
	bad |= put(o, "alive", json_object_new_boolean(st->alive));
	bad |= put(o, "split_brain", json_object_new_boolean(st->split_brain));
	bad |= put(o, "synced", json_object_new_boolean(st->rx_synced));
	bad |= put(o, "bulk_active", json_object_new_boolean(st->bulk_active));
	bad |= put(o, "session", json_object_new_uint64(st->session));
	bad |= put(o, "peer_session", json_object_new_uint64(st->peer_session));
	bad |= put(o, "last_acked", json_object_new_uint64(st->last_acked));
	bad |= put(o, "backlog", json_object_new_uint64(st->backlog));
	bad |= put(o, "rx_delivered", json_object_new_uint64(st->rx_delivered));
	if (bad) {
		json_object_put(o);	/* c with it */
		return NULL;
	}
	return o;
}
