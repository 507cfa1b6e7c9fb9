using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KerasNotes.Kernels;

namespace KerasNotes.Optimizers;

/// <summary>
/// The optimizer update rules as single in-place passes over spans, with Keras 3's float32 order of
/// operations. Vector bodies and scalar tails perform the same IEEE operations (no fused multiply-add),
/// so every element gets the same result on every path.
/// </summary>
internal static class OptimizerKernels
{
    public static float SumOfSquares(ReadOnlySpan<float> g) => Reductions.SumOfSquares(g);

    /// <summary>d = (g·scale) / denominator (Keras clip_by_norm).</summary>
    public static void ScaleThenDivide(ReadOnlySpan<float> g, float scale, float denominator, Span<float> d)
    {
        ElementwiseDriver.BinaryScalar<MultiplyOp>(g, scale, d);
        ElementwiseDriver.BinaryScalar<DivideOp>(d, denominator, d);
    }

    /// <summary>w ← w − (w·wd)·lr.</summary>
    public static void DecoupledWeightDecay(Span<float> w, float wd, float lr)
    {
        ref float wr = ref MemoryMarshal.GetReference(w);
        int n = w.Length, i = 0;
        if (KernelControl.Simd == SimdLevel.Vector512)
        {
            var wdv = Vector512.Create(wd);
            var lv = Vector512.Create(lr);
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref wr, (nuint)i);
                (v - ((v * wdv) * lv)).StoreUnsafe(ref wr, (nuint)i);
            }
        }
        else if (KernelControl.Simd == SimdLevel.Vector256)
        {
            var wdv = Vector256.Create(wd);
            var lv = Vector256.Create(lr);
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref wr, (nuint)i);
                (v - ((v * wdv) * lv)).StoreUnsafe(ref wr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            w[i] -= (w[i] * wd) * lr;
        }
    }

    /// <summary>Plain SGD: w ← w − g·lr.</summary>
    public static void Sgd(ReadOnlySpan<float> g, Span<float> w, float lr)
    {
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float wr = ref MemoryMarshal.GetReference(w);
        int n = w.Length, i = 0;
        if (KernelControl.Simd == SimdLevel.Vector512)
        {
            var lv = Vector512.Create(lr);
            for (; i <= n - 16; i += 16)
            {
                var wv = Vector512.LoadUnsafe(ref wr, (nuint)i) - (Vector512.LoadUnsafe(ref gr, (nuint)i) * lv);
                wv.StoreUnsafe(ref wr, (nuint)i);
            }
        }
        else if (KernelControl.Simd == SimdLevel.Vector256)
        {
            var lv = Vector256.Create(lr);
            for (; i <= n - 8; i += 8)
            {
                var wv = Vector256.LoadUnsafe(ref wr, (nuint)i) - (Vector256.LoadUnsafe(ref gr, (nuint)i) * lv);
                wv.StoreUnsafe(ref wr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            w[i] -= g[i] * lr;
        }
    }

    /// <summary>SGD with momentum: m ← m·μ − g·lr; w ← w + m (or w + (m·μ − g·lr) with Nesterov).</summary>
    public static void SgdMomentum(ReadOnlySpan<float> g, Span<float> w, Span<float> m, float lr, float momentum, bool nesterov)
    {
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float mr = ref MemoryMarshal.GetReference(m);
        int n = w.Length, i = 0;
        if (KernelControl.Simd == SimdLevel.Vector512)
        {
            var lv = Vector512.Create(lr);
            var mu = Vector512.Create(momentum);
            for (; i <= n - 16; i += 16)
            {
                var gl = Vector512.LoadUnsafe(ref gr, (nuint)i) * lv;
                var mv = (Vector512.LoadUnsafe(ref mr, (nuint)i) * mu) - gl;
                mv.StoreUnsafe(ref mr, (nuint)i);
                var step = nesterov ? (mv * mu) - gl : mv;
                (Vector512.LoadUnsafe(ref wr, (nuint)i) + step).StoreUnsafe(ref wr, (nuint)i);
            }
        }
        else if (KernelControl.Simd == SimdLevel.Vector256)
        {
            var lv = Vector256.Create(lr);
            var mu = Vector256.Create(momentum);
            for (; i <= n - 8; i += 8)
            {
                var gl = Vector256.LoadUnsafe(ref gr, (nuint)i) * lv;
                var mv = (Vector256.LoadUnsafe(ref mr, (nuint)i) * mu) - gl;
                mv.StoreUnsafe(ref mr, (nuint)i);
                var step = nesterov ? (mv * mu) - gl : mv;
                (Vector256.LoadUnsafe(ref wr, (nuint)i) + step).StoreUnsafe(ref wr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float gl = g[i] * lr;
            float mi = (m[i] * momentum) - gl;
            m[i] = mi;
            w[i] += nesterov ? (mi * momentum) - gl : mi;
        }
    }

    /// <summary>
    /// Adam (Keras 3): m ← m + (g − m)·(1−β1); v ← v + (g² − v)·(1−β2); [v̂ ← max(v̂, v)];
    /// w ← w − (m·α) / (sqrt(v) + ε), with α = lr·sqrt(1 − β2^t) / (1 − β1^t) computed by the caller.
    /// </summary>
    public static void Adam(
        ReadOnlySpan<float> g, Span<float> w, Span<float> m, Span<float> v, Span<float> vHat,
        float oneMinusBeta1, float oneMinusBeta2, float alpha, float epsilon)
    {
        bool ams = !vHat.IsEmpty;
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        int n = w.Length, i = 0;
        if (!ams && KernelControl.Simd == SimdLevel.Vector512)
        {
            var b1 = Vector512.Create(oneMinusBeta1);
            var b2 = Vector512.Create(oneMinusBeta2);
            var a = Vector512.Create(alpha);
            var e = Vector512.Create(epsilon);
            for (; i <= n - 16; i += 16)
            {
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)i);
                var mv = Vector512.LoadUnsafe(ref mr, (nuint)i);
                var vv = Vector512.LoadUnsafe(ref vr, (nuint)i);
                mv += (gv - mv) * b1;
                vv += ((gv * gv) - vv) * b2;
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                var wv = Vector512.LoadUnsafe(ref wr, (nuint)i) - ((mv * a) / (Vector512.Sqrt(vv) + e));
                wv.StoreUnsafe(ref wr, (nuint)i);
            }
        }
        else if (!ams && KernelControl.Simd == SimdLevel.Vector256)
        {
            var b1 = Vector256.Create(oneMinusBeta1);
            var b2 = Vector256.Create(oneMinusBeta2);
            var a = Vector256.Create(alpha);
            var e = Vector256.Create(epsilon);
            for (; i <= n - 8; i += 8)
            {
                var gv = Vector256.LoadUnsafe(ref gr, (nuint)i);
                var mv = Vector256.LoadUnsafe(ref mr, (nuint)i);
                var vv = Vector256.LoadUnsafe(ref vr, (nuint)i);
                mv += (gv - mv) * b1;
                vv += ((gv * gv) - vv) * b2;
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                var wv = Vector256.LoadUnsafe(ref wr, (nuint)i) - ((mv * a) / (Vector256.Sqrt(vv) + e));
                wv.StoreUnsafe(ref wr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float gi = g[i];
            float mi = m[i] + ((gi - m[i]) * oneMinusBeta1);
            float vi = v[i] + (((gi * gi) - v[i]) * oneMinusBeta2);
            m[i] = mi;
            v[i] = vi;
            if (ams)
            {
                vi = MathF.Max(vHat[i], vi);
                vHat[i] = vi;
            }

            w[i] -= (mi * alpha) / (MathF.Sqrt(vi) + epsilon);
        }
    }

    /// <summary>RMSprop (Keras 3), ε inside the square root and the learning rate inside the momentum.</summary>
    public static void RmsProp(
        ReadOnlySpan<float> g, Span<float> w, Span<float> velocity, Span<float> momentumSlot, Span<float> averageGradient,
        float lr, float rho, float oneMinusRho, float momentum, float epsilon)
    {
        bool centered = !averageGradient.IsEmpty;
        bool useMomentum = !momentumSlot.IsEmpty;
        int start = 0;
        if (!centered && !useMomentum)
        {
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float wr = ref MemoryMarshal.GetReference(w);
            ref float vr = ref MemoryMarshal.GetReference(velocity);
            int n = w.Length;
            if (KernelControl.Simd == SimdLevel.Vector512)
            {
                var rv = Vector512.Create(rho);
                var orv = Vector512.Create(oneMinusRho);
                var lv = Vector512.Create(lr);
                var ev = Vector512.Create(epsilon);
                for (; start <= n - 16; start += 16)
                {
                    var gv = Vector512.LoadUnsafe(ref gr, (nuint)start);
                    var vv = (rv * Vector512.LoadUnsafe(ref vr, (nuint)start)) + (orv * (gv * gv));
                    vv.StoreUnsafe(ref vr, (nuint)start);
                    (Vector512.LoadUnsafe(ref wr, (nuint)start) - ((lv * gv) / Vector512.Sqrt(vv + ev))).StoreUnsafe(ref wr, (nuint)start);
                }
            }
            else if (KernelControl.Simd == SimdLevel.Vector256)
            {
                var rv = Vector256.Create(rho);
                var orv = Vector256.Create(oneMinusRho);
                var lv = Vector256.Create(lr);
                var ev = Vector256.Create(epsilon);
                for (; start <= n - 8; start += 8)
                {
                    var gv = Vector256.LoadUnsafe(ref gr, (nuint)start);
                    var vv = (rv * Vector256.LoadUnsafe(ref vr, (nuint)start)) + (orv * (gv * gv));
                    vv.StoreUnsafe(ref vr, (nuint)start);
                    (Vector256.LoadUnsafe(ref wr, (nuint)start) - ((lv * gv) / Vector256.Sqrt(vv + ev))).StoreUnsafe(ref wr, (nuint)start);
                }
            }
        }

        for (int i = start; i < w.Length; i++)
        {
            float gi = g[i];
            float vi = (rho * velocity[i]) + (oneMinusRho * (gi * gi));
            velocity[i] = vi;
            float denominator;
            if (centered)
            {
                float ai = (rho * averageGradient[i]) + (oneMinusRho * gi);
                averageGradient[i] = ai;
                denominator = vi - (ai * ai) + epsilon;
            }
            else
            {
                denominator = vi + epsilon;
            }

            float increment = (lr * gi) / MathF.Sqrt(denominator);
            if (useMomentum)
            {
                float mi = (momentum * momentumSlot[i]) + increment;
                momentumSlot[i] = mi;
                w[i] -= mi;
            }
            else
            {
                w[i] -= increment;
            }
        }
    }

    /// <summary>Adagrad (Keras 3): acc ← acc + g²; w ← w − (lr·g) / sqrt(acc + ε).</summary>
    public static void Adagrad(ReadOnlySpan<float> g, Span<float> w, Span<float> accumulator, float lr, float epsilon)
    {
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float ar = ref MemoryMarshal.GetReference(accumulator);
        int n = w.Length, start = 0;
        if (KernelControl.Simd == SimdLevel.Vector512)
        {
            var lv = Vector512.Create(lr);
            var ev = Vector512.Create(epsilon);
            for (; start <= n - 16; start += 16)
            {
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)start);
                var acc = Vector512.LoadUnsafe(ref ar, (nuint)start) + (gv * gv);
                acc.StoreUnsafe(ref ar, (nuint)start);
                (Vector512.LoadUnsafe(ref wr, (nuint)start) - ((lv * gv) / Vector512.Sqrt(acc + ev))).StoreUnsafe(ref wr, (nuint)start);
            }
        }
        else if (KernelControl.Simd == SimdLevel.Vector256)
        {
            var lv = Vector256.Create(lr);
            var ev = Vector256.Create(epsilon);
            for (; start <= n - 8; start += 8)
            {
                var gv = Vector256.LoadUnsafe(ref gr, (nuint)start);
                var acc = Vector256.LoadUnsafe(ref ar, (nuint)start) + (gv * gv);
                acc.StoreUnsafe(ref ar, (nuint)start);
                (Vector256.LoadUnsafe(ref wr, (nuint)start) - ((lv * gv) / Vector256.Sqrt(acc + ev))).StoreUnsafe(ref wr, (nuint)start);
            }
        }

        for (int i = start; i < n; i++)
        {
            float gi = g[i];
            float acc = accumulator[i] + (gi * gi);
            accumulator[i] = acc;
            w[i] -= (lr * gi) / MathF.Sqrt(acc + epsilon);
        }
    }
}
