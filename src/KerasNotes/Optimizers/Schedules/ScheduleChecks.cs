namespace KerasNotes.Optimizers.Schedules;

internal static class ScheduleChecks
{
    public static void NonNegative(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be a non-negative finite number.");
        }
    }

    public static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be a positive number of steps.");
        }
    }
}
