/* The child that closes a descriptor after its parent has exited (close_after_exit.h).
 * Written in C because the child shares the parent's memory and may only make raw system
 * calls on a stack of its own, which Swift code cannot promise. */
#define _GNU_SOURCE
#include "close_after_exit.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Closes everything from `lo` to `hi` (inclusive) in the releasing child: close_range(2)
 * where the kernel has it (5.9+), else one close(2) per descriptor up to 4095. Raw system
 * calls (see `tandem_close_after_exit`). */
static void close_from_to(unsigned lo, unsigned hi) {
    if (lo > hi) return;
    if (syscall(SYS_close_range, lo, hi, 0) == 0) return;
    for (unsigned i = lo; i <= hi && i < 4096; i++) syscall(SYS_close, i);
}

/* What the releasing child needs, kept on its own stack (it shares the parent's memory). */
struct release {
    int fd;
    int pipe_read;
};

/* The releasing child: closes every descriptor but the socket and the pipe (a pipe reading
 * the command's output must see EOF when the command exits), waits for EOF on the pipe,
 * closes the socket, and returns (glibc's clone then ends the child with exit(2)). */
static int release_child(void *argument) {
    const struct release *r = (const struct release *)argument;
    int fd = r->fd, pipe_read = r->pipe_read;
    unsigned a = (unsigned)(fd < pipe_read ? fd : pipe_read), b = (unsigned)(fd < pipe_read ? pipe_read : fd);
    if (a > 0) close_from_to(0, a - 1);
    close_from_to(a + 1, b - 1);
    close_from_to(b + 1, ~0U);
    char c;
    /* Blocks until EOF; with every signal blocked nothing interrupts it (bounded anyway). */
    for (int i = 0; i < 100 && syscall(SYS_read, pipe_read, &c, 1) < 0; i++) {}
    syscall(SYS_close, fd);
    return 0;
}

/* The child learns of the exit from a pipe whose only write end the parent holds (EOF when
 * the parent is gone), so its close is the last reference wherever the parent's own close
 * happens.
 *
 * The child shares this process's memory (clone(2) with CLONE_VM, as posix_spawn does)
 * instead of copying its page tables (fork), and holding the memory it also takes the
 * teardown of the address space off the command's exit: ~1.5 ms for `tandem apply`, whose
 * edit of one rule takes ~20. Sharing memory with a running process, it makes raw system
 * calls only (`syscall`, not glibc's wrappers, which as cancellation points touch the
 * calling thread's descriptor), on a stack of its own, with every signal blocked (they are
 * blocked in the calling thread around the clone, so the child starts with them blocked). */
int tandem_close_after_exit(int fd) {
    enum { stack_size = 64 * 1024 };
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        errno = e;
        return -1;
    }
    /* The child's arguments at the bottom of its stack, which grows down from the top. */
    struct release *r = (struct release *)stack;
    r->fd = fd;
    r->pipe_read = p[0];
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int pid = clone(release_child, stack + stack_size, CLONE_VM | SIGCHLD, r);
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (pid < 0) {
        munmap(stack, stack_size);
        close(p[0]);
        close(p[1]);
        errno = e;
        return -1;
    }
    /* The stack stays mapped: the child uses it until it exits, after this process. */
    close(p[0]);
    /* p[1] stays open, unnamed, until this process exits. */
    return 0;
}
