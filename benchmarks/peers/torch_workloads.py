#!/usr/bin/python3
"""PyTorch twins of the KerasNotes peer benchmarks (W1..W5).

Usage (system python, NOT the pyenv one):
    /usr/bin/python3 benchmarks/peers/torch_workloads.py W1 [--epochs 5] [--hidden 256] [--threads 2]
    /usr/bin/python3 benchmarks/peers/torch_workloads.py W2 [--epochs 20] [--threads 1]
    /usr/bin/python3 benchmarks/peers/torch_workloads.py W3 [--threads 1]
    /usr/bin/python3 benchmarks/peers/torch_workloads.py W4 [--calls 2000]
    /usr/bin/python3 benchmarks/peers/torch_workloads.py W5 [--epochs 3] [--threads 2]

Prints exactly ONE JSON object on stdout; all progress goes to stderr.
See README.md in this folder for the exact workload definitions.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

# OpenBLAS must be the OpenMP build with its auto-detected (AVX-512) kernels.
# The dynamic loader only reads LD_LIBRARY_PATH at process start, so if we were
# started without it we re-exec ourselves once with the right environment.
OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp"


def _ensure_blas_env(threads):
    env = os.environ
    want_omp = str(threads)
    ok = (env.get("LD_LIBRARY_PATH", "").split(":")[0] == OPENBLAS_DIR
          and "OPENBLAS_CORETYPE" not in env and "OPENBLAS_L2_SIZE" not in env
          and env.get("OMP_NUM_THREADS") == want_omp)
    if ok or env.get("_TORCH_WORKLOADS_REEXEC") == "1":
        return
    new = dict(env)
    new.pop("OPENBLAS_CORETYPE", None)  # forcing a core type disables AVX-512 detection
    new.pop("OPENBLAS_L2_SIZE", None)
    new.pop("OPENBLAS_NUM_THREADS", None)
    # OpenMP OpenBLAS and PyTorch share libgomp, so one variable sets both pools.
    new["OMP_NUM_THREADS"] = want_omp
    new["LD_LIBRARY_PATH"] = ":".join([OPENBLAS_DIR] + [p for p in env.get("LD_LIBRARY_PATH", "").split(":") if p])
    new["_TORCH_WORKLOADS_REEXEC"] = "1"
    os.execve(sys.executable, [sys.executable] + sys.argv, new)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def peak_rss_mib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def blas_info():
    """Which OpenBLAS got loaded and which kernel it picked (e.g. b'Cooperlake' = AVX-512)."""
    import ctypes
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        lib.openblas_get_config.restype = ctypes.c_char_p
        return {"core": lib.openblas_get_corename().decode(), "config": lib.openblas_get_config().decode(),
                "threads": lib.openblas_get_num_threads()}
    except OSError as e:
        return {"error": str(e)}


# ---------------------------------------------------------------- data

def data_dir():
    for d in ("/work/main/data/fashion-mnist", "/work/shared/data/fashion-mnist"):
        if os.path.exists(os.path.join(d, "train-images-idx3-ubyte.gz")):
            return d
    raise SystemExit("Fashion-MNIST not found in /work/main/data/fashion-mnist or /work/shared/data/fashion-mnist")


def read_idx(path):
    """IDX format: 2 zero bytes, dtype code (0x08 = uint8), ndim, then ndim big-endian uint32 dims."""
    import numpy as np
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    assert zero == 0 and dtype == 0x08, f"{path}: not a uint8 IDX file"
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion_mnist():
    import numpy as np
    d = data_dir()
    def images(name):
        return (read_idx(os.path.join(d, name)).reshape(-1, 784).astype(np.float32) / 255.0)
    def labels(name):
        return read_idx(os.path.join(d, name)).astype(np.int64)
    return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
            images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


def splitmix64_uniforms(seed, count):
    """u_k = (splitmix64 output k) >> 11 * 2^-53, state_k = seed + (k+1)*golden (mod 2^64).
    Counter-based, so it vectorises and is trivial to reproduce in C#."""
    import numpy as np
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def standard_normals(seed, count):
    """Box-Muller on consecutive uniform pairs: n[2k] = r cos(2 pi u[2k+1]), n[2k+1] = r sin(2 pi u[2k+1]),
    r = sqrt(-2 ln(1 - u[2k]))  (1-u avoids log(0))."""
    import numpy as np
    pairs = (count + 1) // 2
    u = splitmix64_uniforms(seed, 2 * pairs)
    r = np.sqrt(-2.0 * np.log(1.0 - u[0::2]))
    theta = 2.0 * np.pi * u[1::2]
    out = np.empty(2 * pairs)
    out[0::2] = r * np.cos(theta)
    out[1::2] = r * np.sin(theta)
    return out[:count]


