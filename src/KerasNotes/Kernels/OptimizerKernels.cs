using System.Runtime.Intrinsics;

namespace KerasNotes.Kernels;

/// <summary>
/// The optimizer update rules as single in-place passes over spans, with Keras 3's float32 order of
/// operations. Each rule is an op struct run by the multi-stream <see cref="ElementwiseDriver"/> forms
/// (the gradient read-only; the variable and its slots updated in place); its scalar and vector forms
/// perform the same IEEE operations (no fused multiply-add), so every element gets the same result on
/// every path and on any split of the elements over threads.
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

    /// <summary>Applies <paramref name="rule"/> to one range: the gradient, the variable and its slots in the optimizer's order.</summary>
    public static void Apply(in UpdateRule rule, ReadOnlySpan<float> g, Span<float> w, Span<float> slot0, Span<float> slot1, Span<float> slot2)
    {
        switch (rule.Kind)
        {
            case UpdateRuleKind.Sgd:
                Sgd(g, w, rule.LearningRate);
                break;
            case UpdateRuleKind.SgdMomentum:
                SgdMomentum(g, w, slot0, rule.LearningRate, rule.Momentum, nesterov: false);
                break;
            case UpdateRuleKind.SgdNesterov:
                SgdMomentum(g, w, slot0, rule.LearningRate, rule.Momentum, nesterov: true);
                break;
            case UpdateRuleKind.Adam:
                Adam(g, w, slot0, slot1, default, rule.OneMinusBeta1, rule.OneMinusBeta2, rule.Alpha, rule.Epsilon);
                break;
            case UpdateRuleKind.AmsGrad:
                Adam(g, w, slot0, slot1, slot2, rule.OneMinusBeta1, rule.OneMinusBeta2, rule.Alpha, rule.Epsilon);
                break;
            case UpdateRuleKind.RmsProp:
                RmsProp(g, w, slot0, default, default, rule.LearningRate, rule.Rho, rule.OneMinusRho, rule.Momentum, rule.Epsilon);
                break;
            case UpdateRuleKind.RmsPropMomentum:
                RmsProp(g, w, slot0, slot1, default, rule.LearningRate, rule.Rho, rule.OneMinusRho, rule.Momentum, rule.Epsilon);
                break;
            case UpdateRuleKind.RmsPropCentered:
                RmsProp(g, w, slot0, default, slot1, rule.LearningRate, rule.Rho, rule.OneMinusRho, rule.Momentum, rule.Epsilon);
                break;
            case UpdateRuleKind.RmsPropCenteredMomentum:
                RmsProp(g, w, slot0, slot1, slot2, rule.LearningRate, rule.Rho, rule.OneMinusRho, rule.Momentum, rule.Epsilon);
                break;
            case UpdateRuleKind.Adagrad:
                Adagrad(g, w, slot0, rule.LearningRate, rule.Epsilon);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule.Kind, "Unknown update rule.");
        }
    }

    /// <summary>w ← w − (w·wd)·lr.</summary>
    public static void DecoupledWeightDecay(Span<float> w, float wd, float lr) =>
        ElementwiseDriver.Map(new DecoupledWeightDecayOp(wd, lr), w, w);

    /// <summary>Plain SGD: w ← w − g·lr.</summary>
    public static void Sgd(ReadOnlySpan<float> g, Span<float> w, float lr) =>
        ElementwiseDriver.Update(new SgdOp(lr), g, w);

    /// <summary>SGD with momentum: m ← m·μ − g·lr; w ← w + m (or w + (m·μ − g·lr) with Nesterov).</summary>
    public static void SgdMomentum(ReadOnlySpan<float> g, Span<float> w, Span<float> m, float lr, float momentum, bool nesterov)
    {
        if (nesterov)
        {
            ElementwiseDriver.Update(new SgdNesterovOp(lr, momentum), g, w, m);
        }
        else
        {
            ElementwiseDriver.Update(new SgdMomentumOp(lr, momentum), g, w, m);
        }
    }

    /// <summary>
    /// Adam (Keras 3): m ← m + (g − m)·(1−β1); v ← v + (g² − v)·(1−β2); [v̂ ← max(v̂, v)];
    /// w ← w − (m·α) / (sqrt(v) + ε) (v̂ in place of v with AMSGrad, when <paramref name="vHat"/> is not empty),
    /// with α = lr·sqrt(1 − β2^t) / (1 − β1^t) computed by the caller.
    /// </summary>
    public static void Adam(
        ReadOnlySpan<float> g, Span<float> w, Span<float> m, Span<float> v, Span<float> vHat,
        float oneMinusBeta1, float oneMinusBeta2, float alpha, float epsilon)
    {
        var op = new AdamOp(oneMinusBeta1, oneMinusBeta2, alpha, epsilon);
        if (vHat.IsEmpty)
        {
            ElementwiseDriver.Update(op, g, w, m, v);
        }
        else
        {
            ElementwiseDriver.Update(new AmsGradOp(op), g, w, m, v, vHat);
        }
    }

    /// <summary>
    /// RMSprop (Keras 3), ε inside the square root and the learning rate inside the momentum; the momentum slot and the
    /// average gradient (centered) are used when not empty.
    /// </summary>
    public static void RmsProp(
        ReadOnlySpan<float> g, Span<float> w, Span<float> velocity, Span<float> momentumSlot, Span<float> averageGradient,
        float lr, float rho, float oneMinusRho, float momentum, float epsilon)
    {
        var op = new RmsPropOp(lr, rho, oneMinusRho, momentum, epsilon);
        bool centered = !averageGradient.IsEmpty, withMomentum = !momentumSlot.IsEmpty;
        switch (centered, withMomentum)
        {
            case (false, false):
                ElementwiseDriver.Update(op, g, w, velocity);
                break;
            case (false, true):
                ElementwiseDriver.Update(new RmsPropMomentumOp(op), g, w, velocity, momentumSlot);
                break;
            case (true, false):
                ElementwiseDriver.Update(new RmsPropCenteredOp(op), g, w, velocity, averageGradient);
                break;
            case (true, true):
                ElementwiseDriver.Update(new RmsPropCenteredMomentumOp(op), g, w, velocity, momentumSlot, averageGradient);
                break;
        }
    }

    /// <summary>Adagrad (Keras 3): acc ← acc + g²; w ← w − (lr·g) / sqrt(acc + ε).</summary>
    public static void Adagrad(ReadOnlySpan<float> g, Span<float> w, Span<float> accumulator, float lr, float epsilon) =>
        ElementwiseDriver.Update(new AdagradOp(lr, epsilon), g, w, accumulator);

    /// <summary>w − (w·wd)·lr.</summary>
    private readonly struct DecoupledWeightDecayOp(float wd, float lr) : IMapOp1
    {
        public float Invoke(float w) => w - ((w * wd) * lr);

        public Vector256<float> Invoke(Vector256<float> w) => w - ((w * Vector256.Create(wd)) * Vector256.Create(lr));

        public Vector512<float> Invoke(Vector512<float> w) => w - ((w * Vector512.Create(wd)) * Vector512.Create(lr));
    }

    /// <summary>w ← w − g·lr.</summary>
    private readonly struct SgdOp(float lr) : IUpdateOp1
    {
        public void Invoke(float g, ref float w) => w -= g * lr;

        public void Invoke(Vector256<float> g, ref Vector256<float> w) => w -= g * Vector256.Create(lr);

        public void Invoke(Vector512<float> g, ref Vector512<float> w) => w -= g * Vector512.Create(lr);
    }

    /// <summary>m ← m·μ − g·lr; w ← w + m.</summary>
    private readonly struct SgdMomentumOp(float lr, float momentum) : IUpdateOp2
    {
        public void Invoke(float g, ref float w, ref float m)
        {
            float gl = g * lr;
            m = (m * momentum) - gl;
            w += m;
        }

        public void Invoke(Vector256<float> g, ref Vector256<float> w, ref Vector256<float> m)
        {
            var gl = g * Vector256.Create(lr);
            m = (m * Vector256.Create(momentum)) - gl;
            w += m;
        }

        public void Invoke(Vector512<float> g, ref Vector512<float> w, ref Vector512<float> m)
        {
            var gl = g * Vector512.Create(lr);
            m = (m * Vector512.Create(momentum)) - gl;
            w += m;
        }
    }

    /// <summary>m ← m·μ − g·lr; w ← w + (m·μ − g·lr).</summary>
    private readonly struct SgdNesterovOp(float lr, float momentum) : IUpdateOp2
    {
        public void Invoke(float g, ref float w, ref float m)
        {
            float gl = g * lr;
            m = (m * momentum) - gl;
            w += (m * momentum) - gl;
        }

        public void Invoke(Vector256<float> g, ref Vector256<float> w, ref Vector256<float> m)
        {
            var gl = g * Vector256.Create(lr);
            var mu = Vector256.Create(momentum);
            m = (m * mu) - gl;
            w += (m * mu) - gl;
        }

        public void Invoke(Vector512<float> g, ref Vector512<float> w, ref Vector512<float> m)
        {
            var gl = g * Vector512.Create(lr);
            var mu = Vector512.Create(momentum);
            m = (m * mu) - gl;
            w += (m * mu) - gl;
        }
    }

    /// <summary>m ← m + (g − m)·(1−β1); v ← v + (g² − v)·(1−β2); w ← w − (m·α) / (sqrt(v) + ε).</summary>
    private readonly struct AdamOp(float oneMinusBeta1, float oneMinusBeta2, float alpha, float epsilon) : IUpdateOp3
    {
        public void Invoke(float g, ref float w, ref float m, ref float v)
        {
            Moments(g, ref m, ref v);
            w -= Step(m, v);
        }

        public void Invoke(Vector256<float> g, ref Vector256<float> w, ref Vector256<float> m, ref Vector256<float> v)
        {
            Moments(g, ref m, ref v);
            w -= Step(m, v);
        }

        public void Invoke(Vector512<float> g, ref Vector512<float> w, ref Vector512<float> m, ref Vector512<float> v)
        {
            Moments(g, ref m, ref v);
            w -= Step(m, v);
        }

        public void Moments(float g, ref float m, ref float v)
        {
            m += (g - m) * oneMinusBeta1;
            v += ((g * g) - v) * oneMinusBeta2;
        }

        public void Moments(Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v)
        {
            m += (g - m) * Vector256.Create(oneMinusBeta1);
            v += ((g * g) - v) * Vector256.Create(oneMinusBeta2);
        }

        public void Moments(Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v)
        {
            m += (g - m) * Vector512.Create(oneMinusBeta1);
            v += ((g * g) - v) * Vector512.Create(oneMinusBeta2);
        }

        // (m·α) / (sqrt(v) + ε)
        public float Step(float m, float v) => (m * alpha) / (MathF.Sqrt(v) + epsilon);

        public Vector256<float> Step(Vector256<float> m, Vector256<float> v) =>
            (m * Vector256.Create(alpha)) / (Vector256.Sqrt(v) + Vector256.Create(epsilon));

        public Vector512<float> Step(Vector512<float> m, Vector512<float> v) =>
            (m * Vector512.Create(alpha)) / (Vector512.Sqrt(v) + Vector512.Create(epsilon));
    }

    /// <summary>Adam's moments, then v̂ ← max(v̂, v) and w ← w − (m·α) / (sqrt(v̂) + ε).</summary>
    private readonly struct AmsGradOp(AdamOp adam) : IUpdateOp4
    {
        public void Invoke(float g, ref float w, ref float m, ref float v, ref float vHat)
        {
            adam.Moments(g, ref m, ref v);
            vHat = MathF.Max(vHat, v);
            w -= adam.Step(m, vHat);
        }

        public void Invoke(Vector256<float> g, ref Vector256<float> w, ref Vector256<float> m, ref Vector256<float> v, ref Vector256<float> vHat)
        {
            adam.Moments(g, ref m, ref v);
            vHat = Vector256.Max(vHat, v);
            w -= adam.Step(m, vHat);
        }

        public void Invoke(Vector512<float> g, ref Vector512<float> w, ref Vector512<float> m, ref Vector512<float> v, ref Vector512<float> vHat)
        {
            adam.Moments(g, ref m, ref v);
            vHat = Vector512.Max(vHat, v);
            w -= adam.Step(m, vHat);
        }
    }

    /// <summary>v ← ρ·v + (1−ρ)·g²; w ← w − (lr·g) / sqrt(v + ε).</summary>
    private readonly struct RmsPropOp(float lr, float rho, float oneMinusRho, float momentum, float epsilon) : IUpdateOp2
    {
        public float Epsilon => epsilon;

        public void Invoke(float g, ref float w, ref float v)
        {
            Velocity(g, ref v);
            w -= Increment(g, v + epsilon);
        }

        public void Invoke(Vector256<float> g, ref Vector256<float> w, ref Vector256<float> v)
        {
            Velocity(g, ref v);
            w -= Increment(g, v + Vector256.Create(epsilon));
        }

        public void Invoke(Vector512<float> g, ref Vector512<float> w, ref Vector512<float> v)
        {
            Velocity(g, ref v);
            w -= Increment(g, v + Vector512.Create(epsilon));
        }

        public void Velocity(float g, ref float v) => v = (rho * v) + (oneMinusRho * (g * g));

        public void Velocity(Vector256<float> g, ref Vector256<float> v) =>
            v = (Vector256.Create(rho) * v) + (Vector256.Create(oneMinusRho) * (g * g));

        public void Velocity(Vector512<float> g, ref Vector512<float> v) =>
            v = (Vector512.Create(rho) * v) + (Vector512.Create(oneMinusRho) * (g * g));

        // a ← ρ·a + (1−ρ)·g (the centered variant's average gradient)
        public void Average(float g, ref float a) => a = (rho * a) + (oneMinusRho * g);

        public void Average(Vector256<float> g, ref Vector256<float> a) =>
            a = (Vector256.Create(rho) * a) + (Vector256.Create(oneMinusRho) * g);

        public void Average(Vector512<float> g, ref Vector512<float> a) =>
            a = (Vector512.Create(rho) * a) + (Vector512.Create(oneMinusRho) * g);

        // (lr·g) / sqrt(denominator)
        public float Increment(float g, float denominator) => (lr * g) / MathF.Sqrt(denominator);

        public Vector256<float> Increment(Vector256<float> g, Vector256<float> denominator) =>
            (Vector256.Create(lr) * g) / Vector256.Sqrt(denominator);

        public Vector512<float> Increment(Vector512<float> g, Vector512<float> denominator) =>
            (Vector512.Create(lr) * g) / Vector512.Sqrt(denominator);

        // m ← μ·m + increment
        public void Momentum(float increment, ref float m) => m = (momentum * m) + increment;

        public void Momentum(Vector256<float> increment, ref Vector256<float> m) => m = (Vector256.Create(momentum) * m) + increment;

        public void Momentum(Vector512<float> increment, ref Vector512<float> m) => m = (Vector512.Create(momentum) * m) + increment;
    }

    /// <summary>RMSprop with momentum: m ← μ·m + (lr·g) / sqrt(v + ε); w ← w − m.</summary>
    private readonly struct RmsPropMomentumOp(RmsPropOp rms) : IUpdateOp3
    {
        public void Invoke(float g, ref float w, ref float v, ref float m)
        {
            rms.Velocity(g, ref v);
            rms.Momentum(rms.Increment(g, v + rms.Epsilon), ref m);
            w -= m;
        }

        public void Invoke(Vector256<float> g, ref Vector256<float> w, ref Vector256<float> v, ref Vector256<float> m)
        {
            rms.Velocity(g, ref v);
            rms.Momentum(rms.Increment(g, v + Vector256.Create(rms.Epsilon)), ref m);
            w -= m;
        }

        public void Invoke(Vector512<float> g, ref Vector512<float> w, ref Vector512<float> v, ref Vector512<float> m)
        {
            rms.Velocity(g, ref v);
            rms.Momentum(rms.Increment(g, v + Vector512.Create(rms.Epsilon)), ref m);
            w -= m;
        }
    }

    /// <summary>Centered RMSprop: a ← ρ·a + (1−ρ)·g; w ← w − (lr·g) / sqrt(v − a² + ε).</summary>
    private readonly struct RmsPropCenteredOp(RmsPropOp rms) : IUpdateOp3
    {
        public void Invoke(float g, ref float w, ref float v, ref float a)
        {
            rms.Velocity(g, ref v);
            rms.Average(g, ref a);
            w -= rms.Increment(g, v - (a * a) + rms.Epsilon);
        }

        public void Invoke(Vector256<float> g, ref Vector256<float> w, ref Vector256<float> v, ref Vector256<float> a)
        {
            rms.Velocity(g, ref v);
            rms.Average(g, ref a);
            w -= rms.Increment(g, v - (a * a) + Vector256.Create(rms.Epsilon));
        }

        public void Invoke(Vector512<float> g, ref Vector512<float> w, ref Vector512<float> v, ref Vector512<float> a)
        {
            rms.Velocity(g, ref v);
            rms.Average(g, ref a);
            w -= rms.Increment(g, v - (a * a) + Vector512.Create(rms.Epsilon));
        }
    }

    /// <summary>Centered RMSprop with momentum: m ← μ·m + (lr·g) / sqrt(v − a² + ε); w ← w − m.</summary>
    private readonly struct RmsPropCenteredMomentumOp(RmsPropOp rms) : IUpdateOp4
    {
        public void Invoke(float g, ref float w, ref float v, ref float m, ref float a)
        {
            rms.Velocity(g, ref v);
            rms.Average(g, ref a);
            rms.Momentum(rms.Increment(g, v - (a * a) + rms.Epsilon), ref m);
            w -= m;
        }

        public void Invoke(Vector256<float> g, ref Vector256<float> w, ref Vector256<float> v, ref Vector256<float> m, ref Vector256<float> a)
        {
            rms.Velocity(g, ref v);
            rms.Average(g, ref a);
            rms.Momentum(rms.Increment(g, v - (a * a) + Vector256.Create(rms.Epsilon)), ref m);
            w -= m;
        }

        public void Invoke(Vector512<float> g, ref Vector512<float> w, ref Vector512<float> v, ref Vector512<float> m, ref Vector512<float> a)
        {
            rms.Velocity(g, ref v);
            rms.Average(g, ref a);
            rms.Momentum(rms.Increment(g, v - (a * a) + Vector512.Create(rms.Epsilon)), ref m);
            w -= m;
        }
    }

    /// <summary>acc ← acc + g²; w ← w − (lr·g) / sqrt(acc + ε).</summary>
    private readonly struct AdagradOp(float lr, float epsilon) : IUpdateOp2
    {
        public void Invoke(float g, ref float w, ref float acc)
        {
            acc += g * g;
            w -= (lr * g) / MathF.Sqrt(acc + epsilon);
        }

        public void Invoke(Vector256<float> g, ref Vector256<float> w, ref Vector256<float> acc)
        {
            acc += g * g;
            w -= (Vector256.Create(lr) * g) / Vector256.Sqrt(acc + Vector256.Create(epsilon));
        }

        public void Invoke(Vector512<float> g, ref Vector512<float> w, ref Vector512<float> acc)
        {
            acc += g * g;
            w -= (Vector512.Create(lr) * g) / Vector512.Sqrt(acc + Vector512.Create(epsilon));
        }
    }
}
