// SPDX-License-Identifier: GPL-2.0
/*
 * pcpd.conf parser (see conf.h and pcpd.conf(5)). libinih does the INI
 * syntax; every value is checked here, strictly: an unknown key or a bad
 * value is an error, so a typo never silently falls back to a default.
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config_keys.h"
#include "lib/pcpnl_text.h"
#include "pcpd/conf.h"
#include "pcpd/ratelimit.h"

struct parse_ctx {
	struct pcpd_conf *c;
	char *err;
	size_t errlen;
	bool bad;		/* msg holds the first error */
	char msg[200];
	/* What the reader hands to libinih, one line at a time. */
	const char *next;
	int line;		/* lines handed so far */
	int too_long;		/* line number of an overlong line, 0 if none */
	int max_len;		/* the longest line libinih takes */
};

/* Whole files only, and no configuration is anywhere near this. */
#define PCPD_CONF_MAX_SIZE	(1 << 20)

void pcpd_conf_defaults(struct pcpd_conf *c)
{
	memset(c, 0, sizeof(*c));
	pcpd_policy_defaults(&c->pol);
	c->natpmp = true;
	c->announce = true;
	c->rate_limit = PCPD_RATE_LIMIT_DEFAULT;
	c->rate_limit_total = PCPD_RATE_LIMIT_TOTAL_DEFAULT;
	snprintf(c->state_file, sizeof(c->state_file), "%s", PCPD_DEFAULT_STATE);
	c->sync.interval_ms = PCPD_SYNC_INTERVAL_MS;
	c->sync.queue = PCPD_SYNC_QUEUE_DEFAULT;
	snprintf(c->sync.role_file, sizeof(c->sync.role_file), "%s",
		 PCPD_SYNC_ROLE_FILE);
}

