using KerasNotes.Regularizers;

namespace KerasNotes.Tests.Regularizers;

/// <summary>
/// Regularizer configs carry the keys Keras 3.15 writes (keras-team/keras v3.15.1:
/// keras/src/regularizers/regularizers.py get_config of L1, L2 and L1L2).
/// </summary>
public sealed class RegularizerConfigKeyTests
{
    [Fact]
    public void Each_regularizer_config_has_the_keys_Keras_3_15_writes_in_Keras_order()
    {
        new L1(0.01).GetConfig().Keys.Should().Equal("l1");
        new L2(0.01).GetConfig().Keys.Should().Equal("l2");
        new L1L2(0.01, 0.02).GetConfig().Keys.Should().Equal("l1", "l2");
    }
}
