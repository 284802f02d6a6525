#include "core/cpu/parallel.h"

namespace ember::cpu {
namespace {
int g_threads = 0;  // 0: not yet decided
}

int num_threads() {
  if (g_threads == 0) g_threads = std::max(1, omp_get_max_threads());
  return g_threads;
}

void set_num_threads(int n) { g_threads = std::max(1, n); }

}  // namespace ember::cpu