/* Split "a, b,c" in place; calls fn for each non-empty item. */
static int each_item(char *list, int (*fn)(const char *item, void *arg),
		     void *arg)
{
	char *save = NULL, *tok;
	int err;

	for (tok = strtok_r(list, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		err = fn(tok, arg);
		if (err)
			return err;
	}
	return 0;
}

static int add_listen(const char *s, void *arg)
{
	struct pcpd_conf *c = arg;
	struct in_addr a;

	if (pcpnl_parse_addr(s, &a) || !a.s_addr)
		return -EINVAL;
	if (c->nlisten == PCPD_LISTEN_MAX)
		return -E2BIG;
	c->listen[c->nlisten++] = a.s_addr;
	return 0;
}

static int add_announce(const char *s, void *arg)
{
	struct pcpd_conf *c = arg;

	if (strlen(s) >= IF_NAMESIZE)
		return -EINVAL;
	if (c->nannounce == PCPD_ANNOUNCE_MAX)
		return -E2BIG;
	snprintf(c->announce_if[c->nannounce++], IF_NAMESIZE, "%s", s);
	return 0;
}

static int add_third_party(const char *s, void *arg)
{
	struct pcpd_policy *p = arg;
	struct pcpnl_prefix pfx;

	if (pcpnl_parse_prefix(s, &pfx))
		return -EINVAL;
	if (p->n_third_party == PCPD_THIRD_PARTY_MAX)
		return -E2BIG;
	p->third_party[p->n_third_party].addr = pfx.addr.s_addr;
	p->third_party[p->n_third_party++].plen = pfx.len;
	return 0;
}

static int u32_in(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	return pcpnl_parse_u32(v, min, max, out);
}

static int pcpd_key(struct pcpd_conf *c, const char *k, char *v)
{
	struct pcpd_policy *p = &c->pol;
	uint32_t n;

	/*
	 * Lists add up over repeats: libinih passes a continuation line as
	 * one more occurrence of the key, so resetting would keep only the
	 * last line.
	 */
	if (!strcmp(k, "listen"))
		return each_item(v, add_listen, c);
	if (!strcmp(k, "nonce")) {
		if (!strcmp(v, "strict"))
			p->nonce_strict = true;
		else if (!strcmp(v, "relaxed"))
			p->nonce_strict = false;
		else
			return -EINVAL;
		return 0;
	}
	if (!strcmp(k, "lifetime_min"))
		return u32_in(v, 0, UINT32_MAX, &p->lifetime_min);
	if (!strcmp(k, "lifetime_max"))
		return u32_in(v, 1, UINT32_MAX, &p->lifetime_max);
	if (!strcmp(k, "error_lifetime_short"))
		return u32_in(v, 1, UINT32_MAX, &p->err_lifetime_short);
	if (!strcmp(k, "error_lifetime_long"))
		return u32_in(v, 1, UINT32_MAX, &p->err_lifetime_long);
	if (!strcmp(k, "third_party")) {
		if (!strcmp(v, "none")) {
			p->n_third_party = 0;
			return 0;
		}
		return each_item(v, add_third_party, p);
	}
	if (!strcmp(k, "max_filters")) {
		if (u32_in(v, 0, PCPNAT_FILTERS_MAX, &n))
			return -ERANGE;
		p->max_filters = n;
		return 0;
	}
	if (!strcmp(k, "natpmp"))
		return pcpnl_parse_bool(v, &c->natpmp);
	if (!strcmp(k, "announce"))
		return pcpnl_parse_bool(v, &c->announce);
	if (!strcmp(k, "announce_interfaces"))
		return each_item(v, add_announce, c);
	if (!strcmp(k, "state_file")) {
		if (strlen(v) >= sizeof(c->state_file))
			return -ENAMETOOLONG;
		snprintf(c->state_file, sizeof(c->state_file), "%s",
			 strcmp(v, "none") ? v : "");
		return 0;
	}
	if (!strcmp(k, "rate_limit"))
		return u32_in(v, 0, 1000000, &c->rate_limit);
	if (!strcmp(k, "rate_limit_total"))
		return u32_in(v, 0, 1000000, &c->rate_limit_total);
	if (!strcmp(k, "events_buffer"))
		return u32_in(v, 65536, 1u << 30, &c->events_buffer);
	if (!strcmp(k, "user")) {
		if (!*v || strlen(v) >= sizeof(c->user))
			return -EINVAL;
		snprintf(c->user, sizeof(c->user), "%s", v);
		return 0;
	}
	return -ENOENT;
}

/* "A:P", or "A" alone with the default port; A not 0.0.0.0. */
static int sync_endpoint(const char *v, uint32_t *addr, uint16_t *port)
{
	struct in_addr a;
	bool has_port;

	if (pcpnl_parse_endpoint(v, true, &a, port, &has_port) || !a.s_addr)
		return -EINVAL;
	if (!has_port)
		*port = PCPD_SYNC_PORT;
	if (!*port)
		return -EINVAL;
	*addr = a.s_addr;
	return 0;
}

static int abs_path(const char *v, char *dst, size_t cap)
{
	if (*v != '/' || strlen(v) >= cap)
		return -EINVAL;
	snprintf(dst, cap, "%s", v);
	return 0;
}

static int sync_key(struct pcpd_sync_conf *s, const char *k, const char *v)
{
	if (!strcmp(k, "listen"))
		return sync_endpoint(v, &s->listen_addr, &s->listen_port);
	if (!strcmp(k, "peer"))
		return sync_endpoint(v, &s->peer_addr, &s->peer_port);
	if (!strcmp(k, "node_id"))
		return u32_in(v, 1, UINT32_MAX, &s->node_id);
	if (!strcmp(k, "peer_node_id"))
		return u32_in(v, 1, UINT32_MAX, &s->peer_node_id);
	if (!strcmp(k, "interval"))
		return u32_in(v, 100, 60000, &s->interval_ms);
	if (!strcmp(k, "mtu"))
		return u32_in(v, PCPD_SYNC_MTU_MIN, PCPD_SYNC_MTU_MAX, &s->mtu);
	if (!strcmp(k, "queue"))
		return u32_in(v, PCPD_SYNC_QUEUE_MIN, PCPD_SYNC_QUEUE_MAX,
			      &s->queue);
	if (!strcmp(k, "key_file"))
		return abs_path(v, s->key_file, sizeof(s->key_file));
	if (!strcmp(k, "role_file"))
		return abs_path(v, s->role_file, sizeof(s->role_file));
	return -ENOENT;
}

/* libinih (Debian builds it without INI_HANDLER_LINENO) reports the line. */
static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	const struct pcpnl_config_key *k = NULL;
	struct parse_ctx *x = user;
	char v[1024], syntax[64];
	int err;

	if (x->bad)
		return 0;	/* keep the first message; inih counts lines */
	if (strlen(value) >= sizeof(v)) {
		err = -E2BIG;
		goto bad;
	}
	snprintf(v, sizeof(v), "%s", value);
	if (!strcmp(section, "pcpd"))
		err = pcpd_key(x->c, name, v);
	else if (!strcmp(section, "nat")) {
		/*
		 * The module's settings, as lib/config_keys.c names them, its
		 * bounds checked here so that `pcpd -n` refuses what
		 * CONFIG_SET would. Prefix lists add up over repeats. Not
		 * the role: [sync] and keepalived's notify set it.
		 */
		k = pcpnl_config_key_conf(name);
		err = k ? pcpnl_config_key_parse(k, v, PCPNL_KEY_CHECK_BOUNDS,
						  &x->c->nat, x->c->ext_dev)
			: -ENOENT;
	} else if (!strcmp(section, "sync")) {
		x->c->sync.enabled = true;
		err = sync_key(&x->c->sync, name, v);
	} else
		err = -ESRCH;
	if (!err)
		return 1;
bad:
	x->bad = true;
	if (err == -ESRCH)
		snprintf(x->msg, sizeof(x->msg), "unknown section [%s]",
			 section);
	else if (err == -ENOENT)
		snprintf(x->msg, sizeof(x->msg), "unknown key '%s' in [%s]",
			 name, section);
	else if (k)
		snprintf(x->msg, sizeof(x->msg), "bad value for %s: '%s' (%s)",
			 name, value,
			 pcpnl_config_key_syntax(k, syntax, sizeof(syntax)));
	else
		snprintf(x->msg, sizeof(x->msg), "bad value for %s: '%s'",
			 name, value);
	return 0;
}

