#include "nn/init.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

void bind_init(py::module_& m) {
  py::module_ im = py::module_(m.attr("nn")).def_submodule("init");
  namespace I = ember::nn::init;
  im.def("calculate_gain", [](const std::string& nl, py::object p) {
    return I::calculate_gain(nl, p.is_none() ? 0.01 : p.cast<double>());
  }, py::arg("nonlinearity"), py::arg("param") = py::none());
  im.def("uniform_", [](const Tensor& t, double a, double b) { return I::uniform_(t, a, b); },
         py::arg("tensor"), py::arg("a") = 0.0, py::arg("b") = 1.0);
  im.def("normal_", [](const Tensor& t, double m, double s) { return I::normal_(t, m, s); },
         py::arg("tensor"), py::arg("mean") = 0.0, py::arg("std") = 1.0);
  im.def("constant_", [](const Tensor& t, double v) { return I::constant_(t, v); },
         py::arg("tensor"), py::arg("val"));
  im.def("zeros_", [](const Tensor& t) { return I::zeros_(t); });
  im.def("ones_", [](const Tensor& t) { return I::ones_(t); });
  im.def("xavier_uniform_", [](const Tensor& t, double g) { return I::xavier_uniform_(t, g); },
         py::arg("tensor"), py::arg("gain") = 1.0);
  im.def("xavier_normal_", [](const Tensor& t, double g) { return I::xavier_normal_(t, g); },
         py::arg("tensor"), py::arg("gain") = 1.0);
  im.def("kaiming_uniform_", [](const Tensor& t, double a, const std::string& mode, const std::string& nl) {
    return I::kaiming_uniform_(t, a, mode, nl);
  }, py::arg("tensor"), py::arg("a") = 0.0, py::arg("mode") = "fan_in",
     py::arg("nonlinearity") = "leaky_relu");
  im.def("kaiming_normal_", [](const Tensor& t, double a, const std::string& mode, const std::string& nl) {
    return I::kaiming_normal_(t, a, mode, nl);
  }, py::arg("tensor"), py::arg("a") = 0.0, py::arg("mode") = "fan_in",
     py::arg("nonlinearity") = "leaky_relu");
  im.def("orthogonal_", [](const Tensor& t, double g) { return I::orthogonal_(t, g); },
         py::arg("tensor"), py::arg("gain") = 1.0);
}
EMBER_PY_BINDING(56, bind_init);

}  // namespace
}  // namespace ember::python
