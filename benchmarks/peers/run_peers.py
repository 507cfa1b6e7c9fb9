#!/usr/bin/python3
"""Run KerasNotes and its PyTorch twins alternately; write results.md, results.json and scaling.png
(with --quick: results-quick.md, results-quick.json, scaling-quick.png).

    /usr/bin/python3 benchmarks/peers/run_peers.py            # full: 3 runs per side per workload
    /usr/bin/python3 benchmarks/peers/run_peers.py --quick    # smoke test: 1 run, 1 epoch

Ours:    dotnet benchmarks/KerasNotes.Benchmarks/bin/Release/net10.0/KerasNotes.Benchmarks.dll peer W1 --epochs 5 --hidden 256
PyTorch: /usr/bin/python3 benchmarks/peers/torch_workloads.py W1 --epochs 5 --hidden 256
Both print one JSON object on stdout (fields: README.md). A side that fails is shown as n/a.
"""
import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUR_PROJECT = "benchmarks/KerasNotes.Benchmarks"
OUR_DLL = os.path.join(REPO, OUR_PROJECT, "bin/Release/net10.0/KerasNotes.Benchmarks.dll")
TORCH_SCRIPT = os.path.join(HERE, "torch_workloads.py")
OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
LOG_DIR = os.path.join(HERE, "logs")
TIMEOUT_S = 1800
WIDTHS = [128, 256, 512, 1024, 2048]
W5_FILTERS = [16, 32, 64]
W5_ROWS = 12_800  # 100 steps of 128: enough to time, short enough for a slow PyTorch build
SUFFIX = ""  # "-quick" for --quick, so a smoke test never overwrites the real results


def out_path(name):
    stem, ext = os.path.splitext(name)
    return os.path.join(HERE, stem + SUFFIX + ext)

