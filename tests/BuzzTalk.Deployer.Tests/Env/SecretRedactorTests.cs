using BuzzTalk.Deployer.Env;

namespace BuzzTalk.Deployer.Tests.Env;

/// <summary>Secret values are masked in any text; other values are left alone.</summary>
public sealed class SecretRedactorTests
{
    [Fact]
    public void Values_of_secret_keys_are_masked_everywhere_in_a_text()
    {
        var env = EnvFile.Parse("""
            MYSQL_DB_PASSWORD=hunter2pw
            DJANGO_SECRET_KEY=django-key-123
            GHCR_TOKEN=ghp_abcdef
            REDIS_URL=redis://:r3d1s%40pw@10.0.0.5:6379/0
            MYSQL_DB_USER=buzzuser
            MYSQL_DB_HOST=10.0.0.4
            """);
        var redact = SecretRedactor.RedactedSecrets(env);

        var text = redact("ssh: auth failed for buzzuser with hunter2pw (again hunter2pw); key django-key-123; token ghp_abcdef; "
            + "redis redis://:r3d1s%40pw@10.0.0.5:6379/0 said NOAUTH for r3d1s@pw and r3d1s%40pw; host 10.0.0.4");

        Assert.Equal("ssh: auth failed for buzzuser with *** (again ***); key ***; token ***; "
            + "redis *** said NOAUTH for *** and ***; host 10.0.0.4", text);
    }

    [Fact]
    public void A_secret_containing_another_is_masked_whole()
    {
        var redact = SecretRedactor.RedactedSecrets(EnvFile.Parse("A_PASSWORD=abc\nB_PASSWORD=abcdef"));

        Assert.Equal("*** ***", redact("abcdef abc"));
    }

    [Fact]
    public void Key_markers_match_in_any_case_and_empty_values_mask_nothing()
    {
        var redact = SecretRedactor.RedactedSecrets(EnvFile.Parse("discord_webhook_url=https://discord.example/api/x\nEMPTY_PASSWORD=\nPLAIN=visible"));

        Assert.Equal("*** visible", redact("https://discord.example/api/x visible"));
    }

    [Fact]
    public void A_file_that_does_not_parse_still_has_its_secret_values_masked()
    {
        // An unterminated quote and a key that is no name: EnvFile.Parse refuses this file.
        const string Edited = "MYSQL_DB_PASSWORD=\"hunter2pw\"\nREDIS_URL='redis://:r3d1s@10.0.0.5:6379/0\n9ConnectionStrings__db=mysql://u:db-pw@h/d\nMYSQL_DB_HOST=10.0.0.4\n";
        Assert.Throws<EnvFileInvalidException>(() => EnvFile.Parse(Edited));

        var redact = SecretRedactor.RedactedLines(Edited);

        Assert.Equal("*** *** *** 10.0.0.4", redact("hunter2pw r3d1s db-pw 10.0.0.4"));
    }
}
