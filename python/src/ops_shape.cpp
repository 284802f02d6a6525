// Views and shape ops: view/reshape/permute/... (core/ops/view.h) and cat/stack/split/pad/...
// (core/ops/shape.h), as ember.<fn> and Tensor methods with PyTorch's signatures.
#include "python/src/bindings.h"

namespace ember::python {
namespace {

std::vector<Tensor> tensor_seq(py::handle h, std::string_view op) {
  if (py::isinstance<Tensor>(h) || !py::isinstance<py::sequence>(h)) {
    raise<TypeError>("[{}] expected a sequence of tensors, got {}", op,
                     py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
  }
  std::vector<Tensor> out;
  for (py::object x : py::reinterpret_borrow<py::sequence>(h)) out.push_back(as_tensor_arg(x, op));
  return out;
}

py::tuple as_tuple(const std::vector<Tensor>& ts) {
  py::tuple t(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) t[i] = py::cast(ts[i]);
  return t;
}

// Dims from `f(0, 1)`, `f((0, 1))` or `f(dims=(0, 1))`.
std::vector<int64_t> dims_arg(const py::args& args, const py::kwargs& kw, const char* key,
                              std::string_view op) {
  if (kw.contains(key)) {
    if (args.size() > 0) raise<TypeError>("[{}] got {} both positionally and by keyword", op, key);
    return int_list(kw[key], op);
  }
  return shape_from_args(args, op);
}

Tensor squeeze_arg(const Tensor& t, py::handle dim) {
  if (dim.is_none()) return squeeze(t);
  return squeeze(t, int_list(dim, "squeeze"));
}

std::vector<Tensor> split_arg(const Tensor& t, py::handle size, int64_t dim) {
  if (PyLong_Check(size.ptr())) return split(t, size.cast<int64_t>(), dim);
  return split(t, int_list(size, "split"), dim);
}

Tensor roll_arg(const Tensor& t, py::handle shifts, py::handle dims) {
  auto s = int_list(shifts, "roll");
  if (dims.is_none()) return roll(t, s);
  return roll(t, s, int_list(dims, "roll"));
}

Tensor pad_arg(const Tensor& t, py::handle pads, const std::string& mode, py::handle value) {
  Scalar v = 0;
  if (!value.is_none()) {
    auto s = as_scalar(value);
    if (!s) raise<TypeError>("[pad] value must be a number");
    v = *s;
  }
  return pad(t, int_list(pads, "pad"), mode, v);
}

Tensor diagonal_arg(const Tensor& t, int64_t offset, int64_t dim1, int64_t dim2) {
  return diagonal(t, offset, dim1, dim2);
}

void bind_functions(py::module_& m) {
  auto cat_fn = [](py::handle tensors, int64_t dim) {
    auto ts = tensor_seq(tensors, "cat");
    return cat(ts, dim);
  };
  m.def("cat", cat_fn, py::arg("tensors"), py::arg("dim") = 0);
  m.def("concat", cat_fn, py::arg("tensors"), py::arg("dim") = 0);
  m.def("concatenate", cat_fn, py::arg("tensors"), py::arg("axis") = 0);
  m.def(
      "stack",
      [](py::handle tensors, int64_t dim) {
        auto ts = tensor_seq(tensors, "stack");
        return stack(ts, dim);
      },
      py::arg("tensors"), py::arg("dim") = 0);
  m.def(
      "split",
      [](const Tensor& t, py::handle size, int64_t dim) {
        return as_tuple(split_arg(t, size, dim));
      },
      py::arg("tensor"), py::arg("split_size_or_sections"), py::arg("dim") = 0);
  m.def(
      "chunk",
      [](const Tensor& t, int64_t chunks, int64_t dim) { return as_tuple(chunk(t, chunks, dim)); },
      py::arg("input"), py::arg("chunks"), py::arg("dim") = 0);
  m.def(
      "unbind", [](const Tensor& t, int64_t dim) { return as_tuple(unbind(t, dim)); },
      py::arg("input"), py::arg("dim") = 0);
  m.def(
      "flip", [](const Tensor& t, py::handle dims) { return flip(t, int_list(dims, "flip")); },
      py::arg("input"), py::arg("dims"));
  m.def("roll", &roll_arg, py::arg("input"), py::arg("shifts"), py::arg("dims") = py::none());
  m.def(
      "tile", [](const Tensor& t, py::handle dims) { return tile(t, int_list(dims, "tile")); },
      py::arg("input"), py::arg("dims"));
  m.def("pad", &pad_arg, py::arg("input"), py::arg("pad"), py::arg("mode") = "constant",
        py::arg("value") = py::none());
  m.def(
      "hstack", [](py::handle tensors) { return hstack(tensor_seq(tensors, "hstack")); },
      py::arg("tensors"));
  m.def(
      "vstack", [](py::handle tensors) { return vstack(tensor_seq(tensors, "vstack")); },
      py::arg("tensors"));
  m.def(
      "dstack", [](py::handle tensors) { return dstack(tensor_seq(tensors, "dstack")); },
      py::arg("tensors"));
  m.def("diag", &diag, py::arg("input"), py::arg("diagonal") = 0);
  m.def("tril", &tril, py::arg("input"), py::arg("diagonal") = 0);
  m.def("triu", &triu, py::arg("input"), py::arg("diagonal") = 0);
  m.def("narrow", &narrow, py::arg("input"), py::arg("dim"), py::arg("start"), py::arg("length"));
  m.def("select", &select, py::arg("input"), py::arg("dim"), py::arg("index"));
  m.def("diagonal", &diagonal_arg, py::arg("input"), py::arg("offset") = 0, py::arg("dim1") = 0,
        py::arg("dim2") = 1);
  auto movedim_fn = [](const Tensor& t, py::handle src, py::handle dst) {
    return movedim(t, int_list(src, "movedim"), int_list(dst, "movedim"));
  };
  m.def("movedim", movedim_fn, py::arg("input"), py::arg("source"), py::arg("destination"));
  m.def("moveaxis", movedim_fn, py::arg("input"), py::arg("source"), py::arg("destination"));
  m.def("swapaxes", &swapaxes, py::arg("input"), py::arg("axis0"), py::arg("axis1"));
  m.def("swapdims", &swapaxes, py::arg("input"), py::arg("dim0"), py::arg("dim1"));
  m.def("transpose", &transpose, py::arg("input"), py::arg("dim0"), py::arg("dim1"));
  m.def("t", &t_, py::arg("input"));
  m.def(
      "permute",
      [](const Tensor& t, py::handle dims) { return permute(t, int_list(dims, "permute")); },
      py::arg("input"), py::arg("dims"));
  m.def(
      "reshape",
      [](const Tensor& t, py::handle shape) { return reshape(t, int_list(shape, "reshape")); },
      py::arg("input"), py::arg("shape"));
  m.def("flatten", &flatten, py::arg("input"), py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  m.def(
      "unflatten",
      [](const Tensor& t, int64_t dim, py::handle sizes) {
        return unflatten(t, dim, int_list(sizes, "unflatten"));
      },
      py::arg("input"), py::arg("dim"), py::arg("sizes"));
  m.def("squeeze", &squeeze_arg, py::arg("input"), py::arg("dim") = py::none());
  m.def("unsqueeze", &unsqueeze, py::arg("input"), py::arg("dim"));
  m.def(
      "broadcast_to",
      [](const Tensor& t, py::handle shape) {
        return broadcast_to(t, int_list(shape, "broadcast_to"));
      },
      py::arg("input"), py::arg("size"));
}

void bind_methods(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  T.def("view", [](const Tensor& t, py::args a,
                   py::kwargs kw) { return view(t, dims_arg(a, kw, "size", "view")); })
      .def("reshape", [](const Tensor& t, py::args a,
                         py::kwargs kw) { return reshape(t, dims_arg(a, kw, "shape", "reshape")); })
      .def("permute", [](const Tensor& t, py::args a,
                         py::kwargs kw) { return permute(t, dims_arg(a, kw, "dims", "permute")); })
      .def("expand", [](const Tensor& t, py::args a,
                        py::kwargs kw) { return expand(t, dims_arg(a, kw, "size", "expand")); })
      .def("repeat", [](const Tensor& t, py::args a,
                        py::kwargs kw) { return repeat(t, dims_arg(a, kw, "repeats", "repeat")); })
      .def("tile", [](const Tensor& t, py::args a,
                      py::kwargs kw) { return tile(t, dims_arg(a, kw, "dims", "tile")); })
      .def("flip", [](const Tensor& t, py::args a,
                      py::kwargs kw) { return flip(t, dims_arg(a, kw, "dims", "flip")); })
      .def("transpose", &transpose, py::arg("dim0"), py::arg("dim1"))
      .def("swapaxes", &swapaxes, py::arg("axis0"), py::arg("axis1"))
      .def("swapdims", &swapaxes, py::arg("dim0"), py::arg("dim1"))
      .def("t", &t_)
      .def_property_readonly("T", &reverse_dims)
      .def_property_readonly("mT", &matrix_transpose)
      .def("unsqueeze", &unsqueeze, py::arg("dim"))
      .def("squeeze", &squeeze_arg, py::arg("dim") = py::none())
      .def("expand_as", &expand_as, py::arg("other"))
      .def("view_as", &view_as, py::arg("other"))
      .def("reshape_as", &reshape_as, py::arg("other"))
      .def(
          "broadcast_to",
          [](const Tensor& t, py::handle shape) {
            return broadcast_to(t, int_list(shape, "broadcast_to"));
          },
          py::arg("size"))
      .def("flatten", &flatten, py::arg("start_dim") = 0, py::arg("end_dim") = -1)
      .def(
          "unflatten",
          [](const Tensor& t, int64_t dim, py::handle sizes) {
            return unflatten(t, dim, int_list(sizes, "unflatten"));
          },
          py::arg("dim"), py::arg("sizes"))
      .def(
          "movedim",
          [](const Tensor& t, py::handle s, py::handle d) {
            return movedim(t, int_list(s, "movedim"), int_list(d, "movedim"));
          },
          py::arg("source"), py::arg("destination"))
      .def(
          "moveaxis",
          [](const Tensor& t, py::handle s, py::handle d) {
            return movedim(t, int_list(s, "moveaxis"), int_list(d, "moveaxis"));
          },
          py::arg("source"), py::arg("destination"))
      .def("narrow", &narrow, py::arg("dim"), py::arg("start"), py::arg("length"))
      .def("select", &select, py::arg("dim"), py::arg("index"))
      .def(
          "unbind", [](const Tensor& t, int64_t dim) { return as_tuple(unbind(t, dim)); },
          py::arg("dim") = 0)
      .def("diagonal", &diagonal_arg, py::arg("offset") = 0, py::arg("dim1") = 0,
           py::arg("dim2") = 1)
      .def(
          "split",
          [](const Tensor& t, py::handle size, int64_t dim) {
            return as_tuple(split_arg(t, size, dim));
          },
          py::arg("split_size"), py::arg("dim") = 0)
      .def(
          "chunk",
          [](const Tensor& t, int64_t chunks, int64_t dim) {
            return as_tuple(chunk(t, chunks, dim));
          },
          py::arg("chunks"), py::arg("dim") = 0)
      .def("roll", &roll_arg, py::arg("shifts"), py::arg("dims") = py::none())
      .def("diag", &diag, py::arg("diagonal") = 0)
      .def("tril", &tril, py::arg("diagonal") = 0)
      .def("triu", &triu, py::arg("diagonal") = 0);
}

void bind_shape(py::module_& m) {
  bind_functions(m);
  bind_methods(m);
}
EMBER_PY_BINDING(30, bind_shape);

}  // namespace
}  // namespace ember::python
