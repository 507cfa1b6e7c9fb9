namespace KerasNotes;

/// <summary>Which Sobel image the Sobel kernel writes.</summary>
internal enum SobelOutput
{
    /// <summary>The derivative along columns (left to right), OpenCV <c>dx = 1</c>.</summary>
    X,

    /// <summary>The derivative along rows (top to bottom), OpenCV <c>dy = 1</c>.</summary>
    Y,

    /// <summary><c>sqrt(gx² + gy²)</c> in float32.</summary>
    Magnitude,
}
