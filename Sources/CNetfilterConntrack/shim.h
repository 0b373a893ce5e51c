#ifndef TANDEM_CNETFILTER_CONNTRACK_SHIM_H
#define TANDEM_CNETFILTER_CONNTRACK_SHIM_H
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#endif
