// ember._C.cuda*: device queries, memory statistics and tensor moves between devices. The
// CUDA backend (libember_cuda.so) loads on the first call that needs it.
#include "core/device_backend.h"
#include "core/device_copy.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

int device_index(py::handle device) {
  if (device.is_none()) return 0;
  if (py::isinstance<py::int_>(device)) return device.cast<int>();
  Device d = py::isinstance<Device>(device) ? device.cast<Device>()
                                           : Device(py::str(device).cast<std::string>());
  if (!d.is_cuda()) raise<ValueError>("[cuda] expected a CUDA device, got {}", d.str());
  return d.index;
}

CudaBackend& backend_for(py::handle device, std::string_view api) {
  const int i = device_index(device);
  check_cuda_device(Device(DeviceType::CUDA, i), api);
  return *cuda_backend();
}

void bind_cuda(py::module_& m) {
  m.def("_cuda_is_available", &cuda_is_available);
  m.def("_cuda_device_count", &cuda_device_count);
  m.def("_cuda_backend_error", &cuda_backend_error,
        "Why the CUDA backend is unavailable ('' when it loaded).");
  m.def("_cuda_is_built", [] {
#ifdef EMBER_WITH_CUDA
    return true;
#else
    return false;
#endif
  });
  m.def("_cuda_kernel_names", &cuda_kernel_names);
  m.def("_cuda_synchronize", [](py::handle d) {
    backend_for(d, "synchronize").synchronize(device_index(d));
  }, py::arg("device") = py::none());
  m.def("_cuda_memory_stats", [](py::handle d) {
    DeviceMemoryStats s = backend_for(d, "memory_stats").memory_stats(device_index(d));
    py::dict out;
    out["allocated_bytes"] = s.allocated_bytes;
    out["reserved_bytes"] = s.reserved_bytes;
    out["peak_allocated_bytes"] = s.peak_allocated_bytes;
    out["num_device_allocs"] = s.num_device_allocs;
    return out;
  }, py::arg("device") = py::none());
  m.def("_cuda_reset_peak_memory_stats", [](py::handle d) {
    backend_for(d, "reset_peak_memory_stats").reset_peak_memory_stats(device_index(d));
  }, py::arg("device") = py::none());
  m.def("_cuda_empty_cache", [](py::handle d) {
    if (!cuda_is_available()) return;  // nothing cached (PyTorch: a no-op too)
    backend_for(d, "empty_cache").empty_cache(device_index(d));
  }, py::arg("device") = py::none());
  m.def("_to_device", [](const Tensor& t, const Device& d) { return to_device(t, d); });
}
EMBER_PY_BINDING(90, bind_cuda);

}  // namespace
}  // namespace ember::python
