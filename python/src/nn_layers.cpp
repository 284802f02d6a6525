// Layer modules implemented in C++ (nn/), registered under ember._C.nn and re-exported by
// ember/nn/__init__.py. Each binding converts arguments and calls the C++ constructor.
#include "nn/activation.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using namespace ember::nn;

template <class T>
using Cls = py::class_<T, Module, std::shared_ptr<T>>;

DType dtype_or_default(py::handle d) { return d.is_none() ? default_float_dtype() : dtype_arg(d); }

Tensor opt_tensor(py::handle h) { return h.is_none() ? Tensor() : h.cast<Tensor>(); }

void bind_layers(py::module_& m) {
  py::module_ nm = m.attr("nn");
  Cls<Linear>(nm, "Linear", py::dynamic_attr())
      .def(py::init([](int64_t in, int64_t out, bool bias, py::handle device, py::handle dtype) {
        return std::make_shared<Linear>(in, out, bias, dtype_or_default(dtype));
      }), py::arg("in_features"), py::arg("out_features"), py::arg("bias") = true,
         py::arg("device") = py::none(), py::arg("dtype") = py::none())
      .def("forward", [](Linear& l, const Tensor& x) { return l.forward(x); })
      .def("reset_parameters", &Linear::reset_parameters)
      .def_readonly("in_features", &Linear::in_features)
      .def_readonly("out_features", &Linear::out_features);
  Cls<Bilinear>(nm, "Bilinear", py::dynamic_attr())
      .def(py::init([](int64_t in1, int64_t in2, int64_t out, bool bias, py::handle device, py::handle dtype) {
        return std::make_shared<Bilinear>(in1, in2, out, bias, dtype_or_default(dtype));
      }), py::arg("in1_features"), py::arg("in2_features"), py::arg("out_features"),
         py::arg("bias") = true, py::arg("device") = py::none(), py::arg("dtype") = py::none())
      .def("forward", [](Bilinear& l, const Tensor& a, const Tensor& b) { return l.forward({a, b}).at(0); });
  Cls<Identity>(nm, "Identity", py::dynamic_attr())
      .def(py::init([](py::args, py::kwargs) { return std::make_shared<Identity>(); }))
      .def("forward", [](Identity&, py::object x) { return x; });
  Cls<Flatten>(nm, "Flatten", py::dynamic_attr())
      .def(py::init<int64_t, int64_t>(), py::arg("start_dim") = 1, py::arg("end_dim") = -1)
      .def("forward", [](Flatten& f, const Tensor& x) { return f.forward(x); });
  Cls<Unflatten>(nm, "Unflatten", py::dynamic_attr())
      .def(py::init<int64_t, std::vector<int64_t>>(), py::arg("dim"), py::arg("unflattened_size"))
      .def("forward", [](Unflatten& f, const Tensor& x) { return f.forward(x); });

  // Activations.
  Cls<ReLU>(nm, "ReLU", py::dynamic_attr())
      .def(py::init<bool>(), py::arg("inplace") = false)
      .def("forward", [](ReLU& a, const Tensor& x) { return a.forward(x); });
  Cls<LeakyReLU>(nm, "LeakyReLU", py::dynamic_attr())
      .def(py::init([](double s, bool) { return std::make_shared<LeakyReLU>(s); }),
           py::arg("negative_slope") = 0.01, py::arg("inplace") = false)
      .def("forward", [](LeakyReLU& a, const Tensor& x) { return a.forward(x); });
  Cls<ELU>(nm, "ELU", py::dynamic_attr())
      .def(py::init([](double al, bool) { return std::make_shared<ELU>(al); }),
           py::arg("alpha") = 1.0, py::arg("inplace") = false)
      .def("forward", [](ELU& a, const Tensor& x) { return a.forward(x); });
  Cls<GELU>(nm, "GELU", py::dynamic_attr())
      .def(py::init<std::string>(), py::arg("approximate") = "none")
      .def("forward", [](GELU& a, const Tensor& x) { return a.forward(x); });
  Cls<Softplus>(nm, "Softplus", py::dynamic_attr())
      .def(py::init<double, double>(), py::arg("beta") = 1.0, py::arg("threshold") = 20.0)
      .def("forward", [](Softplus& a, const Tensor& x) { return a.forward(x); });
  Cls<Softmax>(nm, "Softmax", py::dynamic_attr())
      .def(py::init<std::optional<int64_t>>(), py::arg("dim") = py::none())
      .def("forward", [](Softmax& a, const Tensor& x) { return a.forward(x); });
  Cls<LogSoftmax>(nm, "LogSoftmax", py::dynamic_attr())
      .def(py::init<std::optional<int64_t>>(), py::arg("dim") = py::none())
      .def("forward", [](LogSoftmax& a, const Tensor& x) { return a.forward(x); });
  Cls<SiLU>(nm, "SiLU", py::dynamic_attr())
      .def(py::init([](bool) { return std::make_shared<SiLU>(); }), py::arg("inplace") = false)
      .def("forward", [](SiLU& a, const Tensor& x) { return a.forward(x); });
  Cls<Sigmoid>(nm, "Sigmoid", py::dynamic_attr())
      .def(py::init<>())
      .def("forward", [](Sigmoid& a, const Tensor& x) { return a.forward(x); });
  Cls<Tanh>(nm, "Tanh", py::dynamic_attr())
      .def(py::init<>())
      .def("forward", [](Tanh& a, const Tensor& x) { return a.forward(x); });

  // Losses: forward(input, target).
  py::class_<Loss, Module, std::shared_ptr<Loss>>(nm, "_Loss", py::dynamic_attr())
      .def("forward", [](Loss& l, const Tensor& input, const Tensor& target) {
        return l.compute(input, target);
      })
      .def_readwrite("reduction", &Loss::reduction);
  py::class_<MSELoss, Loss, std::shared_ptr<MSELoss>>(nm, "MSELoss", py::dynamic_attr())
      .def(py::init([](py::object, py::object, std::string r) { return std::make_shared<MSELoss>(r); }),
           py::arg("size_average") = py::none(), py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  py::class_<L1Loss, Loss, std::shared_ptr<L1Loss>>(nm, "L1Loss", py::dynamic_attr())
      .def(py::init([](py::object, py::object, std::string r) { return std::make_shared<L1Loss>(r); }),
           py::arg("size_average") = py::none(), py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  py::class_<SmoothL1Loss, Loss, std::shared_ptr<SmoothL1Loss>>(nm, "SmoothL1Loss", py::dynamic_attr())
      .def(py::init([](py::object, py::object, std::string r, double beta) {
        return std::make_shared<SmoothL1Loss>(r, beta);
      }), py::arg("size_average") = py::none(), py::arg("reduce") = py::none(),
         py::arg("reduction") = "mean", py::arg("beta") = 1.0);
  py::class_<HuberLoss, Loss, std::shared_ptr<HuberLoss>>(nm, "HuberLoss", py::dynamic_attr())
      .def(py::init<std::string, double>(), py::arg("reduction") = "mean", py::arg("delta") = 1.0);
  py::class_<CrossEntropyLoss, Loss, std::shared_ptr<CrossEntropyLoss>>(nm, "CrossEntropyLoss", py::dynamic_attr())
      .def(py::init([](py::object w, py::object, int64_t ignore, py::object, std::string r, double ls) {
        return std::make_shared<CrossEntropyLoss>(opt_tensor(w), ignore, r, ls);
      }), py::arg("weight") = py::none(), py::arg("size_average") = py::none(),
         py::arg("ignore_index") = -100, py::arg("reduce") = py::none(),
         py::arg("reduction") = "mean", py::arg("label_smoothing") = 0.0);
  py::class_<NLLLoss, Loss, std::shared_ptr<NLLLoss>>(nm, "NLLLoss", py::dynamic_attr())
      .def(py::init([](py::object w, py::object, int64_t ignore, py::object, std::string r) {
        return std::make_shared<NLLLoss>(opt_tensor(w), ignore, r);
      }), py::arg("weight") = py::none(), py::arg("size_average") = py::none(),
         py::arg("ignore_index") = -100, py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  py::class_<BCELoss, Loss, std::shared_ptr<BCELoss>>(nm, "BCELoss", py::dynamic_attr())
      .def(py::init([](py::object w, py::object, py::object, std::string r) {
        return std::make_shared<BCELoss>(opt_tensor(w), r);
      }), py::arg("weight") = py::none(), py::arg("size_average") = py::none(),
         py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  py::class_<BCEWithLogitsLoss, Loss, std::shared_ptr<BCEWithLogitsLoss>>(nm, "BCEWithLogitsLoss", py::dynamic_attr())
      .def(py::init([](py::object w, py::object, py::object, std::string r, py::object pw) {
        return std::make_shared<BCEWithLogitsLoss>(opt_tensor(w), r, opt_tensor(pw));
      }), py::arg("weight") = py::none(), py::arg("size_average") = py::none(),
         py::arg("reduce") = py::none(), py::arg("reduction") = "mean", py::arg("pos_weight") = py::none());
  py::class_<KLDivLoss, Loss, std::shared_ptr<KLDivLoss>>(nm, "KLDivLoss", py::dynamic_attr())
      .def(py::init([](py::object, py::object, std::string r, bool lt) {
        return std::make_shared<KLDivLoss>(r, lt);
      }), py::arg("size_average") = py::none(), py::arg("reduce") = py::none(),
         py::arg("reduction") = "mean", py::arg("log_target") = false);

  // Functional forms.
  py::module_ F = nm.def_submodule("functional");
  F.def("linear", &linear, py::arg("input"), py::arg("weight"), py::arg_v("bias", Tensor(), "None"));
  F.def("linear", [](const Tensor& x, const Tensor& w, py::none) { return linear(x, w); });
  F.def("bilinear", [](const Tensor& a, const Tensor& b, const Tensor& w, py::object bias) {
    return bilinear(a, b, w, opt_tensor(bias));
  }, py::arg("input1"), py::arg("input2"), py::arg("weight"), py::arg("bias") = py::none());
  F.def("mse_loss", [](const Tensor& i, const Tensor& t, py::object, py::object, std::string r) {
    return mse_loss(i, t, r);
  }, py::arg("input"), py::arg("target"), py::arg("size_average") = py::none(),
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  F.def("l1_loss", [](const Tensor& i, const Tensor& t, py::object, py::object, std::string r) {
    return l1_loss(i, t, r);
  }, py::arg("input"), py::arg("target"), py::arg("size_average") = py::none(),
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  F.def("smooth_l1_loss", [](const Tensor& i, const Tensor& t, py::object, py::object, std::string r, double beta) {
    return smooth_l1_loss(i, t, r, beta);
  }, py::arg("input"), py::arg("target"), py::arg("size_average") = py::none(),
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean", py::arg("beta") = 1.0);
  F.def("huber_loss", [](const Tensor& i, const Tensor& t, std::string r, double d) {
    return huber_loss(i, t, r, d);
  }, py::arg("input"), py::arg("target"), py::arg("reduction") = "mean", py::arg("delta") = 1.0);
  F.def("cross_entropy", [](const Tensor& i, const Tensor& t, py::object w, py::object, int64_t ignore,
                            py::object, std::string r, double ls) {
    return cross_entropy(i, t, opt_tensor(w), ignore, r, ls);
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
     py::arg("size_average") = py::none(), py::arg("ignore_index") = -100,
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean", py::arg("label_smoothing") = 0.0);
  F.def("nll_loss", [](const Tensor& i, const Tensor& t, py::object w, py::object, int64_t ignore,
                       py::object, std::string r) {
    return nll_loss(i, t, opt_tensor(w), ignore, r);
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
     py::arg("size_average") = py::none(), py::arg("ignore_index") = -100,
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  F.def("binary_cross_entropy", [](const Tensor& i, const Tensor& t, py::object w, py::object, py::object, std::string r) {
    return binary_cross_entropy(i, t, opt_tensor(w), r);
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
     py::arg("size_average") = py::none(), py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  F.def("binary_cross_entropy_with_logits", [](const Tensor& i, const Tensor& t, py::object w,
                                               py::object, py::object, std::string r, py::object pw) {
    return binary_cross_entropy_with_logits(i, t, opt_tensor(w), r, opt_tensor(pw));
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
     py::arg("size_average") = py::none(), py::arg("reduce") = py::none(),
     py::arg("reduction") = "mean", py::arg("pos_weight") = py::none());
  F.def("kl_div", [](const Tensor& i, const Tensor& t, py::object, py::object, std::string r, bool lt) {
    return kl_div(i, t, r, lt);
  }, py::arg("input"), py::arg("target"), py::arg("size_average") = py::none(),
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean", py::arg("log_target") = false);
}
EMBER_PY_BINDING(55, bind_layers);

}  // namespace
}  // namespace ember::python
