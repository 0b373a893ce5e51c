// TandemNetlink: the only Swift module that imports the C netlink libraries (libmnl,
// libnftnl, libnetfilter_conntrack). nftables batches, rtnetlink, conntrack.
