// TandemDaemon: the node daemon: services wired in a ServiceGroup, control socket, status.