def make_w2_data(n=10000, d=20, seed=42):
    """x = first n*d normals (row-major), eps = next n normals;
    y = sum_j w_j x_j + 2 sin(2 x_0) + 0.1 eps, w_j = (-1)^j (j+1)/20. Computed in float64, stored float32."""
    import numpy as np
    z = standard_normals(seed, n * d + n)
    x = z[:n * d].reshape(n, d)
    eps = z[n * d:]
    w = np.array([(-1) ** j * (j + 1) / 20.0 for j in range(d)])
    y = x @ w + 2.0 * np.sin(2.0 * x[:, 0]) + 0.1 * eps
    return x.astype(np.float32), y.astype(np.float32).reshape(n, 1)


# ---------------------------------------------------------------- models

def keras_init(model):
    """Keras defaults, so both frameworks learn the same model: glorot_uniform kernels, zero biases."""
    import torch
    for m in model.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    return model


def bn(width):
    import torch
    # Keras BatchNormalization(momentum=0.99, epsilon=1e-3); PyTorch's momentum is 1 - Keras's.
    return torch.nn.BatchNorm1d(width, momentum=0.01, eps=1e-3)


def w1_model(hidden):
    import torch.nn as nn
    return keras_init(nn.Sequential(
        nn.Linear(784, hidden), nn.ReLU(), bn(hidden), nn.Dropout(0.2),
        nn.Linear(hidden, 128), nn.ReLU(), bn(128), nn.Dropout(0.2),
        nn.Linear(128, 10)))  # softmax folded into CrossEntropyLoss for training


def w5_model(filters=32):
    """The W5 convnet, channels-first as PyTorch wants (Keras's is channels-last: the same arithmetic).
    `filters` widens both convolutions (F, then 2F) for the width-scaling chart."""
    import torch.nn as nn
    return keras_init(nn.Sequential(
        nn.Conv2d(1, filters, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(filters, 2 * filters, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5),
        nn.Linear(2 * filters * 5 * 5, 10)))


def w2_model():
    import torch.nn as nn
    return keras_init(nn.Sequential(
        nn.Linear(20, 64), nn.ReLU(), bn(64), nn.Dropout(0.1),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1)))


def adam(model):
    import torch
    return torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)  # Keras's default epsilon


