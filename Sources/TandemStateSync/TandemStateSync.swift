// TandemStateSync: the conntrack state-sync protocol (pure core, wire codec) and the
// mirror that applies peer states to the kernel table.
