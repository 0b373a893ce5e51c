#ifndef TANDEM_CLOSE_AFTER_EXIT_H
#define TANDEM_CLOSE_AFTER_EXIT_H

/* Hands `fd` to a child process that closes it only after this process has exited, and
 * returns at once (0, or -1 with errno when no child could be made: the caller then closes
 * the descriptor itself). Releasing a NETLINK_NETFILTER socket after a commit waits for
 * nf_tables to free what the commit replaced, an RCU grace period (nft_rcv_nl_event on
 * NETLINK_URELEASE flushes the destroy work); the child takes that wait instead of the
 * command. See close_after_exit.c for how the child is made and why. */
int tandem_close_after_exit(int fd);

#endif
