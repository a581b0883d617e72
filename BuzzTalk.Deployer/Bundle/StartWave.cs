namespace BuzzTalk.Deployer.Bundle;

/// <summary>
/// One start wave of the stack (<c>x-buzztalk: start-order</c>): a stack file with the app
/// services of the waves up to this one, deployed before the whole stack, and the services of
/// this wave, whose tasks must run before the next wave starts.
/// </summary>
public sealed record StartWave(string File, IReadOnlyList<string> Services);
