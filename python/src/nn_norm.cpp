// Normalization, dropout and embedding layers (nn/norm.h, nn/dropout.h, nn/embedding.h)
// under ember._C.nn, and their functional forms under ember._C.nn.functional.
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/norm.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using namespace ember::nn;

template <class T, class Base = Module>
using Cls = py::class_<T, Base, std::shared_ptr<T>>;

DType dtype_or_default(py::handle d) { return d.is_none() ? default_float_dtype() : dtype_arg(d); }
Tensor opt_tensor(py::handle h) { return h.is_none() ? Tensor() : h.cast<Tensor>(); }
std::optional<int64_t> opt_int(py::handle h) {
  return h.is_none() ? std::nullopt : std::optional<int64_t>(h.cast<int64_t>());
}
std::optional<double> opt_double(py::handle h) {
  return h.is_none() ? std::nullopt : std::optional<double>(h.cast<double>());
}

[[noreturn]] void not_implemented(std::string_view op, std::string_view what) {
  std::string msg = "[" + std::string(op) + "] " + std::string(what) + " is not supported";
  PyErr_SetString(PyExc_NotImplementedError, msg.c_str());
  throw py::error_already_set();
}

// max_norm (renormalizing looked-up rows in place), scale_grad_by_freq and sparse gradients
// are not implemented.
void check_unsupported(py::handle max_norm, bool scale_grad_by_freq, bool sparse,
                       std::string_view op) {
  if (!max_norm.is_none()) not_implemented(op, "max_norm");
  if (scale_grad_by_freq) not_implemented(op, "scale_grad_by_freq=True");
  if (sparse) not_implemented(op, "sparse=True");
}

template <class BN>
void bind_batch_norm(py::module_& nm, const char* name) {
  Cls<BN, BatchNorm>(nm, name, py::dynamic_attr())
      .def(py::init([](int64_t nf, double eps, py::handle mom, bool affine, bool track,
                       py::handle, py::handle dtype) {
        return std::make_shared<BN>(nf, eps, opt_double(mom), affine, track, dtype_or_default(dtype));
      }), py::arg("num_features"), py::arg("eps") = 1e-5, py::arg("momentum") = 0.1,
         py::arg("affine") = true, py::arg("track_running_stats") = true,
         py::arg("device") = py::none(), py::arg("dtype") = py::none());
}

