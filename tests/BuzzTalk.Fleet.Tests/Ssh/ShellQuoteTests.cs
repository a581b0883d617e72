using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Tests.Ssh;

public sealed class ShellQuoteTests
{
    [Theory]
    [InlineData("backend", "'backend'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("$(rm -rf /); `id` | && > x", "'$(rm -rf /); `id` | && > x'")]
    public void Every_argument_becomes_one_single_quoted_word(string argument, string quoted)
    {
        Assert.Equal(quoted, ShellQuote.Quote(argument));
    }

    [Fact]
    public void A_nul_byte_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ShellQuote.Quote("a\0b"));
    }

    [Fact]
    public void A_command_line_quotes_the_program_and_each_argument()
    {
        Assert.Equal("'docker' 'service' 'scale' 'backend=2'", ShellQuote.Join("docker", ["service", "scale", "backend=2"]));
    }
}
