/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A replication peer's status (sync_peer_status) as a JSON object, for
 * pcpd's status output and pcpctl: peer, roles, sessions, the last
 * sequence acknowledged, the backlog, resyncs, refusals by reason.
 */
#ifndef SYNC_STATUS_JSON_H
#define SYNC_STATUS_JSON_H

#include <json-c/json.h>

#include "sync/sync_peer.h"

/* A new object (the caller puts it), or NULL when out of memory. */
struct json_object *sync_status_json(const struct sync_status *st);

#endif /* SYNC_STATUS_JSON_H */
