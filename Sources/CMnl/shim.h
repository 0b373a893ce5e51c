#ifndef TANDEM_CMNL_SHIM_H
#define TANDEM_CMNL_SHIM_H
#include <stdint.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/filter.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#endif
