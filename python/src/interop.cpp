// Zero-copy exchange with NumPy (buffer protocol) and any DLPack producer/consumer
// (PyTorch, JAX, NumPy >= 1.22).
#include <dlpack/dlpack.h>

#include "core/dispatch.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

std::optional<DType> dtype_of_numpy(const py::dtype& d) {
  char kind = d.kind();
  int64_t size = d.itemsize();
  if (kind == 'b') return DType::Bool;
  if (kind == 'u' && size == 1) return DType::UInt8;
  if (kind == 'i' && size == 4) return DType::Int32;
  if (kind == 'i' && size == 8) return DType::Int64;
  if (kind == 'f' && size == 2) return DType::Float16;
  if (kind == 'f' && size == 4) return DType::Float32;
  if (kind == 'f' && size == 8) return DType::Float64;
  return std::nullopt;
}

py::dtype numpy_dtype_of(DType d) {
  switch (d) {
    case DType::Bool: return py::dtype("bool");
    case DType::UInt8: return py::dtype("uint8");
    case DType::Int32: return py::dtype("int32");
    case DType::Int64: return py::dtype("int64");
    case DType::Float16: return py::dtype("float16");
    case DType::Float32: return py::dtype("float32");
    case DType::Float64: return py::dtype("float64");
    case DType::BFloat16: break;
  }
  raise<TypeError>("[numpy] NumPy has no {} dtype; convert first, e.g. t.float().numpy()",
                   dtype_name(d));
}

// Wraps memory owned by a Python object; strides are in elements and may be negative.
Tensor wrap_external(void* data, Shape shape, Strides strides, DType dtype,
                     std::function<void()> release) {
  int64_t lo = 0, hi = 0;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) {
      lo = hi = 0;
      break;
    }
    int64_t span = (shape[i] - 1) * strides[i];
    (span < 0 ? lo : hi) += span;
  }
  char* base = static_cast<char*>(data) + lo * itemsize(dtype);
  size_t nbytes = static_cast<size_t>((hi - lo + 1) * itemsize(dtype));
  auto storage = make_intrusive<Storage>(base, nbytes, kCPU, std::move(release));
  return Tensor(make_intrusive<TensorImpl>(std::move(storage), std::move(shape),
                                           std::move(strides), -lo, dtype));
}

Tensor from_numpy(py::array arr) {
  auto dt = dtype_of_numpy(arr.dtype());
  if (!dt) {
    raise<TypeError>("[from_numpy] unsupported NumPy dtype {}; supported: bool, uint8, int32, "
                     "int64, float16, float32, float64",
                     py::str(arr.dtype()).cast<std::string>());
  }
  Shape shape(arr.shape(), arr.shape() + arr.ndim());
  Strides strides(arr.ndim());
  int64_t isz = itemsize(*dt);
  for (py::ssize_t i = 0; i < arr.ndim(); ++i) {
    if (arr.strides()[i] % isz != 0) {
      // Unaligned strides (a view into a record array): copy.
      return from_numpy(py::array::ensure(arr, py::array::c_style));
    }
    strides[i] = arr.strides()[i] / isz;
  }
  py::object keep = arr;
  auto* holder = new py::object(keep);
  return wrap_external(arr.mutable_data(), std::move(shape), std::move(strides), *dt, [holder] {
    if (!Py_IsInitialized()) return;  // interpreter gone: leak rather than crash
    py::gil_scoped_acquire gil;
    delete holder;
  });
}