/* [sync], when present, needs both ends, both node ids and the key. */
static int check_sync(const struct pcpd_sync_conf *s, char *err,
		      size_t errlen)
{
	const char *missing = NULL;

	if (!s->enabled)
		return 0;
	if (!s->listen_addr)
		missing = "listen";
	else if (!s->peer_addr)
		missing = "peer";
	else if (!s->node_id)
		missing = "node_id";
	else if (!s->peer_node_id)
		missing = "peer_node_id";
	else if (!*s->key_file)
		missing = "key_file";
	if (missing) {
		snprintf(err, errlen, "[sync] %s: missing", missing);
		return -1;
	}
	if (s->node_id == s->peer_node_id) {
		snprintf(err, errlen, "[sync] node_id and peer_node_id are equal");
		return -1;
	}
	return 0;
}

/* Relations between values that single keys cannot check. */
static int check(struct pcpd_conf *c, char *err, size_t errlen)
{
	if (!c->nlisten) {
		snprintf(err, errlen, "[pcpd] listen: no internal address");
		return -1;
	}
	if (c->pol.lifetime_min > c->pol.lifetime_max) {
		snprintf(err, errlen, "lifetime_min is above lifetime_max");
		return -1;
	}
	return check_sync(&c->sync, err, errlen);
}

/*
 * libinih's reader: one line per call, as fgets would. Debian's libinih
 * has a fixed line buffer (num, 200 octets, chosen at its build); a longer
 * line would be cut and its tail parsed as a line of its own, ending in a
 * misleading "bad value". Stop there and say so instead.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_ctx *x = stream;
	const char *nl;
	size_t len;

	if (!*x->next || x->too_long)
		return NULL;
	nl = strchr(x->next, '\n');
	len = nl ? (size_t)(nl - x->next) + 1 : strlen(x->next);
	x->line++;
	/* Room for the line, "\r\n" and the NUL (ini.h, INI_MAX_LINE). */
	x->max_len = num - 3;
	if (len + 2 > (size_t)num) {
		x->too_long = x->line;
		return NULL;
	}
	memcpy(str, x->next, len);
	str[len] = 0;
	x->next += len;
	return str;
}

static int finish(struct parse_ctx *x, int rc)
{
	if (x->too_long && (!rc || rc >= x->too_long)) {
		snprintf(x->err, x->errlen,
			 "line %d: longer than %d characters (continue a list "
			 "on indented lines)", x->too_long, x->max_len);
		return -1;
	}
	if (rc < 0) {
		snprintf(x->err, x->errlen, "cannot read the file: %s",
			 strerror(rc == -1 ? errno : ENOMEM));
		return -1;
	}
	if (rc > 0) {
		snprintf(x->err, x->errlen, "line %d: %s", rc,
			 x->bad ? x->msg : "syntax error");
		return -1;
	}
	return check(x->c, x->err, x->errlen);
}

int pcpd_conf_load(const char *path, struct pcpd_conf *c, char *err,
		   size_t errlen)
{
	struct parse_ctx x = { .c = c, .err = err, .errlen = errlen };

	char *text;
	size_t n;
	FILE *f;
	int rc;

	pcpd_conf_defaults(c);
	f = fopen(path, "r");
	if (!f)
		return finish(&x, -1);
	text = malloc(PCPD_CONF_MAX_SIZE + 1);
	if (!text) {
		fclose(f);
		return finish(&x, -2);
	}
	n = fread(text, 1, PCPD_CONF_MAX_SIZE + 1, f);
	rc = ferror(f) ? -1 : 0;
	fclose(f);
	if (!rc && n > PCPD_CONF_MAX_SIZE) {
		free(text);
		snprintf(err, errlen, "larger than %d bytes", PCPD_CONF_MAX_SIZE);
		return -1;
	}
	if (!rc && memchr(text, 0, n)) {
		free(text);
		snprintf(err, errlen, "a NUL byte in the file");
		return -1;
	}
	text[n] = 0;
	x.next = text;
	if (!rc)
		rc = ini_parse_stream(read_line, &x, handler, &x);
	rc = finish(&x, rc);
	free(text);
	return rc;
}

int pcpd_conf_parse_string(const char *text, struct pcpd_conf *c, char *err,
			   size_t errlen)
{
	struct parse_ctx x = { .c = c, .err = err, .errlen = errlen };

	pcpd_conf_defaults(c);
	x.next = text;
	return finish(&x, ini_parse_stream(read_line, &x, handler, &x));
}
