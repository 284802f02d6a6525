#include "core/device_backend.h"

#include <dlfcn.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "core/error.h"

namespace ember {
namespace {

struct BackendState {
  std::once_flag once;
  CudaBackend* backend = nullptr;
  std::string error;
};

BackendState& state() {
  static auto* s = new BackendState();  // leaked: tensors may die during static destruction
  return *s;
}

#ifdef EMBER_WITH_CUDA
// libember_cuda.so sits beside libember_core.so (dev build: python/ember/ or build/core/;
// wheel: the installed ember/ package).
std::string backend_path() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&cuda_backend), &info) && info.dli_fname) {
    std::string self = info.dli_fname;
    auto slash = self.rfind('/');
    if (slash != std::string::npos) return self.substr(0, slash + 1) + "libember_cuda.so";
  }
  return "libember_cuda.so";
}

void load_backend(BackendState& s) {
  const std::string path = backend_path();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* e = dlerror();
    s.error = fmt::format("could not load the CUDA backend {}: {}", path, e ? e : "unknown error");
    return;
  }
  using Create = CudaBackend* (*)(std::string*);
  auto create = reinterpret_cast<Create>(dlsym(handle, "ember_cuda_backend_create"));
  if (!create) {
    s.error = fmt::format("{} has no ember_cuda_backend_create", path);
    return;
  }
  std::string why;
  s.backend = create(&why);
  if (!s.backend) s.error = why;
}
#endif

// Keyed by views of the owned names below, so lookups by an op's kName never allocate.
struct KernelTable {
  std::deque<std::string> names;
  std::unordered_map<std::string_view, CudaKernel> by_name;
};
KernelTable& kernels() {
  static auto* t = new KernelTable();
  return *t;
}

}  // namespace

CudaBackend* cuda_backend() {
  BackendState& s = state();
  std::call_once(s.once, [&] {
#ifdef EMBER_WITH_CUDA
    load_backend(s);
#else
    s.error = "this build of ember has no CUDA backend (configure with -DEMBER_CUDA=ON)";
#endif
  });
  return s.backend;
}

std::string cuda_backend_error() {
  cuda_backend();
  return state().error;
}

int cuda_device_count() {
  CudaBackend* b = cuda_backend();
  return b ? b->device_count() : 0;
}

bool cuda_is_available() { return cuda_device_count() > 0; }

CudaBackend& cuda_backend_checked(std::string_view api) {
  CudaBackend* b = cuda_backend();
  if (!b) raise<Error>("[{}] CUDA is not available: {}", api, state().error);
  if (b->device_count() == 0) {
    raise<Error>("[{}] CUDA is not available: no CUDA device found (the CUDA backend is built, "
                 "but the driver reports no GPU)", api);
  }
  return *b;
}

void check_cuda_device(Device d, std::string_view api) {
  CudaBackend& b = cuda_backend_checked(api);
  if (d.is_cuda() && (d.index < 0 || d.index >= b.device_count())) {
    raise<ValueError>("[{}] device {} does not exist ({} CUDA device{} found)", api, d.str(),
                      b.device_count(), b.device_count() == 1 ? "" : "s");
  }
}

void register_cuda_kernel(std::string_view op_name, CudaKernel kernel) {
  KernelTable& t = kernels();
  auto it = t.by_name.find(op_name);
  if (it != t.by_name.end()) {
    it->second = kernel;
    return;
  }
  t.names.emplace_back(op_name);
  t.by_name.emplace(t.names.back(), kernel);
}

CudaKernel find_cuda_kernel(std::string_view op_name) {
  const KernelTable& t = kernels();
  auto it = t.by_name.find(op_name);
  return it == t.by_name.end() ? nullptr : it->second;
}

std::vector<std::string> cuda_kernel_names() {
  cuda_backend();  // loading registers the kernels
  std::vector<std::string> names;
  for (const auto& [n, k] : kernels().by_name) names.emplace_back(n);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ember