py::array to_numpy(const Tensor& t) {
  check_not_traced(t, "numpy");
  if (t.requires_grad()) {
    raise<Error>("[numpy] can't call numpy() on a tensor that requires grad; use "
                 "tensor.detach().numpy()");
  }
  if (!t.device().is_cpu()) {
    raise<TypeError>("[numpy] can't convert a {} tensor to NumPy; use tensor.cpu() first",
                     t.device().str());
  }
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  std::vector<py::ssize_t> strides;
  for (int64_t s : t.strides()) strides.push_back(s * t.element_size());
  auto* keep = new Tensor(t);
  py::capsule owner(keep, [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(numpy_dtype_of(t.dtype()), shape, strides, t.data_ptr(), owner);
}

// ---- DLPack
// kDLBool arrived in DLPack 0.8; Debian's header is older.
constexpr uint8_t kDLBoolCode = 6;

DLDataType dl_dtype(DType d) {
  switch (d) {
    case DType::Bool: return {kDLBoolCode, 8, 1};
    case DType::UInt8: return {kDLUInt, 8, 1};
    case DType::Int32: return {kDLInt, 32, 1};
    case DType::Int64: return {kDLInt, 64, 1};
    case DType::Float16: return {kDLFloat, 16, 1};
    case DType::BFloat16: return {kDLBfloat, 16, 1};
    case DType::Float32: return {kDLFloat, 32, 1};
    case DType::Float64: return {kDLFloat, 64, 1};
  }
  return {kDLFloat, 32, 1};
}

DType from_dl_dtype(DLDataType t) {
  if (t.lanes != 1) raise<TypeError>("[from_dlpack] vector dtypes (lanes={}) are not supported", t.lanes);
  if (t.code == kDLBoolCode || (t.code == kDLUInt && t.bits == 1)) return DType::Bool;
  if (t.code == kDLUInt && t.bits == 8) return DType::UInt8;
  if (t.code == kDLInt && t.bits == 32) return DType::Int32;
  if (t.code == kDLInt && t.bits == 64) return DType::Int64;
  if (t.code == kDLFloat && t.bits == 16) return DType::Float16;
  if (t.code == kDLBfloat && t.bits == 16) return DType::BFloat16;
  if (t.code == kDLFloat && t.bits == 32) return DType::Float32;
  if (t.code == kDLFloat && t.bits == 64) return DType::Float64;
  raise<TypeError>("[from_dlpack] unsupported DLPack dtype (code {}, bits {})", t.code, t.bits);
}

struct DLPackHolder {
  Tensor tensor;
  std::vector<int64_t> shape, strides;
  DLManagedTensor managed;
};

py::capsule to_dlpack(const Tensor& t) {
  if (!t.device().is_cpu()) raise<NotImplementedError>("[__dlpack__] only CPU tensors for now");
  auto* h = new DLPackHolder{t, {t.shape().begin(), t.shape().end()},
                             {t.strides().begin(), t.strides().end()}, {}};
  DLTensor& d = h->managed.dl_tensor;
  d.data = t.storage()->data();
  d.device = {kDLCPU, 0};
  d.ndim = static_cast<int32_t>(t.dim());
  d.dtype = dl_dtype(t.dtype());
  d.shape = h->shape.data();
  d.strides = h->strides.data();
  d.byte_offset = static_cast<uint64_t>(t.offset() * t.element_size());
  h->managed.manager_ctx = h;
  h->managed.deleter = [](DLManagedTensor* m) { delete static_cast<DLPackHolder*>(m->manager_ctx); };
  return py::capsule(&h->managed, "dltensor", [](PyObject* cap) {
    // Only delete if never consumed (a consumer renames the capsule to used_dltensor).
    if (PyCapsule_IsValid(cap, "dltensor")) {
      auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(cap, "dltensor"));
      if (m && m->deleter) m->deleter(m);
    } else {
      PyErr_Clear();
    }
  });
}

Tensor from_dlpack(py::object obj) {
  py::object cap = obj;
  if (py::hasattr(obj, "__dlpack__")) cap = obj.attr("__dlpack__")();
  if (!PyCapsule_IsValid(cap.ptr(), "dltensor")) {
    raise<TypeError>("[from_dlpack] expected an object with __dlpack__ or a 'dltensor' capsule");
  }
  auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(cap.ptr(), "dltensor"));
  const DLTensor& d = m->dl_tensor;
  if (d.device.device_type != kDLCPU) {
    raise<NotImplementedError>("[from_dlpack] only CPU DLPack tensors are supported in this build");
  }
  DType dt = from_dl_dtype(d.dtype);
  Shape shape(d.shape, d.shape + d.ndim);
  Strides strides = d.strides ? Strides(d.strides, d.strides + d.ndim) : contiguous_strides(shape);
  void* data = static_cast<char*>(d.data) + d.byte_offset;
  PyCapsule_SetName(cap.ptr(), "used_dltensor");
  return wrap_external(data, std::move(shape), std::move(strides), dt, [m] {
    if (m->deleter) m->deleter(m);
  });
}

void bind_interop(py::module_& m) {
  m.def("from_numpy", &from_numpy, py::arg("ndarray"));
  m.def("from_dlpack", &from_dlpack, py::arg("ext_tensor"));
  auto cls = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  cls.def("numpy", &to_numpy)
      .def("__array__", [](const Tensor& t, py::object dtype, py::object copy) {
        py::array a = to_numpy(t);
        if (!dtype.is_none()) return py::array(a.attr("astype")(dtype));
        return a;
      }, py::arg("dtype") = py::none(), py::arg("copy") = py::none())
      .def("__dlpack__", [](const Tensor& t, py::kwargs) { return to_dlpack(t); })
      .def("__dlpack_device__", [](const Tensor& t) {
        return py::make_tuple(static_cast<int>(kDLCPU), 0);
      });
}
EMBER_PY_BINDING(11, bind_interop);

}  // namespace
}  // namespace ember::python