def train_epoch(model, opt, loss_fn, x, y, batch):
    """One Keras-style epoch: fresh shuffle, every batch including the last partial one."""
    import torch
    model.train()
    perm = torch.randperm(x.shape[0])
    total = 0.0
    for i in range(0, x.shape[0], batch):
        idx = perm[i:i + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        total += loss.item() * idx.shape[0]  # .item() syncs, like Keras's per-batch metric update
    return total / x.shape[0]


def evaluate(model, loss_fn, x, y, batch):
    import torch
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            out = model(x[i:i + batch])
            loss_sum += loss_fn(out, y[i:i + batch]).item() * out.shape[0]
            if out.shape[1] > 1:
                correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    return loss_sum / x.shape[0], correct / x.shape[0]


# ---------------------------------------------------------------- workloads

def run_w1(args):
    import torch
    xtr, ytr, xte, yte = [torch.from_numpy(a) for a in load_fashion_mnist()]
    model = w1_model(args.hidden)
    opt = adam(model)
    loss_fn = torch.nn.CrossEntropyLoss()
    epoch_s, eval_s = [], []
    acc = loss = float("nan")
    for e in range(args.epochs):
        t0 = time.perf_counter()
        tr_loss = train_epoch(model, opt, loss_fn, xtr, ytr, 128)
        t1 = time.perf_counter()
        loss, acc = evaluate(model, loss_fn, xte, yte, 128)  # Keras fit's validation batch = batch_size
        t2 = time.perf_counter()
        epoch_s.append(t1 - t0)
        eval_s.append(t2 - t1)
        log(f"W1 epoch {e + 1}: train {t1 - t0:.3f}s loss {tr_loss:.4f} | eval {t2 - t1:.3f}s acc {acc:.4f}")
    return {"epoch_seconds": epoch_s, "eval_seconds": eval_s, "test_accuracy": acc, "test_loss": loss,
            "peak_rss_mib": peak_rss_mib(), "hidden": args.hidden, "epochs": args.epochs}


def run_w5(args):
    import torch
    xtr, ytr, xte, yte = [torch.from_numpy(a) for a in load_fashion_mnist()]
    xtr = xtr.reshape(-1, 1, 28, 28).contiguous()
    xte = xte.reshape(-1, 1, 28, 28).contiguous()
    if args.rows:
        xtr, ytr = xtr[:args.rows], ytr[:args.rows]
    model = w5_model(args.filters)
    opt = adam(model)
    loss_fn = torch.nn.CrossEntropyLoss()
    epoch_s, eval_s = [], []
    acc = loss = float("nan")
    for e in range(args.epochs):
        t0 = time.perf_counter()
        tr_loss = train_epoch(model, opt, loss_fn, xtr, ytr, 128)
        t1 = time.perf_counter()
        loss, acc = evaluate(model, loss_fn, xte, yte, 128)
        t2 = time.perf_counter()
        epoch_s.append(t1 - t0)
        eval_s.append(t2 - t1)
        log(f"W5 epoch {e + 1}: train {t1 - t0:.3f}s loss {tr_loss:.4f} | eval {t2 - t1:.3f}s acc {acc:.4f}")
    return {"epoch_seconds": epoch_s, "eval_seconds": eval_s, "test_accuracy": acc, "test_loss": loss,
            "peak_rss_mib": peak_rss_mib(), "epochs": args.epochs, "filters": args.filters,
            "rows": args.rows or int(xtr.shape[0])}


def run_w2(args):
    import torch
    x, y = make_w2_data()
    split = int(len(x) * 0.8)  # Keras validation_split: the LAST 20% of rows, taken before shuffling
    xtr, ytr = torch.from_numpy(x[:split]), torch.from_numpy(y[:split])
    xva, yva = torch.from_numpy(x[split:]), torch.from_numpy(y[split:])
    model = w2_model()
    opt = adam(model)
    loss_fn = torch.nn.MSELoss()
    epoch_s, eval_s = [], []
    val = float("nan")
    for e in range(args.epochs):
        t0 = time.perf_counter()
        tr_loss = train_epoch(model, opt, loss_fn, xtr, ytr, 32)
        t1 = time.perf_counter()
        val, _ = evaluate(model, loss_fn, xva, yva, 32)
        t2 = time.perf_counter()
        epoch_s.append(t1 - t0)
        eval_s.append(t2 - t1)
        log(f"W2 epoch {e + 1}: train {t1 - t0:.3f}s loss {tr_loss:.4f} | val {t2 - t1:.3f}s loss {val:.4f}")
    return {"epoch_seconds": epoch_s, "eval_seconds": eval_s, "median_epoch_seconds": median(epoch_s),
            "val_loss": val, "epochs": args.epochs}


# (name, m, k, n, how A is stored) -- C[m,n] = A[m,k] @ B[k,n]
W3_SHAPES = [
    ("fwd1", 128, 784, 256, "A 128x784 @ B 784x256"),
    ("fwd2", 128, 256, 128, "A 128x256 @ B 256x128"),
    ("bwd_dw", 784, 128, 256, "X^T @ dY, X stored 128x784, dY 128x256"),
    ("bwd_dx", 128, 256, 784, "dY @ W^T, dY 128x256, W stored 784x256"),
    ("square1024", 1024, 1024, 1024, "A 1024x1024 @ B 1024x1024"),
]


def w3_operands(name, m, k, n, rng):
    """Returns (A, B) as numpy arrays; transposed operands are views, as the backward pass sees them."""
    import numpy as np
    r = lambda *s: rng.standard_normal(s).astype(np.float32)
    if name == "bwd_dw":
        return r(k, m).T, r(k, n)      # X^T (view of 128x784) @ dY
    if name == "bwd_dx":
        return r(m, k), r(n, k).T      # dY @ W^T (view of 784x256)
    return r(m, k), r(k, n)


def time_gflops(fn, flops, samples):
    """Median GFLOP/s over `samples` timings; each timing loops enough calls to last >= ~20 ms."""
    for _ in range(3):
        fn()
    t = time.perf_counter(); fn(); one = max(time.perf_counter() - t, 1e-7)
    reps = max(1, int(0.02 / one))
    rates = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        rates.append(flops * reps / (time.perf_counter() - t) / 1e9)
    return median(rates), max(rates)


def run_w3(args):
    import numpy as np
    import torch
    rng = np.random.default_rng(0)
    results = []
    for name, m, k, n, desc in W3_SHAPES:
        a, b = w3_operands(name, m, k, n, rng)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)  # shares memory, keeps the transposed strides
        out_np = np.empty((m, n), np.float32)
        out_t = torch.empty(m, n)
        flops = 2.0 * m * n * k
        for backend, fn in (("numpy", lambda: np.matmul(a, b, out=out_np)),
                            ("torch", lambda: torch.mm(ta, tb, out=out_t))):
            med, best = time_gflops(fn, flops, args.samples)
            results.append({"shape": name, "m": m, "k": k, "n": n, "desc": desc, "backend": backend,
                            "gflops": med, "gflops_best": best})
            log(f"W3 {name:10s} {backend:5s} {args.threads}T: median {med:7.1f}  best {best:7.1f} GFLOP/s")
    return {"results": results}


