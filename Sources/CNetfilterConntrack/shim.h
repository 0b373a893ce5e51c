#ifndef TANDEM_CNETFILTER_CONNTRACK_SHIM_H
#define TANDEM_CNETFILTER_CONNTRACK_SHIM_H
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>
/* The kernel's nfnetlink headers first: libnfnetlink ships older copies under the same
 * include guards, and CMnl includes the kernel's. Seeing one definition in both modules
 * keeps them from conflicting when TandemNetlink imports both. */
#include <linux/netfilter/nfnetlink_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#endif
