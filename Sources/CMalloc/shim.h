#ifndef TANDEM_CMALLOC_SHIM_H
#define TANDEM_CMALLOC_SHIM_H
/* glibc's allocator tuning, mallopt(3): not in Swift's Glibc module. */
#include <malloc.h>
#endif
