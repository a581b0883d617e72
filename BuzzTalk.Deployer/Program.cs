using BuzzTalk.Deployer.Cli;

// One binary: the CLI (plan, deploy, rollback, status, lease, render-env, tunnel) and, with
// `serve` (how the AppHost starts it), the HTTP service doing the same operations.
return await DeployerCli.RunAsync(args);
