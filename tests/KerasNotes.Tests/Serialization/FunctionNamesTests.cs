using KerasNotes.Serialization;

namespace KerasNotes.Tests.Serialization;

/// <summary>How an unregistered loss or metric function is named in logs and files (Keras: the function's __name__).</summary>
public sealed class FunctionNamesTests
{
    [Theory]
    [InlineData("WeightedMse", "WeightedMse")]                   // a named method
    [InlineData("<<Main>$>g__FocalLoss|0_2", "FocalLoss")]       // a local function in top-level statements
    [InlineData("<Train>g__Huber|5_0", "Huber")]                 // a local function in a method
    [InlineData("<FocalLoss>b__3_0", "FocalLoss")]               // a lambda returned by a method FocalLoss(gamma)
    [InlineData("<<Main>$>b__0_1", FunctionNames.Anonymous)]     // a lambda in top-level statements
    [InlineData("<.ctor>b__2_0", FunctionNames.Anonymous)]       // a lambda in a constructor
    public void Compiler_generated_names_become_the_name_a_reader_would_give(string methodName, string expected) =>
        FunctionNames.Of(methodName).Should().Be(expected);
}
