namespace KerasNotes.Plotting.Tests;

public sealed class MetricFamiliesTests
{
    [Theory]
    [InlineData("loss", "loss")]
    [InlineData("val_loss", "loss")]
    [InlineData("val_accuracy", "accuracy")]
    [InlineData("learning_rate", "learning_rate")]
    [InlineData("val_", "val_")]
    public void A_key_belongs_to_the_family_of_its_name_without_val(string key, string family)
    {
        MetricFamilies.Of(key).Should().Be(family);
    }

    [Fact]
    public void Families_keep_the_order_of_their_first_key()
    {
        var families = MetricFamilies.Group(["val_accuracy", "loss", "accuracy", "val_loss", "learning_rate"]);

        families.Select(f => f.Family).Should().Equal("accuracy", "loss", "learning_rate");
        families[0].Keys.Should().Equal("val_accuracy", "accuracy");
        families[1].Keys.Should().Equal("loss", "val_loss");
    }
}
