// Tensor.__getitem__ / __setitem__ and index_put(_): converts Python index expressions
// (ints, slices, None, ..., bools, tensors, lists, NumPy arrays) into an IndexSpec; the
// semantics live in core (index / index_put_ in core/ops/index.h).
#include "python/src/bindings.h"

namespace ember::python {
namespace {

std::string type_name(py::handle h) {
  return py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>();
}

// Nested lists / tuples / NumPy arrays -> an int64 or bool tensor.
Tensor sequence_index(py::handle h) {
  py::module_ np = py::module_::import("numpy");
  py::array arr = np.attr("asarray")(h);
  char kind = arr.dtype().kind();
  if (arr.size() == 0 && kind != 'b') {
    arr = np.attr("asarray")(h, "int64");
  } else if (kind == 'i' || kind == 'u') {
    arr = arr.attr("astype")("int64");
  } else if (kind != 'b') {
    raise<IndexError>(
        "[index] tensors used as indices must be int64, int32 or bool; got a "
        "sequence of NumPy dtype {}",
        py::str(arr.dtype()).cast<std::string>());
  }
  // (np.ascontiguousarray would turn a 0-d array into 1-d)
  arr = np.attr("require")(arr, py::none(), "C");
  return py::module_::import("ember._C").attr("from_numpy")(arr).cast<Tensor>();
}

std::optional<int64_t> slice_bound(py::handle h) {
  if (h.is_none()) return std::nullopt;
  if (!PyIndex_Check(h.ptr())) {
    raise<TypeError>("[index] slice indices must be integers or None, got {}", type_name(h));
  }
  return py::int_(py::reinterpret_borrow<py::object>(h)).cast<int64_t>();
}

TensorIndex item_of(py::handle h) {
  if (h.is_none()) return TensorIndex::none();
  if (h.ptr() == Py_Ellipsis) return TensorIndex::ellipsis();
  if (py::isinstance<Tensor>(h)) return TensorIndex::of(h.cast<Tensor>());
  if (PyBool_Check(h.ptr())) return TensorIndex::of(scalar_tensor(h.ptr() == Py_True, DType::Bool));
  if (PySlice_Check(h.ptr())) {
    auto start = slice_bound(h.attr("start"));
    auto stop = slice_bound(h.attr("stop"));
    auto step = slice_bound(h.attr("step"));
    return TensorIndex::slice(start, stop, step.value_or(1));
  }
  if (!py::isinstance<py::array>(h) && !PyLong_Check(h.ptr()) && py::hasattr(h, "dtype") &&
      py::hasattr(h, "ndim")) {  // NumPy scalars (np.True_, np.int64(1)): as 0-d arrays
    return item_of(py::module_::import("numpy").attr("asarray")(h));
  }
  if (py::isinstance<py::array>(h)) {
    py::array a = py::reinterpret_borrow<py::array>(h);
    if (a.ndim() == 0 && (a.dtype().kind() == 'i' || a.dtype().kind() == 'u')) {
      return TensorIndex::integer(h.attr("item")().cast<int64_t>());
    }
    if (a.ndim() == 0 && a.dtype().kind() == 'b') {
      return TensorIndex::of(scalar_tensor(h.attr("item")().cast<bool>(), DType::Bool));
    }
    return TensorIndex::of(sequence_index(h));
  }
  if (PyIndex_Check(h.ptr())) {
    return TensorIndex::integer(py::int_(py::reinterpret_borrow<py::object>(h)).cast<int64_t>());
  }
  if (py::isinstance<py::sequence>(h) && !py::isinstance<py::str>(h)) {
    return TensorIndex::of(sequence_index(h));
  }
  raise<IndexError>(
      "[index] only integers, slices, None, Ellipsis, bools, and integer or bool "
      "tensors (or sequences of them) are valid indices, got {}",
      type_name(h));
}

IndexSpec spec_of(py::handle key) {
  IndexSpec spec;
  if (py::isinstance<py::tuple>(key)) {
    for (py::handle h : py::reinterpret_borrow<py::tuple>(key)) spec.push_back(item_of(h));
  } else {
    spec.push_back(item_of(key));
  }
  return spec;
}

IndexSpec spec_of_tensors(py::handle indices) {
  IndexSpec spec;
  for (py::object h : py::reinterpret_borrow<py::sequence>(indices)) {
    if (h.is_none()) {
      spec.push_back(TensorIndex::slice());
    } else {
      spec.push_back(
          TensorIndex::of(py::isinstance<Tensor>(h) ? h.cast<Tensor>() : sequence_index(h)));
    }
  }
  return spec;
}

// A number is stored in the destination's dtype, as torch does: a float64 tensor keeps all of
// 0.1234567890123, not its float32 rounding.
Tensor value_of(const Tensor& dst, py::handle v) {
  if (py::isinstance<Tensor>(v)) return v.cast<Tensor>();
  if (auto s = as_scalar(v)) return scalar_tensor(*s, dst.dtype());
  if ((py::isinstance<py::sequence>(v) && !py::isinstance<py::str>(v)) ||
      py::isinstance<py::array>(v)) {
    return py::module_::import("ember").attr("tensor")(v).cast<Tensor>();
  }
  raise<TypeError>("[index_put_] can only assign a tensor, a number or a sequence, got {}",
                   type_name(v));
}

void bind_indexing(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  T.def("__getitem__",
        [](const Tensor& t, py::handle key) {
          if (PyLong_CheckExact(key.ptr())) return select(t, 0, key.cast<int64_t>());  // t[i]
          return index(t, spec_of(key));
        })
      .def("__setitem__", [](const Tensor& t, py::handle key,
                             py::handle value) { index_put_(t, spec_of(key), value_of(t, value)); })
      .def(
          "index_put_",
          [](const Tensor& t, py::handle indices, const Tensor& values, bool acc) {
            return index_put_(t, spec_of_tensors(indices), values, acc);
          },
          py::arg("indices"), py::arg("values"), py::arg("accumulate") = false)
      .def(
          "index_put",
          [](const Tensor& t, py::handle indices, const Tensor& values, bool acc) {
            return index_put(t, spec_of_tensors(indices), values, acc);
          },
          py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
  m.def(
      "index_put",
      [](const Tensor& t, py::handle indices, const Tensor& values, bool acc) {
        return index_put(t, spec_of_tensors(indices), values, acc);
      },
      py::arg("input"), py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
}
EMBER_PY_BINDING(30, bind_indexing);

}  // namespace
}  // namespace ember::python