# Fields each side must print; anything else in the JSON is kept in results.json but not compared.
REQUIRED = {
    "W1": ["workload", "threads", "epoch_seconds", "eval_seconds", "test_accuracy", "peak_rss_mib"],
    "W2": ["workload", "threads", "epoch_seconds", "median_epoch_seconds", "val_loss"],
    "W3": ["workload", "threads", "results"],
    "W4": ["workload", "threads", "throughput_samples_per_s", "latency_p50_ms", "latency_p99_ms"],
    "W5": ["workload", "threads", "epoch_seconds", "eval_seconds", "test_accuracy", "peak_rss_mib"],
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def torch_env():
    """OpenMP OpenBLAS first on the library path; no forced core type, so it picks AVX-512 kernels."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env["LD_LIBRARY_PATH"] = ":".join([OPENBLAS_DIR] + [p for p in env.get("LD_LIBRARY_PATH", "").split(":") if p])
    return env


def cpu_jiffies():
    """(busy, total) jiffies of the whole VM from /proc/stat; busy includes host steal."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    total = sum(v[:8])
    return total - v[3] - v[4], total  # minus idle and iowait


def children_jiffies():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (ru.ru_utime + ru.ru_stime) * os.sysconf("SC_CLK_TCK")


def wait_idle(max_wait):
    """Other work on the 2 cores (a build, tests) distorts timings badly, because the OpenMP
    workers spin-wait for each other. Wait (bounded) until the VM is <10% busy over 3 s."""
    deadline = time.time() + max_wait
    while True:
        b0, t0 = cpu_jiffies()
        time.sleep(3)
        b1, t1 = cpu_jiffies()
        busy = (b1 - b0) / max(1, t1 - t0)
        if busy < 0.10 or time.time() > deadline:
            if busy >= 0.10:
                log(f"  (machine still {busy:.0%} busy after {max_wait}s; running anyway)")
            return


class Runner:
    def __init__(self, built, idle_wait):
        self.built = built
        self.idle_wait = idle_wait
        self.failed = set()   # workloads our side already failed: do not retry them
        self.raw = []         # every run, for results.json
        os.makedirs(LOG_DIR, exist_ok=True)

    def run(self, side, args, retry=True):
        """Run one side once; return its parsed JSON, or None on any failure.
        A run that shared the cores with other work (>10% of the machine) is redone once."""
        w = args[0]
        if side == "ours":
            if not self.built or w in self.failed:
                return None
            cmd, env = ["dotnet", OUR_DLL, "peer"] + args, dict(os.environ)
        else:
            cmd, env = ["/usr/bin/python3", TORCH_SCRIPT] + args, torch_env()
        if self.idle_wait:
            wait_idle(self.idle_wait)
        log(f"[{side}] {' '.join(args)}")
        b0, t0 = cpu_jiffies()
        c0 = children_jiffies()
        start = time.perf_counter()
        try:
            p = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
            out, err, rc = p.stdout, p.stderr, p.returncode
        except (OSError, subprocess.TimeoutExpired) as e:
            out, err, rc = "", f"{type(e).__name__}: {e}", -1
        wall = time.perf_counter() - start
        b1, t1 = cpu_jiffies()
        # CPU used by anything but the benchmark itself, as a fraction of both cores.
        other = max(0.0, (b1 - b0 - (children_jiffies() - c0)) / max(1, t1 - t0))
        with open(os.path.join(LOG_DIR, f"{side}-{'_'.join(a.lstrip('-') for a in args)}.log"), "a") as f:
            f.write(f"$ {' '.join(cmd)}\n# rc={rc} wall={wall:.1f}s other_load={other:.1%}\n{err}\n--- stdout\n{out}\n")
        result = None
        lines = [l for l in out.splitlines() if l.strip().startswith("{")]
        if rc == 0 and lines:
            try:
                result = json.loads(lines[-1])
            except json.JSONDecodeError:
                pass
        missing = [k for k in REQUIRED[w] if result is not None and k not in result]
        if result is None or missing:
            log(f"  -> FAILED (rc={rc}{', missing ' + str(missing) if missing else ''}); "
                f"{err.strip().splitlines()[-1] if err.strip() else 'no stderr'}")
            if side == "ours":
                self.failed.add(w)
            result = None
        else:
            log(f"  -> ok in {wall:.1f}s (other CPU load {other:.1%})")
        self.raw.append({"side": side, "args": args, "rc": rc, "wall_s": wall, "other_load": other, "result": result})
        if result is not None and other > 0.10 and retry:
            log("  -> contended run, redoing it once")
            entry = self.raw[-1]
            again = self.run(side, args, retry=False)
            if again is not None:
                entry["replaced"] = True  # kept for the record, left out of the load summary
                return again
        return result
        return result

    def alternate(self, args, runs):
        """Run both sides `runs` times, alternating which goes first, so drift hits both equally."""
        ours, torch = [], []
        for i in range(runs):
            order = ("ours", "torch") if i % 2 == 0 else ("torch", "ours")
            for side in order:
                r = self.run(side, args)
                if r is not None:
                    (ours if side == "ours" else torch).append(r)
        return ours, torch


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def w3_gflops(result, shape):
    """Best backend for a shape in one run (torch side: max of numpy and torch.mm, both OpenBLAS)."""
    vals = [r["gflops"] for r in result["results"] if r["shape"] == shape]
    return max(vals) if vals else None


def row(measure, ours, torch, unit, better=None, target=None):
    return {"measure": measure, "ours": ours, "torch": torch, "unit": unit, "better": better, "target": target}


def warmup_rows(name, o, t):
    """What a fresh process pays before it runs at full speed (issue #11): the first epoch, the steady epoch
    (median of the epochs after the first half of the run) and their quotient, each side on its own."""
    if not o and not t:
        return []
    first = lambda rs: med([x["epoch_seconds"][0] for x in rs])
    steady = lambda rs: med([statistics.median(x["epoch_seconds"][max(1, len(x["epoch_seconds"]) // 2):])
                             for x in rs if len(x["epoch_seconds"]) > 1])
    quotient = lambda rs: med([x["epoch_seconds"][0] / statistics.median(x["epoch_seconds"][max(1, len(x["epoch_seconds"]) // 2):])
                               for x in rs if len(x["epoch_seconds"]) > 1])
    return [row(f"{name} first epoch (fresh process)", first(o), first(t), "s"),
            row(f"{name} steady epoch (median of the second half)", steady(o), steady(t), "s"),
            row(f"{name} first epoch ÷ steady epoch (target ≤ 2 for ours)", quotient(o), quotient(t), "×")]


def collect(r, args):
    rows = []
    w1 = ["W1", "--epochs", "1" if args.quick else "5", "--hidden", "256"]
    w2 = ["W2", "--epochs", "1" if args.quick else "20"]

    if "W1" in args.workloads:
        o, t = r.alternate(w1, args.runs)
        # s/epoch: median over epochs within a run (robust to the first, warm-up epoch), then over runs.
        f = lambda rs: med([statistics.median(x["epoch_seconds"]) for x in rs])
        rows.append(row("W1 train s/epoch (Fashion-MNIST MLP, batch 128, 2 threads)", f(o), f(t), "s", "lower", 0.5))
        rows += warmup_rows("W1", o, t)
        f = lambda rs: med([statistics.median(x["eval_seconds"]) for x in rs])
        rows.append(row("W1 eval s/epoch (10k test set)", f(o), f(t), "s"))
        f = lambda rs: med([x["peak_rss_mib"] for x in rs])
        rows.append(row("W1 peak RSS", f(o), f(t), "MiB", "lower", 0.5))
        f = lambda rs: med([x["test_accuracy"] for x in rs])
        rows.append(row("W1 final test accuracy", f(o), f(t), ""))

    if "W2" in args.workloads:
        best = {}
        for th in (1, 2):
            o, t = r.alternate(w2 + ["--threads", str(th)], args.runs)
            f = lambda rs: med([x["median_epoch_seconds"] for x in rs])
            best[th] = (f(o), f(t))
            rows.append(row(f"W2 train s/epoch, {th} thread{'s' * (th > 1)}", f(o), f(t), "s"))
            if th == 1:
                f = lambda rs: med([x["val_loss"] for x in rs])
                rows.append(row("W2 final val MSE, 1 thread", f(o), f(t), ""))
                rows += warmup_rows("W2 (1 thread)", o, t)
        pick = lambda i: min((v[i] for v in best.values() if v[i] is not None), default=None)
        rows.append(row("W2 train s/epoch, each side's faster thread count", pick(0), pick(1), "s", "lower", 0.25))

    if "W3" in args.workloads:
        from torch_workloads import W3_SHAPES
        for th in (1, 2):
            o, t = r.alternate(["W3", "--threads", str(th)], args.runs)
            for name, m, k, n, desc in W3_SHAPES:
                rows.append(row(f"W3 SGEMM {name} ({desc}), {th}T vs OpenBLAS",
                                med([w3_gflops(x, name) for x in o]), med([w3_gflops(x, name) for x in t]),
                                "GFLOP/s", "higher", 0.8))

    if "W4" in args.workloads:
        best = {}
        for th in (1, 2):
            o, t = r.alternate(["W4", "--threads", str(th)], args.runs)
            g = lambda rs, k: med([x[k] for x in rs])
            best[th] = {k: (g(o, k), g(t, k)) for k in ("throughput_samples_per_s", "latency_p50_ms", "latency_p99_ms")}
            rows.append(row(f"W4 predict throughput, batch 256, {th}T", *best[th]["throughput_samples_per_s"], "samples/s"))
            rows.append(row(f"W4 latency p50, batch 1, {th}T", *best[th]["latency_p50_ms"], "ms"))
            rows.append(row(f"W4 latency p99, batch 1, {th}T", *best[th]["latency_p99_ms"], "ms"))
        # Targets compare each side at its better thread count, as for W2.
        def pick(key, side, fn):
            vals = [b[key][side] for b in best.values() if b[key][side] is not None]
            return fn(vals) if vals else None
        rows.append(row("W4 throughput, batch 256, best thread count",
                        pick("throughput_samples_per_s", 0, max), pick("throughput_samples_per_s", 1, max),
                        "samples/s", "higher", 1.5))
        rows.append(row("W4 latency p50, batch 1, best thread count",
                        pick("latency_p50_ms", 0, min), pick("latency_p50_ms", 1, min), "ms", "lower", 0.25))

    if "W5" in args.workloads:
        o, t = r.alternate(["W5", "--epochs", "2" if args.quick else "3"], args.runs)
        # Epochs after the first on both sides (the measure), then the first epoch beside it.
        f = lambda rs: med([statistics.median(x["epoch_seconds"][1:]) for x in rs])
        rows.append(row("W5 train s/epoch after the first (Fashion-MNIST convnet, batch 128, 2 threads)", f(o), f(t), "s", "lower", 0.6))
        f = lambda rs: med([x["epoch_seconds"][0] for x in rs])
        rows.append(row("W5 first epoch (fresh process)", f(o), f(t), "s"))
        f = lambda rs: med([x["peak_rss_mib"] for x in rs])
        rows.append(row("W5 peak RSS", f(o), f(t), "MiB", "lower", 0.5))
        f = lambda rs: med([x["test_accuracy"] for x in rs])
        rows.append(row("W5 test accuracy after the run", f(o), f(t), ""))
    return rows


def scaling(r, workloads):
    """Epoch time vs width, 2 epochs per width per side (alternating), the second one timed, so that neither side's
    one-time warm-up (JIT compilation, oneDNN primitive creation) is on the chart: W1 over its first hidden width,
    W5 over its convolutions' filters (F, then 2F) on the first 12,800 training images (100 steps)."""
    charts = {}
    if "W1" in workloads:
        charts["W1"] = sweep(r, WIDTHS, lambda h: ["W1", "--epochs", "2", "--hidden", str(h)])
        plot(charts["W1"], WIDTHS, "first hidden width (784 -> H -> 128 -> 10)",
             "training seconds for epoch 2 (60k samples, batch 128)",
             "W1 Fashion-MNIST MLP: epoch time vs width (2 threads)", "scaling")
    if "W5" in workloads:
        charts["W5"] = sweep(r, W5_FILTERS, lambda f: ["W5", "--epochs", "2", "--filters", str(f), "--rows", str(W5_ROWS)])
        plot(charts["W5"], W5_FILTERS, "filters F (conv F -> pool -> conv 2F -> pool -> dense 10)",
             f"training seconds for epoch 2 ({W5_ROWS:,} samples, batch 128)",
             "W5 Fashion-MNIST convnet: epoch time vs filters (2 threads)", "scaling-w5")
    return charts


def sweep(r, values, args_of):
    points = {"ours": {}, "torch": {}}
    for v in values:
        o, t = r.alternate(args_of(v), 1)
        if o:
            points["ours"][v] = o[0]["epoch_seconds"][-1]
        if t:
            points["torch"][v] = t[0]["epoch_seconds"][-1]
    return points


def plot(points, xs_all, xlabel, ylabel, title, name):
    import matplotlib
    matplotlib.use("Agg")  # no display here
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for side, label, style in (("ours", "KerasNotes", "o-"), ("torch", "PyTorch", "s--")):
        if points[side]:
            xs = sorted(points[side])
            ax.plot(xs, [points[side][x] for x in xs], style, label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")  # the two sides may differ several-fold
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.set_xticks(xs_all)
    ax.set_xticklabels([str(w) for w in xs_all])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_path(name + ".png"), dpi=110)


def sh(cmd, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine():
    lscpu = dict(l.split(":", 1) for l in sh(["lscpu"]).splitlines() if ":" in l)
    lscpu = {k.strip(): v.strip() for k, v in lscpu.items()}
    os_name = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME=")), "?")
    probe = ("import sys, json; sys.path.insert(0, %r); import torch_workloads as w, torch, numpy; "
             "print(json.dumps({'torch': torch.__version__, 'numpy': numpy.__version__, 'openblas': w.blas_info()}))" % HERE)
    try:
        py = json.loads(sh(["/usr/bin/python3", "-c", probe], env=torch_env()) or "{}")
    except json.JSONDecodeError:
        py = {}
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": lscpu.get("Model name", "?"), "cpus": lscpu.get("CPU(s)", "?"),
        "avx512f": "yes" if "avx512f" in lscpu.get("Flags", "").split() else "no",
        "os": f"{os_name}, kernel {os.uname().release}",
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "dotnet": sh(["dotnet", "--version"]) or "?",
        "torch": f"{py.get('torch', '?')} (Debian python3-torch {sh(['dpkg-query', '-W', '-f=${Version}', 'python3-torch']) or '?'})",
        "numpy": py.get("numpy", "?"),
        "openblas": f"{py.get('openblas', {}).get('config', '?')}, core {py.get('openblas', {}).get('core', '?')}",
    }


def fmt(v):
    if v is None:
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}" if abs(v) >= 0.01 else f"{v:.4f}"


def write_md(rows, points, mach, args, r):
    others = [x["other_load"] for x in r.raw if not x.get("replaced")]
    lines = [
        "# KerasNotes vs PyTorch — peer benchmark results",
        "",
        f"Generated by `/usr/bin/python3 benchmarks/peers/run_peers.py{' --quick' if args.quick else ''}` "
        f"on {mach['date']}; {args.runs} run(s) per side, alternating, medians shown. "
        "Ratio = KerasNotes / PyTorch. Definitions: README.md.",
        "",
        "| measure | KerasNotes | PyTorch | ratio | target | met? |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for x in rows:
        ratio = x["ours"] / x["torch"] if x["ours"] is not None and x["torch"] else None
        unit = f" {x['unit']}" if x["unit"] else ""
        if x["target"] is None:
            target, met = "—", "—"
        else:
            target = f"{'≤' if x['better'] == 'lower' else '≥'} {x['target']}×"
            met = "n/a" if ratio is None else (
                "yes" if (ratio <= x["target"] if x["better"] == "lower" else ratio >= x["target"]) else "no")
        lines.append(f"| {x['measure']} | {fmt(x['ours'])}{unit if x['ours'] is not None else ''} | "
                     f"{fmt(x['torch'])}{unit if x['torch'] is not None else ''} | "
                     f"{'n/a' if ratio is None else f'{ratio:.2f}×'} | {target} | {met} |")
    for name, (title, picture, column, values) in {
            "W1": ("W1 width scaling (training seconds of epoch 2, after warm-up)", "scaling", "first hidden width", WIDTHS),
            "W5": (f"W5 filter scaling (training seconds of epoch 2 on {W5_ROWS:,} images, after warm-up)", "scaling-w5",
                   "filters F (then 2F)", W5_FILTERS)}.items():
        pts = (points or {}).get(name)
        if not pts:
            continue
        lines += ["", f"## {title}", "", f"![{picture}]({picture}{SUFFIX}.png)", "",
                  f"| {column} | KerasNotes | PyTorch |", "| --- | --- | --- |"]
        for v in values:
            lines.append(f"| {v} | {fmt(pts['ours'].get(v))} | {fmt(pts['torch'].get(v))} |")
    lines += ["", "## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in mach.items()]
    if others:
        redone = sum(1 for x in r.raw if x.get("replaced"))
        lines.append(f"- CPU load from other processes during the runs used: mean {statistics.mean(others):.1%}, "
                     f"max {max(others):.1%} (of both cores; above ~5% a timing is suspect); "
                     f"{redone} contended run(s) were redone")
    if not r.built:
        lines += ["", "KerasNotes side: build failed or benchmark DLL missing, so all its cells are n/a."]
    elif r.failed:
        lines += ["", f"KerasNotes side failed for: {', '.join(sorted(r.failed))} (see benchmarks/peers/logs/)."]
    with open(out_path("results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def build_ours(skip):
    if not skip:
        log(f"building {OUR_PROJECT} (Release)...")
        p = subprocess.run(["dotnet", "build", "-c", "Release", OUR_PROJECT], cwd=REPO, capture_output=True, text=True)
        if p.returncode != 0:
            tail = "\n".join((p.stdout + p.stderr).strip().splitlines()[-5:])
            log(f"build failed (KerasNotes side will be n/a):\n{tail}")
            return False
    if not os.path.exists(OUR_DLL):
        log(f"{OUR_DLL} not found (KerasNotes side will be n/a)")
        return False
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smoke test: 1 run, 1 epoch")
    p.add_argument("--runs", type=int, default=3, help="runs per side per workload (default 3)")
    p.add_argument("--workloads", default="W1,W2,W3,W4,W5", help="comma-separated subset")
    p.add_argument("--no-scaling", action="store_true", help="skip the width-scaling charts")
    p.add_argument("--only-scaling", action="store_true", help="only the width-scaling charts of the chosen workloads")
    p.add_argument("--skip-build", action="store_true", help="use the already built DLL")
    p.add_argument("--idle-wait", type=int, default=120,
                   help="before each run wait up to this many seconds for the machine to be idle (0 = don't)")
    p.add_argument("--suffix", default="", help="write results<suffix>.md/.json (e.g. -w5 for a run of one workload)")
    args = p.parse_args()
    global SUFFIX
    SUFFIX = args.suffix
    if args.quick:
        args.runs, SUFFIX = 1, "-quick"
    args.workloads = [w.strip() for w in args.workloads.split(",")]
    sys.path.insert(0, HERE)  # for torch_workloads.W3_SHAPES (plain python, no torch import)

    r = Runner(build_ours(args.skip_build), args.idle_wait)
    rows = [] if args.only_scaling else collect(r, args)
    points = None if args.no_scaling else scaling(r, args.workloads)
    mach = machine()
    write_md(rows, points, mach, args, r)
    with open(out_path("results.json"), "w") as f:
        json.dump({"machine": mach, "quick": args.quick, "runs": args.runs, "rows": rows,
                   "scaling": points, "raw": r.raw}, f, indent=1)
    log(f"wrote {out_path('results.md')}")


if __name__ == "__main__":
    main()
