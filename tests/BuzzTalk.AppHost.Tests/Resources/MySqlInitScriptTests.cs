using BuzzTalk.AppHost.Resources;

namespace BuzzTalk.AppHost.Tests.Resources;

public sealed class MySqlInitScriptTests
{
    [Fact]
    public void The_script_creates_the_database_and_user_and_resets_the_password()
    {
        var sql = MySqlResources.InitScript("buzztalk", "chat", "secret");

        Assert.Contains("CREATE DATABASE IF NOT EXISTS `buzztalk` CHARACTER SET utf8mb4", sql, StringComparison.Ordinal);
        Assert.Contains("CREATE USER IF NOT EXISTS 'chat'@'%' IDENTIFIED BY 'secret';", sql, StringComparison.Ordinal);
        Assert.Contains("ALTER USER 'chat'@'%' IDENTIFIED BY 'secret';", sql, StringComparison.Ordinal);
        Assert.Contains("GRANT ALL PRIVILEGES ON `buzztalk`.* TO 'chat'@'%';", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Quotes_and_backslashes_in_the_password_stay_inside_the_string_literal()
    {
        var sql = MySqlResources.InitScript("buzztalk", "chat", @"a'b\c");

        Assert.Contains(@"IDENTIFIED BY 'a''b\\c';", sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("buzz`talk", "chat")]
    [InlineData("buzztalk", "chat'@'%")]
    [InlineData("", "chat")]
    [InlineData("buzztalk", "a_user_name_longer_than_32_chars_x")]
    public void Names_that_are_not_plain_identifiers_are_rejected(string database, string user)
    {
        Assert.Throws<ArgumentException>(() => MySqlResources.InitScript(database, user, "secret"));
    }
}
