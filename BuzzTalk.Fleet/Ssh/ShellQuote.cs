using System.Text;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>
/// POSIX shell quoting: every argument becomes one single-quoted word, so nothing in it is ever
/// interpreted (no expansion, no command substitution, no word splitting).
/// </summary>
public static class ShellQuote
{
    public static string Quote(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        if (argument.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A shell argument cannot contain NUL.", nameof(argument));
        }

        return "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A command line of the program and its arguments, each quoted.</summary>
    public static string Join(string program, IEnumerable<string> arguments)
    {
        var line = new StringBuilder(Quote(program));
        foreach (var argument in arguments)
        {
            line.Append(' ').Append(Quote(argument));
        }

        return line.ToString();
    }
}
