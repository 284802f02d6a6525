// Recurrent and attention layers (nn/rnn.h, nn/attention.h) under ember._C.nn, re-exported by
// ember/nn/__init__.py. Forward methods take the optional states/masks as None or tensors
// (LSTM: hx=(h0, c0)) and return PyTorch's tuples.
#include "nn/attention.h"
#include "nn/rnn.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using namespace ember::nn;

template <class T>
using Cls = py::class_<T, Module, std::shared_ptr<T>>;

DType dtype_or_default(py::handle d) { return d.is_none() ? default_float_dtype() : dtype_arg(d); }
Tensor opt_tensor(py::handle h) { return h.is_none() ? Tensor() : h.cast<Tensor>(); }
py::object opt_result(const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); }

py::tuple rnn_forward(RNNBase& m, const Tensor& input, py::handle hx) {
  if (m.mode == RNNBase::Mode::Lstm) {
    Tensor h0, c0;
    if (!hx.is_none()) {
      if (!py::isinstance<py::tuple>(hx) && !py::isinstance<py::list>(hx)) {
        throw py::type_error("[LSTM] hx must be a tuple (h0, c0) or None");
      }
      py::sequence s = py::reinterpret_borrow<py::sequence>(hx);
      if (py::len(s) != 2) throw py::value_error("[LSTM] hx must be a tuple of 2 tensors (h0, c0)");
      h0 = s[0].cast<Tensor>();
      c0 = s[1].cast<Tensor>();
    }
    TensorList r = m.forward_rnn(input, h0, c0);
    return py::make_tuple(r[0], py::make_tuple(r[1], r[2]));
  }
  TensorList r = m.forward_rnn(input, opt_tensor(hx));
  return py::make_tuple(r[0], r[1]);
}

