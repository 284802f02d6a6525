#include "core/cuda/nvrtc_compiler.h"

#include <nvrtc.h>

#include <vector>

#include "core/error.h"

namespace ember::cuda {
namespace {

void check_nvrtc(nvrtcResult r, std::string_view what, std::string_view call) {
  if (r != NVRTC_SUCCESS) raise<Error>("[{}] NVRTC {} failed: {}", what, call, nvrtcGetErrorString(r));
}

// Owns an nvrtcProgram.
struct ProgramHandle {
  nvrtcProgram p = nullptr;
  ~ProgramHandle() {
    if (p) nvrtcDestroyProgram(&p);
  }
};

std::string log_of(nvrtcProgram p) {
  size_t n = 0;
  if (nvrtcGetProgramLogSize(p, &n) != NVRTC_SUCCESS || n == 0) return {};
  std::string log(n, '\0');
  nvrtcGetProgramLog(p, log.data());
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  return log;
}

}  // namespace

std::string nvrtc_compile(const std::string& source, NvrtcTarget target, std::string_view what) {
  ProgramHandle h;
  check_nvrtc(nvrtcCreateProgram(&h.p, source.c_str(), "ember_generated.cu", 0, nullptr, nullptr),
              what, "nvrtcCreateProgram");
  const std::string arch = (target.cubin ? "--gpu-architecture=sm_" : "--gpu-architecture=compute_") +
                           std::to_string(target.arch);
  // No fast math and no contraction of a * b + c: a fused chain rounds as its ops would one
  // by one.
  const char* options[] = {arch.c_str(), "--std=c++17", "--fmad=false"};
  const nvrtcResult r = nvrtcCompileProgram(h.p, 3, options);
  if (r != NVRTC_SUCCESS) {
    raise<Error>("[{}] NVRTC could not compile the generated kernel for {}: {}\n{}\n--- source ---\n{}",
                 what, arch, nvrtcGetErrorString(r), log_of(h.p), source);
  }
  size_t n = 0;
  std::string image;
  if (target.cubin) {
    check_nvrtc(nvrtcGetCUBINSize(h.p, &n), what, "nvrtcGetCUBINSize");
    image.resize(n);
    check_nvrtc(nvrtcGetCUBIN(h.p, image.data()), what, "nvrtcGetCUBIN");
  } else {
    check_nvrtc(nvrtcGetPTXSize(h.p, &n), what, "nvrtcGetPTXSize");
    image.resize(n);
    check_nvrtc(nvrtcGetPTX(h.p, image.data()), what, "nvrtcGetPTX");
  }
  return image;
}

}  // namespace ember::cuda
