/* What the shipped libquiver.so needs beyond GLIBC_2.28 (see
** cmake/QuiverPortable.cmake). Its dependencies come from Debian unstable,
** compiled against glibc 2.43: their objects call functions that older glibc
** does not have, or reach functions through symbol versions newer than 2.28.
** This object is linked into the library (hidden, like everything else but
** the qv_* functions) and provides each of them on top of what glibc 2.28
** offers; functions that glibc 2.31 (the link-time stubs) has under a newer
** version are bound to their old version here.
**
** Each real glibc function is named through an asm label (or a .symver
** binding), never through the headers: glibc 2.38+ headers redirect strtol
** and friends to __isoc23_* under _GNU_SOURCE, which would make a wrapper
** call itself. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COMPAT __attribute__((visibility("hidden")))

/* libstdc++ (GCC 11+) skips atomic reference counting while this is
** nonzero; glibc 2.32+ maintains it. Zero means "maybe multi-threaded":
** always atomic, which is always correct. */
COMPAT char __libc_single_threaded = 0;

/* C23 strtol family and scanf (glibc 2.38): they differ from the old
** functions only in accepting a 0b prefix, which no caller here relies on. */
extern long real_strtol(const char*, char**, int) __asm__("strtol");
extern unsigned long real_strtoul(const char*, char**, int) __asm__("strtoul");
extern long long real_strtoll(const char*, char**, int) __asm__("strtoll");
extern unsigned long long real_strtoull(const char*, char**, int) __asm__("strtoull");
extern int real_vsscanf(const char*, const char*, va_list) __asm__("__isoc99_vsscanf");

COMPAT long __isoc23_strtol(const char* s, char** end, int base) { return real_strtol(s, end, base); }
COMPAT unsigned long __isoc23_strtoul(const char* s, char** end, int base) { return real_strtoul(s, end, base); }
COMPAT long long __isoc23_strtoll(const char* s, char** end, int base) { return real_strtoll(s, end, base); }
COMPAT unsigned long long __isoc23_strtoull(const char* s, char** end, int base) { return real_strtoull(s, end, base); }
COMPAT int __isoc23_sscanf(const char* s, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = real_vsscanf(s, format, ap);
  va_end(ap);
  return n;
}

/* arc4random (glibc 2.36), for std::random_device. As glibc's: the kernel's
** getrandom (through getentropy, 2.25), else /dev/urandom, else abort. */
extern int real_getentropy(void*, size_t) __asm__("getentropy");
COMPAT uint32_t arc4random(void) {
  uint32_t r;
  if (real_getentropy(&r, sizeof r) == 0) return r;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, &r, sizeof r);
    close(fd);
    if (n == (ssize_t)sizeof r) return r;
  }
  abort();
}

