"""Runs Ember's benchmarks and prints one table per file, with ratios against PyTorch and
NumPy where they are installed.

    python bench/run.py                       # every bench/bench_*.py
    python bench/run.py matmul overhead       # only files whose name contains one of these
    python bench/run.py --quick               # fewer repeats (a smoke run)
    python bench/run.py --json results.json   # also write the raw numbers

Each bench_*.py defines CASES, a list of Case objects. A Case names the work and gives, per
implementation ("ember", "numpy", "torch", or a baseline), a setup function returning the
zero-argument callable to time; setup is not timed (see bench/common.py). A missing peer
library or a missing Ember op is reported as such in its cell; it never stops the run.
"""

import argparse
import dataclasses
import glob
import importlib.util
import json
import os
import statistics
import sys
import time
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from common import Unavailable  # noqa: E402

PEERS = ("numpy", "torch")  # the libraries Ember is compared with, when installed


@dataclasses.dataclass
class Result:
    impl: str
    seconds_min: float = float("nan")
    seconds_median: float = float("nan")
    calls: int = 0
    error: str = ""


def measure(fn, repeat, min_time):
    """timeit-style: picks a call count whose batch runs >= min_time, then times `repeat`
    batches. Returns (min, median) seconds per call and the call count."""
    fn()  # warm-up (first-call costs: allocation, thread pool start, lazy init)
    number = 1
    while True:
        t = timeit.timeit(fn, number=number)
        if t >= min_time or number >= 1 << 24:
            break
        number *= 10 if t < min_time / 10 else 2
    times = [timeit.timeit(fn, number=number) / number for _ in range(repeat)]
    return min(times), statistics.median(times), number


def run_case(case, repeat, min_time):
    results = {}
    for impl, setup in case.impls.items():
        r = Result(impl)
        try:
            fn = setup()
            r.seconds_min, r.seconds_median, r.calls = measure(fn, repeat, min_time)
        except Unavailable as e:
            r.error = str(e)
        except (AttributeError, NotImplementedError, TypeError) as e:
            # Typically an op Ember does not have yet: say which, keep going.
            r.error = f"not available: {type(e).__name__}: {_first_line(e)}"
        except Exception as e:  # noqa: BLE001 - a benchmark must never kill the run
            r.error = f"failed: {type(e).__name__}: {_first_line(e)}"
        results[impl] = r
    return results


def _first_line(e):
    s = str(e).strip().splitlines()
    return (s[0] if s else "")[:100]


def fmt_time(s):
    if s != s:  # nan
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if s >= scale:
            return f"{s / scale:7.2f} {unit}"
    return f"{s / 1e-9:7.2f} ns"


def print_table(title, cases_results):
    print(f"\n## {title}\n")
    impls = []
    for _, res in cases_results:
        for k in res:
            if k not in impls:
                impls.append(k)
    # Ratio columns: the peers first, then any baseline a file adds.
    peers = [p for p in PEERS if p in impls]
    peers += [i for i in impls if i not in PEERS and i != "ember"]
    header = ["case"] + [f"{i} (min/median)" for i in impls]
    header += [f"ember/{p}" for p in peers]
    rows = []
    notes = []
    for case, res in cases_results:
        row = [case.name]
        for i in impls:
            r = res.get(i)
            if r is None:
                row.append("")
            elif r.error:
                row.append("n/a")
                notes.append(f"{case.name} / {i}: {r.error}")
            else:
                cell = f"{fmt_time(r.seconds_min)} / {fmt_time(r.seconds_median)}"
                if case.flops:
                    cell += f"  {case.flops / r.seconds_min / 1e9:6.1f} GFLOP/s"
                elif case.nbytes:
                    cell += f"  {case.nbytes / r.seconds_min / 1e9:6.1f} GB/s"
                row.append(cell)
        e = res.get("ember")
        for p in peers:
            q = res.get(p)
            if e and q and not e.error and not q.error:
                row.append(f"{e.seconds_min / q.seconds_min:5.2f}x")
            else:
                row.append("-")
        rows.append(row)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    if peers:
        print("\nember/peer = Ember's time / the peer's time (min over repeats): "
              "below 1.00x Ember is faster.")
    for n in notes:
        print(f"  note: {n}")


def load(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def environment():
    info = {"python": sys.version.split()[0], "cpus": os.cpu_count(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "default")}
    if hasattr(os, "getloadavg"):
        info["load_avg_1min"] = round(os.getloadavg()[0], 2)  # a busy machine skews timings
    for lib in ("ember", "numpy", "torch"):
        try:
            m = importlib.import_module(lib)
            info[lib] = getattr(m, "__version__", "?")
            if lib == "torch":
                if os.environ.get("OMP_NUM_THREADS"):
                    m.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
                info["torch_threads"] = m.get_num_threads()
        except ImportError:
            info[lib] = "not installed"
    return info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("only", nargs="*", help="run only bench files whose name contains one of these")
    ap.add_argument("--repeat", type=int, default=7, help="timed batches per case (default 7)")
    ap.add_argument("--min-time", type=float, default=0.2,
                    help="seconds each timed batch lasts at least (default 0.2)")
    ap.add_argument("--quick", action="store_true", help="repeat 3, min-time 0.02")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--threads", type=int, metavar="N",
                    help="threads for every library (OMP/OpenBLAS/torch); default: theirs")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeat, args.min_time = 3, 0.02

    os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
    if args.threads:
        # Before any library loads: OpenMP and OpenBLAS read these once, at start-up.
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    files = sorted(glob.glob(os.path.join(HERE, "bench_*.py")))
    if args.only:
        files = [f for f in files if any(o in os.path.basename(f) for o in args.only)]
    if not files:
        print("no benchmark files matched", file=sys.stderr)
        return 2

    env = environment()
    print("# Ember benchmarks")
    print("  " + ", ".join(f"{k} {v}" for k, v in env.items()))
    out = {"environment": env, "results": {}}
    t0 = time.perf_counter()
    for path in files:
        mod = load(path)
        title = (mod.__doc__ or mod.__name__).strip().splitlines()[0]
        cases_results = [(c, run_case(c, args.repeat, args.min_time)) for c in mod.CASES]
        print_table(title, cases_results)
        if hasattr(mod, "summary"):  # a file's own reading of its table
            mod.summary(cases_results)
        out["results"][mod.__name__] = {
            c.name: {i: dataclasses.asdict(r) for i, r in res.items()} for c, res in cases_results}
    print(f"\n(total {time.perf_counter() - t0:.1f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
