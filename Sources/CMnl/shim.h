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
#include <malloc.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>

/* Closes everything from `lo` to `hi` (inclusive) in a forked child: close_range(2) where
 * the kernel has it (5.9+), else one close(2) per descriptor up to 4095. */
static inline void tandem_close_from_to(unsigned lo, unsigned hi) {
    if (lo > hi) return;
    if (syscall(SYS_close_range, lo, hi, 0) == 0) return;
    for (unsigned i = lo; i <= hi && i < 4096; i++) close((int)i);
}

/* Hands `fd` to a child process that closes it only after this process has exited, and
 * returns at once (0, or -1 with errno when no child could be made: the caller then closes
 * the descriptor itself). Releasing a NETLINK_NETFILTER socket after a commit waits for
 * nf_tables to free what the commit replaced, an RCU grace period (nft_rcv_nl_event on
 * NETLINK_URELEASE flushes the destroy work); the child takes that wait instead of the
 * command. The child learns of the exit from a pipe whose only write end the parent holds
 * (EOF when the parent is gone), so its close is the last reference wherever the parent's
 * own close happens. The child of a threaded process may only make async-signal-safe
 * calls: it closes every other descriptor (a pipe reading the command's output must see
 * EOF when the command exits), reads, closes and exits. */
static inline int tandem_close_after_exit(int fd) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        unsigned a = (unsigned)(fd < p[0] ? fd : p[0]), b = (unsigned)(fd < p[0] ? p[0] : fd);
        if (a > 0) tandem_close_from_to(0, a - 1);
        tandem_close_from_to(a + 1, b - 1);
        tandem_close_from_to(b + 1, ~0U);
        char c;
        while (read(p[0], &c, 1) < 0 && errno == EINTR) {}
        close(fd);
        _exit(0);
    }
    close(p[0]);
    /* p[1] stays open, unnamed, until this process exits. */
    return 0;
}
#endif