/* exp, exp2, log, log2 and pow got new versions in glibc 2.29 (the same
** functions without the SVID error wrappers); the first versions still exist
** in every glibc and give the same results. */
#if defined(__x86_64__)
#define GLIBC_FIRST "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define GLIBC_FIRST "GLIBC_2.17"
#else
#error "the first glibc symbol version of this architecture is not known"
#endif
#define OLD_LIBM(name)                                                  \
  extern double name##_first(double);                                  \
  __asm__(".symver " #name "_first, " #name "@" GLIBC_FIRST);          \
  COMPAT double name(double x) { return name##_first(x); }
OLD_LIBM(exp)
OLD_LIBM(exp2)
OLD_LIBM(log)
OLD_LIBM(log2)
extern double pow_first(double, double);
__asm__(".symver pow_first, pow@" GLIBC_FIRST);
COMPAT double pow(double x, double y) { return pow_first(x, y); }

/* Looks a newer glibc function up at run time: present from its version on,
** NULL on an older glibc. */
static void* lookup(const char* name, const char* version) {
  return dlvsym(RTLD_DEFAULT, name, version);
}

/* pthread_cond_clockwait (glibc 2.30), which libstdc++'s condition_variable
** calls for steady_clock waits: the real one where glibc has it, otherwise a
** wait on CLOCK_REALTIME for the same remaining time (callers loop on their
** own clock, so a clock step costs at most a spurious wakeup). */
typedef int (*clockwait_fn)(pthread_cond_t*, pthread_mutex_t*, clockid_t, const struct timespec*);
static clockwait_fn real_clockwait;
static pthread_once_t clockwait_once = PTHREAD_ONCE_INIT;
static void find_clockwait(void) { real_clockwait = (clockwait_fn)lookup("pthread_cond_clockwait", "GLIBC_2.30"); }

COMPAT int pthread_cond_clockwait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock,
                                  const struct timespec* abstime) {
  pthread_once(&clockwait_once, find_clockwait);
  if (real_clockwait) return real_clockwait(cond, mutex, clock, abstime);
  if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME) return EINVAL;
  if (clock == CLOCK_REALTIME) return pthread_cond_timedwait(cond, mutex, abstime);
  struct timespec now_mono, now_real, deadline;
  clock_gettime(CLOCK_MONOTONIC, &now_mono);
  clock_gettime(CLOCK_REALTIME, &now_real);
  long long ns = (long long)(abstime->tv_sec - now_mono.tv_sec) * 1000000000LL + (abstime->tv_nsec - now_mono.tv_nsec);
  if (ns < 0) ns = 0;
  ns += now_real.tv_nsec;
  deadline.tv_sec = now_real.tv_sec + (time_t)(ns / 1000000000LL);
  deadline.tv_nsec = (long)(ns % 1000000000LL);
  return pthread_cond_timedwait(cond, mutex, &deadline);
}

/* _dl_find_object (glibc 2.35): GCC 16's unwinder finds the exception
** tables of the object holding a PC only through it, so every C++ throw
** needs it. The real one where glibc has it (lock-free), otherwise the same
** answer from dl_iterate_phdr, as the unwinder did before 2.35. The layout is
** glibc's for x86-64 and aarch64 (no eh_dbase, no eh_count); the reserved
** tail is zeroed, so dlfo_flags says there is nothing more. */
struct compat_dl_find_object {
  unsigned long long dlfo_flags;
  void* dlfo_map_start;
  void* dlfo_map_end;
  struct link_map* dlfo_link_map;
  void* dlfo_eh_frame;
  unsigned long long reserved[7];
};
typedef int (*find_object_fn)(void*, struct compat_dl_find_object*);
static find_object_fn real_find_object;
static pthread_once_t find_object_once = PTHREAD_ONCE_INIT;
static void find_find_object(void) { real_find_object = (find_object_fn)lookup("_dl_find_object", "GLIBC_2.35"); }

struct find_object_query {
  uintptr_t pc;
  struct compat_dl_find_object* result;
  int found;
};

static int find_object_callback(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  struct find_object_query* q = data;
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  int contains = 0;
  const ElfW(Phdr)* eh = NULL;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)* ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_LOAD) {
      uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
      if (start < lo) lo = start;
      if (end > hi) hi = end;
      if (q->pc >= start && q->pc < end) contains = 1;
    } else if (ph->p_type == PT_GNU_EH_FRAME) {
      eh = ph;
    }
  }
  if (!contains) return 0;
  q->result->dlfo_map_start = (void*)lo;
  q->result->dlfo_map_end = (void*)hi;
  q->result->dlfo_eh_frame = eh ? (void*)(info->dlpi_addr + eh->p_vaddr) : NULL;
  q->found = 1;
  return 1;
}

/* Named through an asm label: newer headers declare it with their own
** struct type. */
COMPAT int compat_dl_find_object(void* pc, struct compat_dl_find_object* result) __asm__("_dl_find_object");
int compat_dl_find_object(void* pc, struct compat_dl_find_object* result) {
  pthread_once(&find_object_once, find_find_object);
  if (real_find_object) return real_find_object(pc, result);
  memset(result, 0, sizeof *result);
  struct find_object_query q = {(uintptr_t)pc, result, 0};
  dl_iterate_phdr(find_object_callback, &q);
  if (!q.found) return -1;
  Dl_info info;
  void* map = NULL;
  if (dladdr1(pc, &info, &map, RTLD_DL_LINKMAP)) result->dlfo_link_map = map;
  return 0;
}
