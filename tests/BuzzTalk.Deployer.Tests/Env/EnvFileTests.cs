using System.Text;
using BuzzTalk.Deployer.Env;

namespace BuzzTalk.Deployer.Tests.Env;

/// <summary>The strict dotenv syntax: every accepted form, and every refusal with its line and without the value.</summary>
public sealed class EnvFileTests
{
    private const string Secret = "s3cr3t-Value";

    private static string Value(string text, string key = "KEY") => EnvFile.Parse(text).Values[key];

    [Theory]
    [InlineData("KEY=plain", "plain")]
    [InlineData("KEY=  padded  ", "padded")]
    [InlineData("KEY =\tpadded", "padded")]
    [InlineData("KEY=", "")]
    [InlineData("KEY=a b c", "a b c")]
    [InlineData("KEY=a#b", "a#b")]
    [InlineData("KEY=#b", "#b")]
    [InlineData("KEY=a #comment", "a")]
    [InlineData("KEY=a\t#comment", "a")]
    [InlineData("KEY= #comment", "")]
    [InlineData("KEY=a=b=c", "a=b=c")]
    [InlineData("KEY=it's", "it's")]
    [InlineData("export KEY=exported", "exported")]
    [InlineData("  export\tKEY=exported", "exported")]
    [InlineData("KEY='literal \\n $HOME \" #x'", "literal \\n $HOME \" #x")]
    [InlineData("KEY='  kept  '", "  kept  ")]
    [InlineData("KEY='a' # comment", "a")]
    [InlineData("KEY=''", "")]
    [InlineData("KEY=\"line1\\nline2\"", "line1\nline2")]
    [InlineData("KEY=\"say \\\"hi\\\" \\\\ back\"", "say \"hi\" \\ back")]
    [InlineData("KEY=\"a # not a comment\"", "a # not a comment")]
    [InlineData("KEY=\"a\"  # comment", "a")]
    [InlineData("KEY=value\r", "value")]
    public void Values_follow_the_syntax(string line, string expected) => Assert.Equal(expected, Value(line));

    [Fact]
    public void Comments_and_blank_lines_are_skipped_and_line_numbers_kept()
    {
        var env = EnvFile.Parse("# header\n\n   \nA=1\n  # indented comment\nexport B=2\n");

        Assert.Equal(["A", "B"], env.Entries.Select(e => e.Key));
        Assert.Equal([4, 6], env.Entries.Select(e => e.LineNumber));
    }

    [Fact]
    public void A_key_named_export_is_a_key()
    {
        Assert.Equal("1", Value("export=1", "export"));
    }

    [Fact]
    public void A_utf8_bom_and_crlf_line_ends_are_accepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("A=1\r\nB=\"two\"\r\n")).ToArray();

        var env = EnvFile.Parse(bytes);

        Assert.Equal("1", env.Values["A"]);
        Assert.Equal("two", env.Values["B"]);
    }

    [Fact]
    public void Non_ascii_utf8_values_are_kept()
    {
        Assert.Equal("pässwörd✓", EnvFile.Parse(Encoding.UTF8.GetBytes("KEY=pässwörd✓\n")).Values["KEY"]);
    }

    [Theory]
    [InlineData("A=1\nA=2", 2, "duplicate key 'A' (first set on line 1)")]
    [InlineData("A=1\n" + Secret, 2, "no '='")]
    [InlineData("A=1\n\nKEY='" + Secret, 3, "unterminated single-quoted value of 'KEY'")]
    [InlineData("KEY=\"" + Secret, 1, "unterminated double-quoted value of 'KEY'")]
    [InlineData("KEY=\"" + Secret + "\\\"", 1, "unterminated double-quoted value of 'KEY'")]
    [InlineData("KEY=\"" + Secret + "\\t\"", 1, "unsupported escape in the value of 'KEY'")]
    [InlineData("KEY='" + Secret + "'tail", 1, "unexpected text after the closing quote of 'KEY'")]
    [InlineData("KEY=\"" + Secret + "\"#x", 1, "unexpected text after the closing quote of 'KEY'")]
    [InlineData("1KEY=" + Secret, 1, "the key is not a valid name")]
    [InlineData("MY-KEY=" + Secret, 1, "the key is not a valid name")]
    [InlineData("=" + Secret, 1, "the key is not a valid name")]
    [InlineData("A=1\nKEY=" + Secret + "\0", 2, "contains a NUL character")]
    [InlineData("export " + Secret, 1, "no '='")]
    public void Errors_name_the_line_and_reason_but_not_the_value(string text, int line, string reason)
    {
        var e = Assert.Throws<EnvFileInvalidException>(() => EnvFile.Parse(text));

        Assert.Equal(line, e.LineNumber);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"line {line}: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_its_line()
    {
        var bytes = Encoding.UTF8.GetBytes("A=1\nB=2\nKEY=s3cr3t").Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();

        var e = Assert.Throws<EnvFileInvalidException>(() => EnvFile.Parse(bytes));

        Assert.Equal(3, e.LineNumber);
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_in_text_is_refused_with_its_line()
    {
        var e = Assert.Throws<EnvFileInvalidException>(() => EnvFile.Parse("A=1\nKEY=x\uD800y"));

        Assert.Equal(2, e.LineNumber);
    }

    [Fact]
    public async Task Load_reads_a_file_as_bytes()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, [.. Encoding.UTF8.GetBytes("KEY=ok\n"), 0xFF]);

            var e = Assert.Throws<EnvFileInvalidException>(() => EnvFile.Load(path));

            Assert.Equal(2, e.LineNumber);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Entries_do_not_print_their_values()
    {
        var entry = EnvFile.Parse("KEY=" + Secret).Entries[0];

        Assert.Equal("KEY (line 1)", entry.ToString());
    }
}
