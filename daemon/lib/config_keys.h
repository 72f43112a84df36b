/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The settings of the module (CONFIG_SET), described once: the key of
 * pcpd.conf's [nat] section, the word of `pcpctl config set` and of
 * `pcpctl config`, the attribute the module's extack points at, and what
 * a value looks like. pcpd/conf.c, pcpctl/config.c and lib/nl_extack.c all
 * read this table, so a setting cannot be spelt two ways.
 *
 * Spellings: pcpd.conf documents "udp_timeout", pcpctl "udp-timeout"; the
 * word is always the key with '-' for '_', and either tool takes the
 * other's spelling too (pcpnl_config_key_find), so neither a pcpd.conf
 * nor a script breaks.
 */
#ifndef PCPNL_CONFIG_KEYS_H
#define PCPNL_CONFIG_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include "lib/pcpnl_types.h"

enum pcpnl_config_kind {
	PCPNL_KEY_PREFIXES,	/* "A/L[,A/L...]" or "none"; repeats add up */
	PCPNL_KEY_IFNAME,	/* an interface name, or "none" */
	PCPNL_KEY_PORTS,	/* "MIN-MAX" or "P" */
	PCPNL_KEY_U32,		/* decimal, the module's bounds min..max */
	PCPNL_KEY_FILTERING,	/* "eif" or "adf" */
	PCPNL_KEY_BOOL,	/* on/off, yes/no, true/false, 1/0 */
	/*
	 * "active" or "standby" (PCPNAT_CFG_A_STANDBY). pcpctl's alone: pcpd
	 * sets it from keepalived's notify when [sync] is configured, and
	 * its [nat] section refuses it (pcpnl_config_key_conf).
	 */
	PCPNL_KEY_ROLE,
};

struct pcpnl_config_key {
	const char *conf;	/* pcpd.conf [nat] key */
	const char *word;	/* pcpctl's word: conf with '-' for '_' */
	enum pcpnl_config_kind kind;
	/* PCPNAT_CFG_A_*; ports have two (PORT_MIN, PORT_MAX), else 0. */
	uint16_t attr, attr2;
	uint32_t fields;	/* PCPNAT_CF_* the setting fills in */
	/* Member of struct pcpnl_config (PREFIXES: the array). */
	size_t off;
	size_t count_off;	/* PREFIXES: its count member */
	/* U32: bounds, from the uapi; PREFIXES: max is the array's size. */
	uint32_t min, max;
};

extern const struct pcpnl_config_key pcpnl_config_keys[];
extern const size_t pcpnl_config_nkeys;

/* By either spelling ("ext_dev" or "ext-dev"); NULL if no such setting. */
const struct pcpnl_config_key *pcpnl_config_key_find(const char *name);

/* By name, as pcpd.conf's [nat] takes it: the settings but the role. */
const struct pcpnl_config_key *pcpnl_config_key_conf(const char *name);

/* The setting a PCPNAT_CFG_A_* attribute carries; NULL for read-only ones. */
const struct pcpnl_config_key *pcpnl_config_key_by_attr(uint16_t attr);

/*
 * Check U32 values against the module's bounds here. pcpd does, so that
 * `pcpd -n` refuses what the module would; pcpctl does not, and lets the
 * module's extack say it (the same words, through this table).
 */
#define PCPNL_KEY_CHECK_BOUNDS	0x1

/*
 * Parse value v of setting k into cfg and set its fields. PREFIXES add to
 * what cfg holds ("none" empties it). IFNAME copies the name to ifname
 * ("" for "none") and leaves cfg->ext_ifindex to the caller, who resolves
 * it in its own namespace and time. 0, or -EINVAL (not of the form),
 * -ERANGE (out of bounds, or a list beyond its size); cfg may then hold a
 * part of a list.
 */
int pcpnl_config_key_parse(const struct pcpnl_config_key *k, const char *v,
			    unsigned int flags, struct pcpnl_config *cfg,
			    char ifname[IF_NAMESIZE]);

/* What a value of k looks like, for messages: "eif or adf", "120-604800". */
const char *pcpnl_config_key_syntax(const struct pcpnl_config_key *k,
				     char *buf, size_t len);

#endif /* PCPNL_CONFIG_KEYS_H */
