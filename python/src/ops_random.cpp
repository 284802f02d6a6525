// Random state (manual_seed, seed, initial_seed, get/set_rng_state, Generator) and random
// tensors (rand, randn, randint, normal, bernoulli, multinomial, randperm, *_like) with the
// in-place initializers as Tensor methods (uniform_, normal_, ...).
#include <memory>

#include "python/src/factory_args.h"

namespace ember::python {
namespace {

// Seeds as PyTorch takes them: any int in [-2^63, 2^64); negatives wrap to uint64.
uint64_t seed_arg(py::handle h, std::string_view op) {
  if (!PyLong_Check(h.ptr()) && !PyIndex_Check(h.ptr())) {
    raise<TypeError>("[{}] expected an int seed, got {}", op,
                     py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
  }
  py::int_ v = py::reinterpret_borrow<py::object>(h);
  int overflow = 0;
  long long s = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
  if (overflow == 0) return static_cast<uint64_t>(s);
  unsigned long long u = PyLong_AsUnsignedLongLong(v.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    raise<ValueError>("[{}] seed must be in [-2**63, 2**64), got {}", op,
                      py::str(h).cast<std::string>());
  }
  return static_cast<uint64_t>(u);
}

Generator* gen_arg(py::handle h) {
  if (h.is_none()) return nullptr;
  if (!py::isinstance<Generator>(h)) {
    raise<TypeError>("[generator] expected an ember.Generator, got {}",
                     py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
  }
  return h.cast<Generator*>();
}

void bind_random_state(py::module_& m) {
  py::class_<Generator, std::shared_ptr<Generator>>(
      m, "Generator",
      "A Philox random stream (seed, offset); pass it as generator= to random functions.")
      .def(py::init([](py::handle device) {
             if (!device_arg(device).is_cpu()) {
               raise<NotImplementedError>("[Generator] device {} needs the CUDA backend",
                                          device_arg(device).str());
             }
             return std::make_shared<Generator>();
           }),
           py::arg("device") = "cpu")
      .def(
          "manual_seed",
          [](std::shared_ptr<Generator> g, py::handle s) {
            g->manual_seed(seed_arg(s, "manual_seed"));
            return g;
          },
          py::arg("seed"))
      .def("seed", [](Generator& g) { return g.seed(); })
      .def("initial_seed", [](const Generator& g) { return g.initial_seed(); })
      .def("get_state", [](const Generator& g) { return generator_state(g); })
      .def(
          "set_state",
          [](std::shared_ptr<Generator> g, const Tensor& s) {
            set_generator_state(*g, s);
            return g;
          },
          py::arg("new_state"))
      .def_property_readonly("device", [](const Generator&) { return kCPU; })
      .def("__repr__", [](const Generator& g) {
        return fmt::format("<ember.Generator seed={} offset={}>", g.initial_seed(), g.offset());
      });

  m.def(
      "manual_seed", [](py::handle s) { manual_seed(seed_arg(s, "manual_seed")); }, py::arg("seed"),
      "Seeds the calling thread's default generator (random state is thread-local).");
  m.def(
      "seed", []() { return seed(); },
      "Seeds the calling thread's generator non-deterministically and returns the seed.");
  m.def("initial_seed", []() { return initial_seed(); });
  m.def(
      "get_rng_state", []() { return get_rng_state(); },
      "The calling thread's generator state as a uint8 tensor.");
  m.def(
      "set_rng_state", [](const Tensor& s) { set_rng_state(s); }, py::arg("new_state"));
}
EMBER_PY_BINDING(25, bind_random_state);

void bind_random(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  const auto kw_gen = py::arg("generator") = py::none();
  const auto kw_dtype = py::arg("dtype") = py::none();
  const auto kw_device = py::arg("device") = py::none();
  const auto kw_grad = py::arg("requires_grad") = false;
  const auto kw_size = py::arg("size") = py::none();

  m.def(
      "rand",
      [](const py::args& a, py::handle g, py::handle dtype, py::handle device, bool rg,
         py::handle size) {
        return with_grad(
            rand(size_arg(a, size, "rand"), opt_dtype(dtype), device_arg(device), gen_arg(g)), rg);
      },
      kw_gen, kw_dtype, kw_device, kw_grad, kw_size, "Uniform samples on [0, 1).");
  m.def(
      "randn",
      [](const py::args& a, py::handle g, py::handle dtype, py::handle device, bool rg,
         py::handle size) {
        return with_grad(
            randn(size_arg(a, size, "randn"), opt_dtype(dtype), device_arg(device), gen_arg(g)),
            rg);
      },
      kw_gen, kw_dtype, kw_device, kw_grad, kw_size, "Standard normal samples.");
  // randint(high, size) or randint(low, high, size).
  m.def(
      "randint",
      [](const py::args& a, py::handle low, py::handle high, py::handle size, py::handle g,
         py::handle dtype, py::handle device, bool rg) {
        std::vector<py::handle> pos(a.begin(), a.end());
        if (!size.is_none()) pos.push_back(size);
        int64_t lo = 0, hi = 0;
        py::handle shape;
        if (!high.is_none()) {  // keywords: randint(low=..., high=..., size=...)
          if (pos.size() > 2) raise<TypeError>("[randint] too many positional arguments");
          if (!low.is_none()) lo = py::cast<int64_t>(low);
          if (pos.size() == 2) lo = py::cast<int64_t>(pos[0]);
          hi = py::cast<int64_t>(high);
          if (pos.empty()) raise<TypeError>("[randint] missing the size");
          shape = pos.back();
        } else if (pos.size() == 2 && low.is_none()) {
          hi = scalar_arg(pos[0], "randint", "high").to_int();
          shape = pos[1];
        } else if (pos.size() == 3 || (pos.size() == 2 && !low.is_none())) {
          lo = low.is_none() ? scalar_arg(pos[0], "randint", "low").to_int()
                             : py::cast<int64_t>(low);
          hi = scalar_arg(pos[pos.size() - 2], "randint", "high").to_int();
          shape = pos.back();
        } else {
          raise<TypeError>("[randint] expected randint(high, size) or randint(low, high, size)");
        }
        return with_grad(randint(lo, hi, int_list(shape, "randint"), opt_dtype(dtype),
                                 device_arg(device), gen_arg(g)),
                         rg);
      },
      py::arg("low") = py::none(), py::arg("high") = py::none(), kw_size, kw_gen, kw_dtype,
      kw_device, kw_grad, "Integers uniform on [low, high) (int64 unless dtype says otherwise).");
  // Uniform on [low, high) for ember.random.uniform (private: PyTorch has no such function).
  m.def(
      "_uniform",
      [](py::handle size, double low, double high, py::handle dtype, py::handle device,
         py::handle g) {
        return uniform(int_list(size, "uniform"), low, high, opt_dtype(dtype), device_arg(device),
                       gen_arg(g));
      },
      py::arg("size"), py::arg("low"), py::arg("high"), py::kw_only(), kw_dtype, kw_device, kw_gen);
  // In-place truncated normal for nn.init.trunc_normal_ and ember.random.truncated_normal.
  m.def(
      "_trunc_normal_",
      [](const Tensor& t, double mean, double std, double a, double b, py::handle g) {
        return trunc_normal_(t, mean, std, a, b, gen_arg(g));
      },
      py::arg("tensor"), py::arg("mean") = 0.0, py::arg("std") = 1.0, py::arg("a") = -2.0,
      py::arg("b") = 2.0, py::kw_only(), kw_gen);
  m.def(
      "rand_like",
      [](const Tensor& t, py::handle dtype, py::handle g, bool rg) {
        return with_grad(rand_like(t, opt_dtype(dtype), gen_arg(g)), rg);
      },
      py::arg("input"), py::kw_only(), kw_dtype, kw_gen, kw_grad);
  m.def(
      "randn_like",
      [](const Tensor& t, py::handle dtype, py::handle g, bool rg) {
        return with_grad(randn_like(t, opt_dtype(dtype), gen_arg(g)), rg);
      },
      py::arg("input"), py::kw_only(), kw_dtype, kw_gen, kw_grad);
  m.def(
      "randint_like",
      [](const Tensor& t, int64_t a, std::optional<int64_t> b, py::handle dtype, py::handle g,
         bool rg) {
        const int64_t lo = b ? a : 0, hi = b ? *b : a;  // randint_like(t, high) or (t, low, high)
        return with_grad(randint_like(t, lo, hi, opt_dtype(dtype), gen_arg(g)), rg);
      },
      py::arg("input"), py::arg("low"), py::arg("high") = py::none(), py::kw_only(), kw_dtype,
      kw_gen, kw_grad);

  // normal(mean, std, size) with numbers; normal(mean, std) with tensors (differentiable).
  m.def(
      "normal",
      [](py::handle mean, py::handle std, py::handle size, py::handle g, py::handle dtype,
         py::handle device, bool rg) {
        const bool tm = py::isinstance<Tensor>(mean), ts = py::isinstance<Tensor>(std);
        Generator* gen = gen_arg(g);
        if (!tm && !ts) {
          if (size.is_none())
            raise<TypeError>("[normal] with number mean and std, size= is required");
          return with_grad(
              normal(scalar_arg(mean, "normal", "mean").to_double(),
                     scalar_arg(std, "normal", "std").to_double(), int_list(size, "normal"),
                     opt_dtype(dtype), device_arg(device), gen),
              rg);
        }
        if (!size.is_none())
          raise<TypeError>("[normal] size= is only allowed with number mean and std");
        Tensor r =
            tm && ts ? normal(mean.cast<Tensor>(), std.cast<Tensor>(), gen)
            : tm ? normal(mean.cast<Tensor>(), scalar_arg(std, "normal", "std").to_double(), gen)
                 : normal(scalar_arg(mean, "normal", "mean").to_double(), std.cast<Tensor>(), gen);
        return with_grad(r, rg);
      },
      py::arg("mean"), py::arg("std") = 1.0, py::arg("size") = py::none(), py::kw_only(), kw_gen,
      kw_dtype, kw_device, kw_grad);
  m.def(
      "bernoulli",
      [](const Tensor& t, py::handle p, py::handle g) {
        if (p.is_none()) return bernoulli(t, gen_arg(g));
        return bernoulli(t, scalar_arg(p, "bernoulli", "p").to_double(), gen_arg(g));
      },
      py::arg("input"), py::arg("p") = py::none(), py::kw_only(), kw_gen,
      "Samples 1 with probability input (or p) elementwise, in input's dtype.");
  m.def(
      "multinomial",
      [](const Tensor& t, int64_t k, bool repl, py::handle g) {
        return multinomial(t, k, repl, gen_arg(g));
      },
      py::arg("input"), py::arg("num_samples"), py::arg("replacement") = false, py::kw_only(),
      kw_gen);
  m.def(
      "randperm",
      [](int64_t n, py::handle g, py::handle dtype, py::handle device, bool rg) {
        return with_grad(
            randperm(n, opt_dtype(dtype).value_or(DType::Int64), device_arg(device), gen_arg(g)),
            rg);
      },
      py::arg("n"), py::kw_only(), kw_gen, kw_dtype, kw_device, kw_grad);

  T.def(
       "uniform_",
       [](const Tensor& t, double a, double b, py::handle g) {
         return uniform_(t, a, b, gen_arg(g));
       },
       py::arg("from") = 0.0, py::arg("to") = 1.0, py::kw_only(), kw_gen)
      .def(
          "normal_",
          [](const Tensor& t, double mean, double std, py::handle g) {
            return normal_(t, mean, std, gen_arg(g));
          },
          py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(), kw_gen)
      .def(
          "exponential_",
          [](const Tensor& t, double lambd, py::handle g) {
            return exponential_(t, lambd, gen_arg(g));
          },
          py::arg("lambd") = 1.0, py::kw_only(), kw_gen)
      .def(
          "bernoulli_",
          [](const Tensor& t, py::handle p, py::handle g) {
            if (py::isinstance<Tensor>(p)) return bernoulli_(t, p.cast<Tensor>(), gen_arg(g));
            return bernoulli_(t, scalar_arg(p, "bernoulli_", "p").to_double(), gen_arg(g));
          },
          py::arg("p") = 0.5, py::kw_only(), kw_gen)
      .def(
          "random_",
          [](const Tensor& t, std::optional<int64_t> a, std::optional<int64_t> b, py::handle g) {
            // random_(), random_(to), random_(from, to)
            if (!a) return random_(t, 0, std::nullopt, gen_arg(g));
            if (!b) return random_(t, 0, *a, gen_arg(g));
            return random_(t, *a, *b, gen_arg(g));
          },
          py::arg("from") = py::none(), py::arg("to") = py::none(), py::kw_only(), kw_gen)
      .def(
          "bernoulli",
          [](const Tensor& t, py::handle p, py::handle g) {
            if (p.is_none()) return bernoulli(t, gen_arg(g));
            return bernoulli(t, scalar_arg(p, "bernoulli", "p").to_double(), gen_arg(g));
          },
          py::arg("p") = py::none(), py::kw_only(), kw_gen)
      .def(
          "multinomial",
          [](const Tensor& t, int64_t k, bool repl, py::handle g) {
            return multinomial(t, k, repl, gen_arg(g));
          },
          py::arg("num_samples"), py::arg("replacement") = false, py::kw_only(), kw_gen);
}
EMBER_PY_BINDING(31, bind_random);

}  // namespace
}  // namespace ember::python
