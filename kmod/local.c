// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat and the router's own sockets.
 *
 * The pool is often the router's own WAN address (the README's example),
 * and the default port range 1024-65535 then covers the router's
 * ephemeral ports (ip_local_port_range) and its services on ports >= 1024.
 * Two rules keep them working, both with the kernel's own socket lookups
 * (as nf_socket and xt_socket use them), under RCU and without a lock:
 *
 * - an inbound packet to a pool address with no mapping that a local
 *   socket would receive (the reply to the router's DNS query, a
 *   connection to its WireGuard port) is left to the stack;
 * - the allocator never hands out a port on which a local socket listens
 *   or is bound unconnected, so an inside host cannot take the router's
 *   service port (RFC 4787 REQ-3 port preservation included).
 *
 * What neither rule can prevent is the kernel picking, for a new local
 * connection, an ephemeral port a mapping already holds; config.c warns
 * when the port range overlaps ip_local_port_range for that reason.
 */
#include <net/inet_hashtables.h>
#include <net/sock.h>
#include <net/udp.h>
#include "pcpnat.h"

/*
 * A socket of net that would receive UDP or TCP from saddr:sport to
 * daddr:dport (saddr 0: from anyone, connected sockets then do not
 * match). dif: the arrival interface, 0 if none. peer_only: only a socket
 * connected to exactly saddr:sport counts (a TCP connection, SYN_SENT and
 * time-wait included, or a connected UDP socket), not one that listens or
 * sits bound unconnected.
 */
static bool local_sock(struct net *net, u8 proto, __be32 saddr, __be16 sport,
		       __be32 daddr, __be16 dport, int dif, bool peer_only)
{
	struct inet_hashinfo *hinfo;
	struct sock *sk;
	bool found;

	rcu_read_lock();
	switch (proto) {
	case IPPROTO_UDP:
		/* No skb: reuseport groups are then chosen by hash, enough here. */
		sk = __udp4_lib_lookup(net, saddr, sport, daddr, dport, dif, 0,
				       pcpnat_udp_table(net), NULL);
		found = sk && (!peer_only || (inet_sk(sk)->inet_daddr == saddr &&
					      inet_sk(sk)->inet_dport == sport));
		break;
	case IPPROTO_TCP:
		hinfo = net->ipv4.tcp_death_row.hashinfo;
		sk = saddr ? __inet_lookup_established(net, hinfo, saddr, sport,
						       daddr, ntohs(dport), dif, 0) :
			     NULL;
		if (sk) {
			/* Established or time-wait: it takes a reference. */
			sock_gen_put(sk);
			found = true;
			break;
		}
		found = !peer_only &&
			__inet_lookup_listener(net, hinfo, NULL, 0, saddr, sport,
					       daddr, ntohs(dport), dif, 0);
		break;
	default:
		found = false;
	}
	rcu_read_unlock();
	return found;
}

bool pcpnat_local_rx(struct net *net, u8 proto, __be32 saddr, __be16 sport,
		     __be32 daddr, __be16 dport, const struct net_device *in)
{
	return local_sock(net, proto, saddr, sport, daddr, dport,
			  in ? in->ifindex : 0, false);
}

/*
 * What a local socket connected to an internal host's external endpoint
 * receives from that host must come from that endpoint; what one that
 * listens or is unbound receives keeps its internal source.
 */
bool pcpnat_local_peer(struct net *net, u8 proto, __be32 saddr, __be16 sport,
		       __be32 daddr, __be16 dport)
{
	return local_sock(net, proto, saddr, sport, daddr, dport, 0, true);
}

bool pcpnat_local_port_held(struct net *net, u8 proto, __be32 addr,
			    __be16 port)
{
	return local_sock(net, proto, 0, 0, addr, port, 0, false);
}
