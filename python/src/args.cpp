// Argument conversion shared by the binding files.
#include "python/src/bindings.h"

namespace ember::python {

std::optional<Scalar> as_scalar(py::handle h) {
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) return Scalar(o == Py_True);
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) raise<ValueError>("[scalar] integer {} does not fit in int64", py::str(h).cast<std::string>());
    return Scalar(static_cast<int64_t>(v));
  }
  if (PyFloat_Check(o)) return Scalar(PyFloat_AS_DOUBLE(o));
  // NumPy scalars (np.float32(1), np.int64(2), np.bool_(True)).
  if (py::hasattr(h, "dtype") && py::hasattr(h, "item") && !py::isinstance<Tensor>(h) &&
      py::getattr(h, "ndim", py::int_(1)).cast<int>() == 0 && !py::hasattr(h, "__array_interface__")) {
    py::object v = h.attr("item")();
    if (PyBool_Check(v.ptr()) || PyLong_Check(v.ptr()) || PyFloat_Check(v.ptr())) return as_scalar(v);
  }
  return std::nullopt;
}

Tensor as_tensor_arg(py::handle h, std::string_view op) {
  if (py::isinstance<Tensor>(h)) return h.cast<Tensor>();
  if (auto s = as_scalar(h)) return wrapped_scalar(*s);  // floats kept in float64
  raise<TypeError>("[{}] expected a Tensor or a number, got {}", op,
                   py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
}

namespace {
// An int (or an object with __index__) as int64, with a clear error past 64 bits (pybind11's
// own cast says "Unable to cast Python instance of type int to C++ type '?'").
int64_t index_int(py::handle h, std::string_view op) {
  py::int_ i;
  try {
    i = py::reinterpret_borrow<py::object>(h);
  } catch (py::error_already_set&) {  // e.g. a NumPy array of several floats
    raise<TypeError>("[{}] expected an int, got {}", op,
                     py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
  }
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
  if (overflow) {
    raise<ValueError>("[{}] integer {} does not fit in int64", op, py::str(i).cast<std::string>());
  }
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  return static_cast<int64_t>(v);
}
}  // namespace

std::vector<int64_t> int_list(py::handle h, std::string_view op) {
  if (PyLong_Check(h.ptr())) return {index_int(h, op)};
  if (py::isinstance<py::sequence>(h) && !py::isinstance<py::str>(h)) {
    // py::object, not py::handle: a sequence whose __getitem__ makes new objects (a Tensor)
    // would hand out items freed before the loop body runs.
    std::vector<int64_t> out;
    for (py::object x : py::reinterpret_borrow<py::sequence>(h)) {
      if (!PyLong_Check(x.ptr()) && !PyIndex_Check(x.ptr())) {
        raise<TypeError>("[{}] expected a sequence of ints, got an element of type {}", op,
                         py::str(py::type::handle_of(x).attr("__name__")).cast<std::string>());
      }
      out.push_back(index_int(x, op));
    }
    return out;
  }
  if (PyIndex_Check(h.ptr())) return {index_int(h, op)};
  raise<TypeError>("[{}] expected an int or a sequence of ints, got {}", op,
                   py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
}

std::vector<int64_t> shape_from_args(const py::args& args, std::string_view op) {
  if (args.size() == 1 && !PyLong_Check(args[0].ptr())) return int_list(args[0], op);
  std::vector<int64_t> out;
  for (py::handle a : args) {
    if (!PyLong_Check(a.ptr()) && !PyIndex_Check(a.ptr())) {
      raise<TypeError>("[{}] expected ints for the shape, got {}", op,
                       py::str(py::type::handle_of(a).attr("__name__")).cast<std::string>());
    }
    out.push_back(index_int(a, op));
  }
  return out;
}

DType dtype_arg(py::handle h) {
  if (py::isinstance<DType>(h)) return h.cast<DType>();
  if (py::isinstance<py::str>(h)) return dtype_from_name(h.cast<std::string>());
  // numpy dtypes and Python types: float -> the default floating dtype, int -> int64, bool.
  if (h.ptr() == reinterpret_cast<PyObject*>(&PyFloat_Type)) return default_float_dtype();
  if (h.ptr() == reinterpret_cast<PyObject*>(&PyLong_Type)) return DType::Int64;
  if (h.ptr() == reinterpret_cast<PyObject*>(&PyBool_Type)) return DType::Bool;
  try {
    py::object np = py::module_::import("numpy");
    std::string name = py::str(np.attr("dtype")(h).attr("name"));
    return dtype_from_name(name);
  } catch (const py::error_already_set&) {
  }
  raise<TypeError>("[dtype] expected an ember dtype, got {}", py::str(py::repr(h)).cast<std::string>());
}

}  // namespace ember::python