void bind_norm(py::module_& m) {
  py::module_ nm = m.attr("nn");
  Cls<BatchNorm>(nm, "_BatchNorm", py::dynamic_attr())
      .def("forward", [](BatchNorm& b, const Tensor& x) { return b.forward(x); })
      .def("reset_running_stats", &BatchNorm::reset_running_stats)
      .def("reset_parameters", &BatchNorm::reset_parameters)
      .def_readonly("num_features", &BatchNorm::num_features)
      .def_readwrite("eps", &BatchNorm::eps)
      .def_property("momentum", [](const BatchNorm& b) { return b.momentum; },
                    [](BatchNorm& b, py::handle v) { b.momentum = opt_double(v); })
      .def_readonly("affine", &BatchNorm::affine)
      .def_readonly("track_running_stats", &BatchNorm::track_running_stats);
  bind_batch_norm<BatchNorm1d>(nm, "BatchNorm1d");
  bind_batch_norm<BatchNorm2d>(nm, "BatchNorm2d");

  Cls<LayerNorm>(nm, "LayerNorm", py::dynamic_attr())
      .def(py::init([](py::handle shape, double eps, bool affine, bool bias, py::handle,
                       py::handle dtype) {
        return std::make_shared<LayerNorm>(int_list(shape, "LayerNorm"), eps, affine, bias,
                                           dtype_or_default(dtype));
      }), py::arg("normalized_shape"), py::arg("eps") = 1e-5,
         py::arg("elementwise_affine") = true, py::arg("bias") = true,
         py::arg("device") = py::none(), py::arg("dtype") = py::none())
      .def("forward", [](LayerNorm& l, const Tensor& x) { return l.forward(x); })
      .def("reset_parameters", &LayerNorm::reset_parameters)
      .def_property_readonly("normalized_shape", [](const LayerNorm& l) {
        return py::tuple(py::cast(l.normalized_shape));
      })
      .def_readwrite("eps", &LayerNorm::eps)
      .def_readonly("elementwise_affine", &LayerNorm::elementwise_affine);

  Cls<GroupNorm>(nm, "GroupNorm", py::dynamic_attr())
      .def(py::init([](int64_t g, int64_t c, double eps, bool affine, py::handle, py::handle dtype) {
        return std::make_shared<GroupNorm>(g, c, eps, affine, dtype_or_default(dtype));
      }), py::arg("num_groups"), py::arg("num_channels"), py::arg("eps") = 1e-5,
         py::arg("affine") = true, py::arg("device") = py::none(), py::arg("dtype") = py::none())
      .def("forward", [](GroupNorm& l, const Tensor& x) { return l.forward(x); })
      .def("reset_parameters", &GroupNorm::reset_parameters)
      .def_readonly("num_groups", &GroupNorm::num_groups)
      .def_readonly("num_channels", &GroupNorm::num_channels)
      .def_readwrite("eps", &GroupNorm::eps)
      .def_readonly("affine", &GroupNorm::affine);

  Cls<Dropout>(nm, "Dropout", py::dynamic_attr())
      .def(py::init<double, bool>(), py::arg("p") = 0.5, py::arg("inplace") = false)
      .def("forward", [](Dropout& d, const Tensor& x) { return d.forward(x); })
      .def_readonly("p", &Dropout::p)
      .def_readonly("inplace", &Dropout::inplace);

  Cls<Embedding>(nm, "Embedding", py::dynamic_attr())
      .def(py::init([](int64_t n, int64_t d, py::handle pad, py::handle max_norm, double,
                       bool by_freq, bool sparse, py::handle w, bool freeze, py::handle, py::handle dtype) {
        check_unsupported(max_norm, by_freq, sparse, "Embedding");
        return std::make_shared<Embedding>(n, d, opt_int(pad), opt_tensor(w), freeze,
                                           dtype_or_default(dtype));
      }), py::arg("num_embeddings"), py::arg("embedding_dim"), py::arg("padding_idx") = py::none(),
         py::arg("max_norm") = py::none(), py::arg("norm_type") = 2.0,
         py::arg("scale_grad_by_freq") = false, py::arg("sparse") = false,
         py::arg("_weight") = py::none(), py::arg("_freeze") = false,
         py::arg("device") = py::none(), py::arg("dtype") = py::none())
      .def_static("from_pretrained", [](const Tensor& emb, bool freeze, py::handle pad,
                                        py::handle max_norm, double, bool by_freq, bool sparse) {
        check_unsupported(max_norm, by_freq, sparse, "Embedding.from_pretrained");
        return Embedding::from_pretrained(emb, freeze, opt_int(pad));
      }, py::arg("embeddings"), py::arg("freeze") = true, py::arg("padding_idx") = py::none(),
         py::arg("max_norm") = py::none(), py::arg("norm_type") = 2.0,
         py::arg("scale_grad_by_freq") = false, py::arg("sparse") = false)
      .def("forward", [](Embedding& e, const Tensor& i) { return e.forward(i); })
      .def("reset_parameters", &Embedding::reset_parameters)
      .def_readonly("num_embeddings", &Embedding::num_embeddings)
      .def_readonly("embedding_dim", &Embedding::embedding_dim)
      .def_readonly("padding_idx", &Embedding::padding_idx);

  py::module_ F = nm.attr("functional");
  F.def("batch_norm", [](const Tensor& x, py::handle rm, py::handle rv, py::handle w, py::handle b,
                         bool training, double momentum, double eps) {
    return batch_norm(x, opt_tensor(rm), opt_tensor(rv), opt_tensor(w), opt_tensor(b), training,
                      momentum, eps);
  }, py::arg("input"), py::arg("running_mean"), py::arg("running_var"),
     py::arg("weight") = py::none(), py::arg("bias") = py::none(), py::arg("training") = false,
     py::arg("momentum") = 0.1, py::arg("eps") = 1e-5);
  F.def("layer_norm", [](const Tensor& x, py::handle shape, py::handle w, py::handle b, double eps) {
    return layer_norm(x, int_list(shape, "layer_norm"), opt_tensor(w), opt_tensor(b), eps);
  }, py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(),
     py::arg("bias") = py::none(), py::arg("eps") = 1e-5);
  F.def("group_norm", [](const Tensor& x, int64_t g, py::handle w, py::handle b, double eps) {
    return group_norm(x, g, opt_tensor(w), opt_tensor(b), eps);
  }, py::arg("input"), py::arg("num_groups"), py::arg("weight") = py::none(),
     py::arg("bias") = py::none(), py::arg("eps") = 1e-5);
  F.def("dropout", [](const Tensor& x, double p, bool training, bool) {
    return dropout(x, p, training);
  }, py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true, py::arg("inplace") = false);
  F.def("embedding", [](const Tensor& i, const Tensor& w, py::handle pad, py::handle max_norm,
                        double, bool by_freq, bool sparse) {
    check_unsupported(max_norm, by_freq, sparse, "embedding");
    return embedding(i, w, opt_int(pad));
  }, py::arg("input"), py::arg("weight"), py::arg("padding_idx") = py::none(),
     py::arg("max_norm") = py::none(), py::arg("norm_type") = 2.0,
     py::arg("scale_grad_by_freq") = false, py::arg("sparse") = false);
}
EMBER_PY_BINDING(57, bind_norm);

}  // namespace
}  // namespace ember::python
