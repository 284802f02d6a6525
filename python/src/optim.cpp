// ember.optim: optimizers and lr schedulers (C++), wrapped by ember/optim/*.py for
// PyTorch's call signatures and param_groups dicts.
#include "nn/optim/clip_grad.h"
#include "nn/optim/lr_scheduler.h"
#include "nn/optim/optimizers.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using namespace ember::optim;

// [(params, {option: value}), ...] from Python.
std::vector<ParamGroup> groups_from(const std::vector<std::pair<std::vector<Tensor>, Options>>& in) {
  std::vector<ParamGroup> out;
  for (auto& [p, o] : in) out.push_back({p, o});
  return out;
}

using GroupsIn = std::vector<std::pair<std::vector<Tensor>, Options>>;

void bind_optim(py::module_& m) {
  py::module_ om = m.def_submodule("optim", "C++ optimizers");
  py::class_<Optimizer, std::shared_ptr<Optimizer>>(om, "Optimizer", py::dynamic_attr())
      .def("_step", &Optimizer::step)
      .def("zero_grad", &Optimizer::zero_grad, py::arg("set_to_none") = true)
      .def("_num_groups", &Optimizer::num_groups)
      .def("_params", &Optimizer::params)
      .def("_options", &Optimizer::options)
      .def("_defaults", &Optimizer::defaults)
      .def("_set_option", &Optimizer::set_option)
      .def("_add_param_group", [](Optimizer& o, std::vector<Tensor> params, Options opts) {
        o.add_param_group({std::move(params), std::move(opts)});
      })
      .def("_state_dict", [](Optimizer& o) {
        OptimizerState s = o.state_dict();
        return py::make_tuple(s.state, s.group_options, s.group_params);
      })
      .def("_load_state_dict", [](Optimizer& o, std::map<int64_t, std::map<std::string, Tensor>> state,
                                  std::vector<Options> opts, std::vector<std::vector<int64_t>> params) {
        o.load_state_dict(OptimizerState{std::move(state), std::move(opts), std::move(params)});
      })
      .def("_state_of", [](Optimizer& o, const Tensor& p) {
        return o.has_state(p) ? o.state_of(p) : std::map<std::string, Tensor>{};
      })
      .def_property_readonly("_name", &Optimizer::name);

  py::class_<SGD, Optimizer, std::shared_ptr<SGD>>(om, "SGD", py::dynamic_attr())
      .def(py::init([](const GroupsIn& g, double lr, double momentum, double dampening,
                       double wd, bool nesterov, bool maximize) {
        return std::make_shared<SGD>(groups_from(g), lr, momentum, dampening, wd, nesterov, maximize);
      }));
  py::class_<Adam, Optimizer, std::shared_ptr<Adam>>(om, "Adam", py::dynamic_attr())
      .def(py::init([](const GroupsIn& g, double lr, double b1, double b2, double eps, double wd,
                       bool amsgrad, bool maximize, bool decoupled) {
        return std::make_shared<Adam>(groups_from(g), lr, b1, b2, eps, wd, amsgrad, maximize, decoupled);
      }));
  py::class_<RMSprop, Optimizer, std::shared_ptr<RMSprop>>(om, "RMSprop", py::dynamic_attr())
      .def(py::init([](const GroupsIn& g, double lr, double alpha, double eps, double wd,
                       double momentum, bool centered, bool maximize) {
        return std::make_shared<RMSprop>(groups_from(g), lr, alpha, eps, wd, momentum, centered, maximize);
      }));
  py::class_<Adagrad, Optimizer, std::shared_ptr<Adagrad>>(om, "Adagrad", py::dynamic_attr())
      .def(py::init([](const GroupsIn& g, double lr, double lr_decay, double wd, double init_acc,
                       double eps, bool maximize) {
        return std::make_shared<Adagrad>(groups_from(g), lr, lr_decay, wd, init_acc, eps, maximize);
      }));

  // Schedulers keep a reference to their optimizer's Python object (keep_alive).
  py::class_<LRScheduler, std::shared_ptr<LRScheduler>>(om, "LRScheduler", py::dynamic_attr())
      .def("step", [](LRScheduler& s, py::object epoch) {
        if (!epoch.is_none()) s.set_last_epoch(epoch.cast<int64_t>() - 1);
        s.step();
      }, py::arg("epoch") = py::none())
      .def("get_last_lr", &LRScheduler::get_last_lr)
      .def_property("last_epoch", &LRScheduler::last_epoch, &LRScheduler::set_last_epoch)
      .def_property("base_lrs", &LRScheduler::base_lrs, &LRScheduler::set_base_lrs)
      .def("_set_last_lr", &LRScheduler::set_last_lr);
  py::class_<StepLR, LRScheduler, std::shared_ptr<StepLR>>(om, "StepLR")
      .def(py::init<Optimizer&, int64_t, double>(), py::keep_alive<1, 2>(), py::arg("optimizer"),
           py::arg("step_size"), py::arg("gamma") = 0.1);
  py::class_<MultiStepLR, LRScheduler, std::shared_ptr<MultiStepLR>>(om, "MultiStepLR")
      .def(py::init<Optimizer&, std::vector<int64_t>, double>(), py::keep_alive<1, 2>(),
           py::arg("optimizer"), py::arg("milestones"), py::arg("gamma") = 0.1);
  py::class_<ExponentialLR, LRScheduler, std::shared_ptr<ExponentialLR>>(om, "ExponentialLR")
      .def(py::init<Optimizer&, double>(), py::keep_alive<1, 2>(), py::arg("optimizer"), py::arg("gamma"));
  py::class_<CosineAnnealingLR, LRScheduler, std::shared_ptr<CosineAnnealingLR>>(om, "CosineAnnealingLR")
      .def(py::init<Optimizer&, int64_t, double>(), py::keep_alive<1, 2>(), py::arg("optimizer"),
           py::arg("T_max"), py::arg("eta_min") = 0.0);
  py::class_<LambdaLR, LRScheduler, std::shared_ptr<LambdaLR>>(om, "LambdaLR")
      .def(py::init([](Optimizer& o, py::function f) {
        return std::make_shared<LambdaLR>(o, [f](int64_t e) {
          py::gil_scoped_acquire gil;
          return f(e).cast<double>();
        });
      }), py::keep_alive<1, 2>(), py::arg("optimizer"), py::arg("lr_lambda"));
  py::class_<LinearLR, LRScheduler, std::shared_ptr<LinearLR>>(om, "LinearLR")
      .def(py::init<Optimizer&, double, double, int64_t>(), py::keep_alive<1, 2>(),
           py::arg("optimizer"), py::arg("start_factor") = 1.0 / 3, py::arg("end_factor") = 1.0,
           py::arg("total_iters") = 5);
  py::class_<OneCycleLR, LRScheduler, std::shared_ptr<OneCycleLR>>(om, "OneCycleLR")
      .def(py::init<Optimizer&, double, int64_t, double, std::string, double, double, bool>(),
           py::keep_alive<1, 2>(), py::arg("optimizer"), py::arg("max_lr"), py::arg("total_steps"),
           py::arg("pct_start") = 0.3, py::arg("anneal_strategy") = "cos",
           py::arg("div_factor") = 25.0, py::arg("final_div_factor") = 1e4,
           py::arg("three_phase") = false);
  py::class_<ReduceLROnPlateau, std::shared_ptr<ReduceLROnPlateau>>(om, "ReduceLROnPlateau")
      .def(py::init<Optimizer&, std::string, double, int64_t, double, std::string, int64_t, double, double>(),
           py::keep_alive<1, 2>(), py::arg("optimizer"), py::arg("mode") = "min",
           py::arg("factor") = 0.1, py::arg("patience") = 10, py::arg("threshold") = 1e-4,
           py::arg("threshold_mode") = "rel", py::arg("cooldown") = 0, py::arg("min_lr") = 0.0,
           py::arg("eps") = 1e-8)
      .def("step", [](ReduceLROnPlateau& s, py::handle metric) {
        s.step(py::isinstance<Tensor>(metric) ? metric.cast<Tensor>().item<double>() : metric.cast<double>());
      })
      .def("get_last_lr", &ReduceLROnPlateau::get_last_lr)
      .def_property_readonly("num_bad_epochs", &ReduceLROnPlateau::num_bad_epochs)
      .def("_state", [](const ReduceLROnPlateau& s) {
        auto st = s.state();
        return py::make_tuple(st.best ? py::cast(*st.best) : py::none(), st.num_bad_epochs,
                              st.cooldown_counter);
      })
      .def("_set_state", [](ReduceLROnPlateau& s, py::object best, int64_t bad, int64_t cool) {
        ReduceLROnPlateau::State st;
        if (!best.is_none()) st.best = best.cast<double>();
        st.num_bad_epochs = bad;
        st.cooldown_counter = cool;
        s.set_state(st);
      });

  om.def("clip_grad_norm_", [](std::vector<Tensor> params, double max_norm, double norm_type,
                               bool error_if_nonfinite) {
    return nn::utils::clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite);
  });
  om.def("clip_grad_value_", [](std::vector<Tensor> params, double v) {
    nn::utils::clip_grad_value_(params, v);
  });
}
EMBER_PY_BINDING(60, bind_optim);

}  // namespace
}  // namespace ember::python
