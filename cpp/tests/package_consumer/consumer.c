/* Compiled against the exported quiver.h and linked through Quiver::quiver. */
#include <stdio.h>
#include <string.h>

#include "quiver/quiver.h"

int main(void) {
  if (qv_abi_version() < QV_ABI_VERSION) {
    fprintf(stderr, "ABI %u is older than the header's %d\n", qv_abi_version(), QV_ABI_VERSION);
    return 1;
  }
  qv_build_params* p = NULL;
  if (qv_build_params_create(&p) != QV_OK || qv_build_params_set_metric(p, 99) != QV_ERR_INVALID_ARGUMENT) {
    fprintf(stderr, "the library does not validate: %s\n", qv_last_error());
    return 1;
  }
  qv_build_params_destroy(p);
  printf("libquiver %s, ABI %u\n", qv_version(), qv_abi_version());
  return 0;
}
