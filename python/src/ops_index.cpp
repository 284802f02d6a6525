// Index ops: gather, scatter(_add), index_select, index_add, masked_fill, masked_select,
// nonzero, one_hot, take_along_dim (ember.<fn> and Tensor methods, PyTorch signatures).
#include "python/src/bindings.h"

namespace ember::python {
namespace {

py::tuple as_tuple(const std::vector<Tensor>& ts) {
  py::tuple t(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) t[i] = py::cast(ts[i]);
  return t;
}

// scatter(input, dim, index, src) or scatter(input, dim, index, value=number).
Tensor scatter_call(const Tensor& t, int64_t dim, const Tensor& index, py::handle src,
                    py::handle value, bool inplace) {
  py::handle v = src.is_none() ? value : src;
  if (v.is_none()) raise<TypeError>("[scatter] expected src (a tensor) or value (a number)");
  if (py::isinstance<Tensor>(v)) {
    Tensor s = v.cast<Tensor>();
    return inplace ? scatter_(t, dim, index, s) : scatter(t, dim, index, s);
  }
  auto sc = as_scalar(v);
  if (!sc) raise<TypeError>("[scatter] src must be a tensor or a number");
  return inplace ? scatter_(t, dim, index, *sc) : scatter(t, dim, index, *sc);
}

Tensor masked_fill_call(const Tensor& t, const Tensor& mask, py::handle value, bool inplace) {
  if (py::isinstance<Tensor>(value)) {
    Tensor v = value.cast<Tensor>();
    return inplace ? masked_fill_(t, mask, v) : masked_fill(t, mask, v);
  }
  auto s = as_scalar(value);
  if (!s) raise<TypeError>("[masked_fill] value must be a number or a 0-dim tensor");
  return inplace ? masked_fill_(t, mask, *s) : masked_fill(t, mask, *s);
}

py::object nonzero_call(const Tensor& t, bool as_tuple_) {
  if (as_tuple_) return as_tuple(nonzero_tuple(t));
  return py::cast(nonzero(t));
}

Tensor index_fill_call(const Tensor& t, int64_t dim, const Tensor& index, py::handle value,
                       bool inplace) {
  auto s = as_scalar(value);
  if (!s && py::isinstance<Tensor>(value)) s = Scalar(value.cast<Tensor>().item<double>());
  if (!s) raise<TypeError>("[index_fill] value must be a number or a 0-dim tensor");
  return inplace ? index_fill_(t, dim, index, *s) : index_fill(t, dim, index, *s);
}

Scalar alpha_arg(py::handle a) {
  auto s = as_scalar(a);
  if (!s) raise<TypeError>("[index_add] alpha must be a number");
  return *s;
}

Tensor take_call(const Tensor& t, const Tensor& idx, py::handle dim) {
  return take_along_dim(t, idx,
                        dim.is_none() ? std::nullopt : std::optional<int64_t>(dim.cast<int64_t>()));
}

void bind_index_ops(py::module_& m) {
  m.def("gather", &gather, py::arg("input"), py::arg("dim"), py::arg("index"));
  m.def(
      "scatter",
      [](const Tensor& t, int64_t dim, const Tensor& index, py::handle src, py::handle value) {
        return scatter_call(t, dim, index, src, value, false);
      },
      py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("src") = py::none(),
      py::kw_only(), py::arg("value") = py::none());
  m.def("scatter_add", &scatter_add, py::arg("input"), py::arg("dim"), py::arg("index"),
        py::arg("src"));
  m.def("index_select", &index_select, py::arg("input"), py::arg("dim"), py::arg("index"));
  m.def(
      "index_add",
      [](const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, py::handle alpha) {
        return index_add(t, dim, index, src, alpha_arg(alpha));
      },
      py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(),
      py::arg("alpha") = 1);
  m.def(
      "masked_fill",
      [](const Tensor& t, const Tensor& mask, py::handle v) {
        return masked_fill_call(t, mask, v, false);
      },
      py::arg("input"), py::arg("mask"), py::arg("value"));
  m.def(
      "index_fill",
      [](const Tensor& t, int64_t d, const Tensor& i, py::handle v) {
        return index_fill_call(t, d, i, v, false);
      },
      py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("value"));
  m.def("masked_select", &masked_select, py::arg("input"), py::arg("mask"));
  m.def("nonzero", &nonzero_call, py::arg("input"), py::kw_only(), py::arg("as_tuple") = false);
  m.def("one_hot", &one_hot, py::arg("tensor"), py::arg("num_classes") = -1);
  m.def("take_along_dim", &take_call, py::arg("input"), py::arg("indices"),
        py::arg("dim") = py::none());

  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  T.def("gather", &gather, py::arg("dim"), py::arg("index"))
      .def(
          "scatter",
          [](const Tensor& t, int64_t dim, const Tensor& index, py::handle src, py::handle value) {
            return scatter_call(t, dim, index, src, value, false);
          },
          py::arg("dim"), py::arg("index"), py::arg("src") = py::none(), py::kw_only(),
          py::arg("value") = py::none())
      .def(
          "scatter_",
          [](const Tensor& t, int64_t dim, const Tensor& index, py::handle src, py::handle value) {
            return scatter_call(t, dim, index, src, value, true);
          },
          py::arg("dim"), py::arg("index"), py::arg("src") = py::none(), py::kw_only(),
          py::arg("value") = py::none())
      .def("scatter_add", &scatter_add, py::arg("dim"), py::arg("index"), py::arg("src"))
      .def("scatter_add_", &scatter_add_, py::arg("dim"), py::arg("index"), py::arg("src"))
      .def("index_select", &index_select, py::arg("dim"), py::arg("index"))
      .def(
          "index_add",
          [](const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
             py::handle alpha) { return index_add(t, dim, index, src, alpha_arg(alpha)); },
          py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1)
      .def(
          "index_add_",
          [](const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
             py::handle alpha) { return index_add_(t, dim, index, src, alpha_arg(alpha)); },
          py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1)
      .def(
          "masked_fill",
          [](const Tensor& t, const Tensor& mask, py::handle v) {
            return masked_fill_call(t, mask, v, false);
          },
          py::arg("mask"), py::arg("value"))
      .def(
          "masked_fill_",
          [](const Tensor& t, const Tensor& mask, py::handle v) {
            return masked_fill_call(t, mask, v, true);
          },
          py::arg("mask"), py::arg("value"))
      .def(
          "index_fill",
          [](const Tensor& t, int64_t d, const Tensor& i, py::handle v) {
            return index_fill_call(t, d, i, v, false);
          },
          py::arg("dim"), py::arg("index"), py::arg("value"))
      .def(
          "index_fill_",
          [](const Tensor& t, int64_t d, const Tensor& i, py::handle v) {
            return index_fill_call(t, d, i, v, true);
          },
          py::arg("dim"), py::arg("index"), py::arg("value"))
      .def("masked_select", &masked_select, py::arg("mask"))
      .def("nonzero", &nonzero_call, py::kw_only(), py::arg("as_tuple") = false)
      .def("take_along_dim", &take_call, py::arg("indices"), py::arg("dim") = py::none());
}
EMBER_PY_BINDING(30, bind_index_ops);

}  // namespace
}  // namespace ember::python
