using System.Runtime.Intrinsics;
using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>
/// Every multi-stream form of the element-wise driver (Map of 1, 2, 3 and 7 inputs; Update of 1 to 4 streams from one
/// input, and of 2 streams from 4 inputs) gives the same bits on the Scalar, Vector256 and Vector512 paths, on lengths
/// that leave every kind of tail (0, 1, 7, 15, 17, 33, 1000), and wires each stream to its own argument of the op.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class MultiStreamDriverPathTests
{
    private static readonly int[] s_lengths = [0, 1, 7, 15, 17, 33, 1000];

    // One form: how many read-only inputs and how many written (or updated) streams it has, the driver call, and the
    // same op applied element by element with its scalar form (the reference for the stream wiring).
    private sealed record Form(int Inputs, int Outputs, Action<float[][], float[][]> Driver, Action<float[][], float[][], int> Element);

    private static readonly Dictionary<string, Form> s_forms = new(StringComparer.Ordinal)
    {
        ["Map 1 input"] = new(1, 1,
            (i, o) => ElementwiseDriver.Map(new Map1(0.75f, 0.5f), i[0], o[0]),
            (i, o, k) => o[0][k] = new Map1(0.75f, 0.5f).Invoke(i[0][k])),
        ["Map 2 inputs"] = new(2, 1,
            (i, o) => ElementwiseDriver.Map(new Map2(1.5f), i[0], i[1], o[0]),
            (i, o, k) => o[0][k] = new Map2(1.5f).Invoke(i[0][k], i[1][k])),
        ["Map 3 inputs (ternary)"] = new(3, 1,
            (i, o) => ElementwiseDriver.Map(new Map3(0.25f), i[0], i[1], i[2], o[0]),
            (i, o, k) => o[0][k] = new Map3(0.25f).Invoke(i[0][k], i[1][k], i[2][k])),
        ["Map 7 inputs"] = new(7, 1,
            (i, o) => ElementwiseDriver.Map(new Map7(3f), i[0], i[1], i[2], i[3], i[4], i[5], i[6], o[0]),
            (i, o, k) => o[0][k] = new Map7(3f).Invoke(i[0][k], i[1][k], i[2][k], i[3][k], i[4][k], i[5][k], i[6][k])),
        ["Update 1 stream"] = new(1, 1,
            (i, o) => ElementwiseDriver.Update(new Update1(0.1f), i[0], o[0]),
            (i, o, k) => new Update1(0.1f).Invoke(i[0][k], ref o[0][k])),
        ["Update 2 streams"] = new(1, 2,
            (i, o) => ElementwiseDriver.Update(new Update2(0.9f), i[0], o[0], o[1]),
            (i, o, k) => new Update2(0.9f).Invoke(i[0][k], ref o[0][k], ref o[1][k])),
        ["Update 3 streams"] = new(1, 3,
            (i, o) => ElementwiseDriver.Update(new Update3(0.3f), i[0], o[0], o[1], o[2]),
            (i, o, k) => new Update3(0.3f).Invoke(i[0][k], ref o[0][k], ref o[1][k], ref o[2][k])),
        ["Update 4 streams"] = new(1, 4,
            (i, o) => ElementwiseDriver.Update(new Update4(1e-3f), i[0], o[0], o[1], o[2], o[3]),
            (i, o, k) => new Update4(1e-3f).Invoke(i[0][k], ref o[0][k], ref o[1][k], ref o[2][k], ref o[3][k])),
        ["Update 2 streams from 4 inputs"] = new(4, 2,
            (i, o) => ElementwiseDriver.Update(new Update2From4(), i[0], i[1], i[2], i[3], o[0], o[1]),
            (i, o, k) => new Update2From4().Invoke(i[0][k], i[1][k], i[2][k], i[3][k], ref o[0][k], ref o[1][k])),
    };

    public static TheoryData<string> Forms => new(s_forms.Keys);

    private static float[][] Streams(int count, int n, int seed) =>
        [.. Enumerable.Range(0, count).Select(s => KernelSweep.Values(seed + (100 * s), n, specials: true))];

    private static float[][] Copy(float[][] streams) => [.. streams.Select(s => (float[])s.Clone())];

    private static float[][] RunDriver(Form form, SimdLevel level, float[][] inputs, float[][] outputs)
    {
        var o = Copy(outputs);
        using (new SimdLevelScope(level))
        {
            form.Driver(inputs, o);
        }

        return o;
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Form_is_bit_identical_on_every_simd_level_and_matches_the_op_element_by_element(string name)
    {
        var form = s_forms[name];
        foreach (int n in s_lengths)
        {
            var inputs = Streams(form.Inputs, n, n);
            var outputs = Streams(form.Outputs, n, n + 50);
            var expected = Copy(outputs);
            for (int k = 0; k < n; k++)
            {
                form.Element(inputs, expected, k);
            }

            foreach (var level in GlobalKernelSettings.Levels)
            {
                var got = RunDriver(form, level, inputs, outputs);
                for (int s = 0; s < got.Length; s++)
                {
                    TensorAssert.BitEqual(expected[s], got[s], $"{name} length {n} {level} stream {s}");
                }
            }
        }
    }

    [Fact]
    public void Map_may_write_over_one_of_its_inputs()
    {
        foreach (var level in GlobalKernelSettings.Levels)
        {
            using var scope = new SimdLevelScope(level);
            var x = KernelSweep.Values(1, 37);
            var y = KernelSweep.Values(2, 37);
            var z = KernelSweep.Values(3, 37);
            var expected = new float[37];
            ElementwiseDriver.Map(new Map3(0.25f), x, y, z, expected);
            ElementwiseDriver.Map(new Map3(0.25f), x, y, z, y);
            TensorAssert.BitEqual(expected, y, $"in-place ternary {level}");
        }
    }

    [Fact]
    public void A_stream_shorter_than_the_written_one_is_refused()
    {
        var act = () => ElementwiseDriver.Update(new Update2(0.9f), new float[16], new float[17], new float[17]);
        act.Should().Throw<ArgumentException>().WithParameterName("x");
        var map = () => ElementwiseDriver.Map(new Map3(0.25f), new float[17], new float[16], new float[17], new float[17]);
        map.Should().Throw<ArgumentException>().WithParameterName("y");
    }

    // The test ops: divisions and square roots (exact in IEEE, so every path rounds alike), their scalars in fields.
    private readonly struct Map1(float a, float b) : IMapOp1
    {
        public float Invoke(float x) => (x * a) / (MathF.Sqrt(x * x) + b);

        public Vector256<float> Invoke(Vector256<float> x) => (x * Vector256.Create(a)) / (Vector256.Sqrt(x * x) + Vector256.Create(b));

        public Vector512<float> Invoke(Vector512<float> x) => (x * Vector512.Create(a)) / (Vector512.Sqrt(x * x) + Vector512.Create(b));
    }

    private readonly struct Map2(float a) : IMapOp2
    {
        public float Invoke(float x, float y) => ((x - y) * a) / y;

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => ((x - y) * Vector256.Create(a)) / y;

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => ((x - y) * Vector512.Create(a)) / y;
    }

    private readonly struct Map3(float a) : IMapOp3
    {
        public float Invoke(float x, float y, float z) => (x * y) - (z * a);

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z) => (x * y) - (z * Vector256.Create(a));

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z) => (x * y) - (z * Vector512.Create(a));
    }

    private readonly struct Map7(float s) : IMapOp7
    {
        public float Invoke(float a, float b, float c, float e, float f, float g, float h) => ((a - b) * c) + ((e / f) - (g * h * s));

        public Vector256<float> Invoke(
            Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> e, Vector256<float> f, Vector256<float> g, Vector256<float> h) =>
            ((a - b) * c) + ((e / f) - (g * h * Vector256.Create(s)));

        public Vector512<float> Invoke(
            Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> e, Vector512<float> f, Vector512<float> g, Vector512<float> h) =>
            ((a - b) * c) + ((e / f) - (g * h * Vector512.Create(s)));
    }

    private readonly struct Update1(float s) : IUpdateOp1
    {
        public void Invoke(float x, ref float a) => a -= x * s;

        public void Invoke(Vector256<float> x, ref Vector256<float> a) => a -= x * Vector256.Create(s);

        public void Invoke(Vector512<float> x, ref Vector512<float> a) => a -= x * Vector512.Create(s);
    }

    private readonly struct Update2(float s) : IUpdateOp2
    {
        public void Invoke(float x, ref float a, ref float b)
        {
            b = (b * s) - x;
            a += b / (MathF.Sqrt(x * x) + s);
        }

        public void Invoke(Vector256<float> x, ref Vector256<float> a, ref Vector256<float> b)
        {
            b = (b * Vector256.Create(s)) - x;
            a += b / (Vector256.Sqrt(x * x) + Vector256.Create(s));
        }

        public void Invoke(Vector512<float> x, ref Vector512<float> a, ref Vector512<float> b)
        {
            b = (b * Vector512.Create(s)) - x;
            a += b / (Vector512.Sqrt(x * x) + Vector512.Create(s));
        }
    }

    private readonly struct Update3(float s) : IUpdateOp3
    {
        public void Invoke(float x, ref float a, ref float b, ref float c)
        {
            b += x;
            c -= b * s;
            a = (a * c) + x;
        }

        public void Invoke(Vector256<float> x, ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c)
        {
            b += x;
            c -= b * Vector256.Create(s);
            a = (a * c) + x;
        }

        public void Invoke(Vector512<float> x, ref Vector512<float> a, ref Vector512<float> b, ref Vector512<float> c)
        {
            b += x;
            c -= b * Vector512.Create(s);
            a = (a * c) + x;
        }
    }

    private readonly struct Update4(float s) : IUpdateOp4
    {
        public void Invoke(float x, ref float a, ref float b, ref float c, ref float e)
        {
            b += x;
            c = MathF.Max(c, b);
            e -= c * s;
            a -= e / (MathF.Sqrt(c * c) + s);
        }

        public void Invoke(Vector256<float> x, ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c, ref Vector256<float> e)
        {
            b += x;
            c = Vector256.Max(c, b);
            e -= c * Vector256.Create(s);
            a -= e / (Vector256.Sqrt(c * c) + Vector256.Create(s));
        }

        public void Invoke(Vector512<float> x, ref Vector512<float> a, ref Vector512<float> b, ref Vector512<float> c, ref Vector512<float> e)
        {
            b += x;
            c = Vector512.Max(c, b);
            e -= c * Vector512.Create(s);
            a -= e / (Vector512.Sqrt(c * c) + Vector512.Create(s));
        }
    }

    private readonly struct Update2From4 : IUpdateOp2With4Inputs
    {
        public void Invoke(float x, float y, float z, float w, ref float a, ref float b)
        {
            a += x * y;
            b += (z - w) * a;
        }

        public void Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z, Vector256<float> w, ref Vector256<float> a, ref Vector256<float> b)
        {
            a += x * y;
            b += (z - w) * a;
        }

        public void Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z, Vector512<float> w, ref Vector512<float> a, ref Vector512<float> b)
        {
            a += x * y;
            b += (z - w) * a;
        }
    }
}