void bind_rnn(py::module_& m) {
  py::module_ nm = m.attr("nn");
  py::class_<RNNBase, Module, std::shared_ptr<RNNBase>>(nm, "RNNBase", py::dynamic_attr())
      .def("forward", &rnn_forward, py::arg("input"), py::arg("hx") = py::none())
      .def("reset_parameters", &RNNBase::reset_parameters)
      // PyTorch compacts cuDNN weights here; parameters are already used in place.
      .def("flatten_parameters", [](RNNBase&) {})
      .def_readonly("input_size", &RNNBase::input_size)
      .def_readonly("hidden_size", &RNNBase::hidden_size)
      .def_readonly("num_layers", &RNNBase::num_layers)
      .def_readonly("bias", &RNNBase::bias)
      .def_readonly("batch_first", &RNNBase::batch_first)
      .def_readonly("dropout", &RNNBase::dropout)
      .def_readonly("bidirectional", &RNNBase::bidirectional);
  py::class_<RNN, RNNBase, std::shared_ptr<RNN>>(nm, "RNN", py::dynamic_attr())
      .def(py::init([](int64_t in, int64_t hidden, int64_t layers, std::string nl, bool bias,
                       bool bf, double p, bool bidir, py::handle, py::handle dtype) {
        return std::make_shared<RNN>(in, hidden, layers, nl, bias, bf, p, bidir,
                                     dtype_or_default(dtype));
      }), py::arg("input_size"), py::arg("hidden_size"), py::arg("num_layers") = 1,
         py::arg("nonlinearity") = "tanh", py::arg("bias") = true, py::arg("batch_first") = false,
         py::arg("dropout") = 0.0, py::arg("bidirectional") = false,
         py::arg("device") = py::none(), py::arg("dtype") = py::none())
      .def_property_readonly("nonlinearity", &RNN::nonlinearity);
  py::class_<LSTM, RNNBase, std::shared_ptr<LSTM>>(nm, "LSTM", py::dynamic_attr())
      .def(py::init([](int64_t in, int64_t hidden, int64_t layers, bool bias, bool bf, double p,
                       bool bidir, int64_t proj, py::handle, py::handle dtype) {
        if (proj != 0) raise<NotImplementedError>("[LSTM] proj_size > 0 is not supported, got {}", proj);
        return std::make_shared<LSTM>(in, hidden, layers, bias, bf, p, bidir,
                                      dtype_or_default(dtype));
      }), py::arg("input_size"), py::arg("hidden_size"), py::arg("num_layers") = 1,
         py::arg("bias") = true, py::arg("batch_first") = false, py::arg("dropout") = 0.0,
         py::arg("bidirectional") = false, py::arg("proj_size") = 0,
         py::arg("device") = py::none(), py::arg("dtype") = py::none());
  py::class_<GRU, RNNBase, std::shared_ptr<GRU>>(nm, "GRU", py::dynamic_attr())
      .def(py::init([](int64_t in, int64_t hidden, int64_t layers, bool bias, bool bf, double p,
                       bool bidir, py::handle, py::handle dtype) {
        return std::make_shared<GRU>(in, hidden, layers, bias, bf, p, bidir,
                                     dtype_or_default(dtype));
      }), py::arg("input_size"), py::arg("hidden_size"), py::arg("num_layers") = 1,
         py::arg("bias") = true, py::arg("batch_first") = false, py::arg("dropout") = 0.0,
         py::arg("bidirectional") = false, py::arg("device") = py::none(),
         py::arg("dtype") = py::none());

  Cls<MultiheadAttention>(nm, "MultiheadAttention", py::dynamic_attr())
      .def(py::init([](int64_t e, int64_t heads, double p, bool bias, bool bkv, bool zattn,
                       py::handle kdim, py::handle vdim, bool bf, py::handle, py::handle dtype) {
        return std::make_shared<MultiheadAttention>(
            e, heads, p, bias, bkv, zattn, kdim.is_none() ? 0 : kdim.cast<int64_t>(),
            vdim.is_none() ? 0 : vdim.cast<int64_t>(), bf, dtype_or_default(dtype));
      }), py::arg("embed_dim"), py::arg("num_heads"), py::arg("dropout") = 0.0,
         py::arg("bias") = true, py::arg("add_bias_kv") = false, py::arg("add_zero_attn") = false,
         py::arg("kdim") = py::none(), py::arg("vdim") = py::none(),
         py::arg("batch_first") = false, py::arg("device") = py::none(),
         py::arg("dtype") = py::none())
      .def("forward", [](MultiheadAttention& a, const Tensor& q, const Tensor& k, const Tensor& v,
                         py::handle kpm, bool need_weights, py::handle mask, bool average,
                         bool is_causal) {
        TensorList r = a.attend(q, k, v, opt_tensor(kpm), need_weights, opt_tensor(mask), average,
                                is_causal);
        return py::make_tuple(r[0], opt_result(r[1]));
      }, py::arg("query"), py::arg("key"), py::arg("value"),
         py::arg("key_padding_mask") = py::none(), py::arg("need_weights") = true,
         py::arg("attn_mask") = py::none(), py::arg("average_attn_weights") = true,
         py::arg("is_causal") = false)
      .def("reset_parameters", &MultiheadAttention::reset_parameters)
      .def_readonly("embed_dim", &MultiheadAttention::embed_dim)
      .def_readonly("num_heads", &MultiheadAttention::num_heads)
      .def_readonly("head_dim", &MultiheadAttention::head_dim)
      .def_readonly("dropout", &MultiheadAttention::dropout)
      .def_readonly("batch_first", &MultiheadAttention::batch_first);

  Cls<EncoderLayerNorm>(nm, "_EncoderLayerNorm", py::dynamic_attr())
      .def("forward", [](EncoderLayerNorm& n, const Tensor& x) { return n.forward(x); })
      .def_readonly("eps", &EncoderLayerNorm::eps);

  Cls<TransformerEncoderLayer>(nm, "TransformerEncoderLayer", py::dynamic_attr())
      .def(py::init([](int64_t d, int64_t nhead, int64_t ff, double p, std::string act,
                       double eps, bool bf, bool nf, bool bias, py::handle, py::handle dtype) {
        return std::make_shared<TransformerEncoderLayer>(d, nhead, ff, p, act, eps, bf, nf, bias,
                                                         dtype_or_default(dtype));
      }), py::arg("d_model"), py::arg("nhead"), py::arg("dim_feedforward") = 2048,
         py::arg("dropout") = 0.1, py::arg("activation") = "relu",
         py::arg("layer_norm_eps") = 1e-5, py::arg("batch_first") = false,
         py::arg("norm_first") = false, py::arg("bias") = true, py::arg("device") = py::none(),
         py::arg("dtype") = py::none())
      .def("forward", [](TransformerEncoderLayer& l, const Tensor& src, py::handle mask,
                         py::handle kpm, bool is_causal) {
        return l.encode(src, opt_tensor(mask), opt_tensor(kpm), is_causal);
      }, py::arg("src"), py::arg("src_mask") = py::none(),
         py::arg("src_key_padding_mask") = py::none(), py::arg("is_causal") = false)
      .def_readonly("norm_first", &TransformerEncoderLayer::norm_first)
      .def_readonly("activation", &TransformerEncoderLayer::activation);
}
EMBER_PY_BINDING(57, bind_rnn);

}  // namespace
}  // namespace ember::python