def run_w4(args):
    import numpy as np
    import torch
    _, _, xte, _ = load_fashion_mnist()
    model = w1_model(256).eval()  # untrained weights: inference cost does not depend on their values

    def predict(x, batch):  # like Keras predict(): numpy in, softmax probabilities out as one numpy array
        with torch.no_grad():
            return np.concatenate([torch.softmax(model(torch.from_numpy(x[i:i + batch])), 1).numpy()
                                   for i in range(0, len(x), batch)])

    predict(xte, 256)  # warm-up
    passes = []
    for _ in range(args.passes):
        t = time.perf_counter(); predict(xte, 256); passes.append(time.perf_counter() - t)
    throughput = len(xte) / median(passes)

    lat = []
    for i in range(args.calls + 100):  # first 100 calls are warm-up
        x1 = xte[i % len(xte):i % len(xte) + 1]
        t = time.perf_counter()
        with torch.no_grad():
            torch.softmax(model(torch.from_numpy(x1)), 1).numpy()
        lat.append(time.perf_counter() - t)
    lat = np.array(lat[100:]) * 1e3
    log(f"W4 throughput {throughput:.0f} samples/s, p50 {np.percentile(lat, 50):.4f} ms, p99 {np.percentile(lat, 99):.4f} ms")
    return {"throughput_samples_per_s": throughput, "batch_size": 256,
            "latency_p50_ms": float(np.percentile(lat, 50)), "latency_p99_ms": float(np.percentile(lat, 99)),
            "latency_calls": args.calls}


def median(xs):
    s = sorted(xs)
    h = len(s) // 2
    return s[h] if len(s) % 2 else (s[h - 1] + s[h]) / 2


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workload", choices=["W1", "W2", "W3", "W4", "W5"])
    p.add_argument("--epochs", type=int, help="W1 default 5, W2 default 20, W5 default 3")
    p.add_argument("--hidden", type=int, default=256, help="W1 first hidden width")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--filters", type=int, default=32, help="W5 first convolution's filters (the second has twice)")
    p.add_argument("--rows", type=int, default=0, help="W5 training rows (0 = all 60,000)")
    p.add_argument("--samples", type=int, default=15, help="W3 timings per shape/backend")
    p.add_argument("--passes", type=int, default=20, help="W4 throughput passes over the test set")
    p.add_argument("--calls", type=int, default=2000, help="W4 batch-1 latency calls")
    p.add_argument("--seed", type=int, default=1234)
    args = p.parse_args()
    if args.epochs is None:
        args.epochs = {"W2": 20, "W5": 3}.get(args.workload, 5)
    _ensure_blas_env(args.threads)

    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}, OpenBLAS {blas_info()}")
    result = {"W1": run_w1, "W2": run_w2, "W3": run_w3, "W4": run_w4, "W5": run_w5}[args.workload](args)
    out = {"workload": args.workload, "framework": f"pytorch {torch.__version__}",
           "threads": torch.get_num_threads()}
    out.update(result)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
