#pragma once
// Keyword arguments shared by the factory bindings (ops_creation.cpp, ops_random.cpp):
// PyTorch's `dtype=`, `device=`, `requires_grad=` and the `f(2, 3)` / `f((2, 3))` /
// `f(size=(2, 3))` shape styles.
#include "python/src/bindings.h"

namespace ember::python {

inline std::optional<DType> opt_dtype(py::handle h) {
  if (h.is_none()) return std::nullopt;
  return dtype_arg(h);
}

inline Device device_arg(py::handle h) {
  if (h.is_none()) return kCPU;
  if (py::isinstance<Device>(h)) return h.cast<Device>();
  if (py::isinstance<py::str>(h)) return Device(h.cast<std::string>());
  if (PyLong_Check(h.ptr())) return Device(DeviceType::CUDA, h.cast<int>());
  raise<TypeError>("[device] expected a device or a string such as 'cpu', got {}",
                   py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
}

inline std::vector<int64_t> size_arg(const py::args& args, py::handle size_kw,
                                     std::string_view op) {
  if (!size_kw.is_none()) {
    if (args.size() != 0) raise<TypeError>("[{}] got the shape both positionally and as size=", op);
    return int_list(size_kw, op);
  }
  if (args.size() == 0) raise<TypeError>("[{}] missing the shape (e.g. {}(2, 3))", op, op);
  return shape_from_args(args, op);
}

inline Tensor with_grad(Tensor t, bool requires_grad) {
  if (requires_grad) set_requires_grad(t, true);
  return t;
}

// A Python number, NumPy scalar or one-element tensor as a Scalar.
inline Scalar scalar_arg(py::handle h, std::string_view op, std::string_view what) {
  if (auto s = as_scalar(h)) return *s;
  if (!py::isinstance<Tensor>(h)) {  // NumPy integer scalars and other __index__ types
    if (PyIndex_Check(h.ptr()) && !py::isinstance<py::str>(h)) {
      return Scalar(py::int_(py::reinterpret_borrow<py::object>(h)).cast<int64_t>());
    }
    if (py::hasattr(h, "dtype") && py::hasattr(h, "__float__") && !py::hasattr(h, "shape")) {
      return Scalar(py::float_(py::reinterpret_borrow<py::object>(h)).cast<double>());
    }
  }
  if (py::isinstance<Tensor>(h)) {
    const Tensor t = h.cast<Tensor>();
    if (t.numel() == 1) {
      if (t.dtype() == DType::Bool) return Scalar(t.item<bool>());
      if (is_floating(t.dtype())) return Scalar(t.item<double>());
      return Scalar(t.item<int64_t>());
    }
  }
  raise<TypeError>("[{}] expected a number for {}, got {}", op, what,
                   py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
}

}  // namespace ember::python
