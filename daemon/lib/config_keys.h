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
 * other's spelling too (pcpnat_config_key_find), so neither a pcpd.conf
 * nor a script breaks.
 */
#ifndef PCPNAT_CONFIG_KEYS_H
#define PCPNAT_CONFIG_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include "lib/pcpnat_types.h"

enum pcpnat_config_kind {
	PCPNAT_KEY_PREFIXES,	/* "A/L[,A/L...]" or "none"; repeats add up */
	PCPNAT_KEY_IFNAME,	/* an interface name, or "none" */
	PCPNAT_KEY_PORTS,	/* "MIN-MAX" or "P" */
	PCPNAT_KEY_U32,		/* decimal, the module's bounds min..max */
	PCPNAT_KEY_FILTERING,	/* "eif" or "adf" */
	PCPNAT_KEY_BOOL,	/* on/off, yes/no, true/false, 1/0 */
};

struct pcpnat_config_key {
	const char *conf;	/* pcpd.conf [nat] key */
	const char *word;	/* pcpctl's word: conf with '-' for '_' */
	enum pcpnat_config_kind kind;
	/* PCPNAT_CFG_A_*; ports have two (PORT_MIN, PORT_MAX), else 0. */
	uint16_t attr, attr2;
	uint32_t fields;	/* PCPNAT_CF_* the setting fills in */
	/* Member of struct pcpnat_config (PREFIXES: the array). */
	size_t off;
	size_t count_off;	/* PREFIXES: its count member */
	/* U32: bounds, from the uapi; PREFIXES: max is the array's size. */
	uint32_t min, max;
};

extern const struct pcpnat_config_key pcpnat_config_keys[];
extern const size_t pcpnat_config_nkeys;

/* By either spelling ("ext_dev" or "ext-dev"); NULL if no such setting. */
const struct pcpnat_config_key *pcpnat_config_key_find(const char *name);

/* The setting a PCPNAT_CFG_A_* attribute carries; NULL for read-only ones. */
const struct pcpnat_config_key *pcpnat_config_key_by_attr(uint16_t attr);

/*
 * Check U32 values against the module's bounds here. pcpd does, so that
 * `pcpd -n` refuses what the module would; pcpctl does not, and lets the
 * module's extack say it (the same words, through this table).
 */
#define PCPNAT_KEY_CHECK_BOUNDS	0x1

/*
 * Parse value v of setting k into cfg and set its fields. PREFIXES add to
 * what cfg holds ("none" empties it). IFNAME copies the name to ifname
 * ("" for "none") and leaves cfg->ext_ifindex to the caller, who resolves
 * it in its own namespace and time. 0, or -EINVAL (not of the form),
 * -ERANGE (out of bounds, or a list beyond its size); cfg may then hold a
 * part of a list.
 */
int pcpnat_config_key_parse(const struct pcpnat_config_key *k, const char *v,
			    unsigned int flags, struct pcpnat_config *cfg,
			    char ifname[IF_NAMESIZE]);

/* What a value of k looks like, for messages: "eif or adf", "120-604800". */
const char *pcpnat_config_key_syntax(const struct pcpnat_config_key *k,
				     char *buf, size_t len);

#endif /* PCPNAT_CONFIG_KEYS_H */
