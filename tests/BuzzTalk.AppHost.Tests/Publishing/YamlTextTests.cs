using BuzzTalk.Publishing;
using YamlDotNet.RepresentationModel;

namespace BuzzTalk.AppHost.Tests.Publishing;

public sealed class YamlTextTests
{
    [Theory]
    [InlineData("true")]
    [InlineData("yes")]
    [InlineData("off")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("0.7")]
    [InlineData("1e3")]
    [InlineData("127.0.0.1:9093")]
    [InlineData("a: b")]
    [InlineData("# not a comment")]
    [InlineData(" padded ")]
    [InlineData("{{ $labels.instance }} is down")]
    [InlineData("scalecontainer=\"true\"")]
    public void Strings_a_go_yaml_reader_would_retype_are_quoted_and_read_back_unchanged(string value)
    {
        var text = YamlText.Write(YamlText.Map(("key", YamlText.Str(value))));
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var scalar = (YamlScalarNode)((YamlMappingNode)stream.Documents[0].RootNode)["key"];

        Assert.Equal(value, scalar.Value);
        if (value is "true" or "yes" or "off" or "null" or "~" or "" or "0.7" or "1e3")
        {
            Assert.NotEqual(YamlDotNet.Core.ScalarStyle.Plain, scalar.Style);
        }
    }

    [Fact]
    public void Plain_words_stay_plain_and_the_text_ends_with_one_newline()
    {
        var text = YamlText.Write(YamlText.Map(("job_name", YamlText.Str("node-exporter")), ("interval", YamlText.Str("15s")), ("count", YamlText.Num(3))), "header");

        Assert.Equal("# header\njob_name: node-exporter\ninterval: 15s\ncount: 3\n", text);
    }
}
