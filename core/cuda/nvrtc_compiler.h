#pragma once
// Run-time compilation of generated CUDA C with NVRTC. Needs no GPU and no driver: the
// result is PTX (virtual arch) or a CUBIN (real arch) image, loaded later by the caller.
#include <string>

namespace ember::cuda {

struct NvrtcTarget {
  int arch = 90;       // compute capability, major * 10 + minor
  bool cubin = false;  // true: SASS for sm_<arch>; false: PTX for compute_<arch>
};

// Compiles `source` (one translation unit, no includes). Raises ember::Error with NVRTC's
// log, naming `what`, when compilation fails.
std::string nvrtc_compile(const std::string& source, NvrtcTarget target, std::string_view what);

}  // namespace ember::cuda
