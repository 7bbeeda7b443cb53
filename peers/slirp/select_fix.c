/*
 * A test-only shim for Debian's slirp 1.0.17 on 64-bit machines, loaded with LD_PRELOAD by the
 * tests (tests/support/slirp.rs) that use `slirp ppp` as a real PPP server.
 *
 * Observed (gdb and ltrace on the packaged binary; its source was not read): when no timer is
 * pending, slirp calls select() with a timeout of tv_sec 0, tv_usec 0xffffffff (a 32-bit -1
 * meaning "no timeout" that did not survive the widening to a 64-bit tv_usec). glibc refuses
 * it with EINVAL before any system call, and slirp exits with status 1 right after printing
 * "SLiRP Ready ...", before it answers a single PPP frame. This shim passes such a timeout as
 * NULL (wait for input), and brings any other tv_usec outside 0..999999 into range.
 */
#define _GNU_SOURCE
#include <sys/select.h>
#include <dlfcn.h>
#include <stddef.h>
typedef int (*select_fn)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t) {
    static select_fn real;
    if (!real) real = (select_fn)dlsym(RTLD_NEXT, "select");
    if (t && (t->tv_usec < 0 || t->tv_usec >= 1000000)) {
        if (t->tv_usec == 0xffffffffL) t = NULL;
        else { t->tv_sec += t->tv_usec / 1000000; t->tv_usec %= 1000000; }
    }
    return real(n, r, w, e, t);
}
