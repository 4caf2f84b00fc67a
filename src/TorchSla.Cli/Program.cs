// The torchsla command: all logic is in CliApp so that tests run it in-process.
return TorchSla.Cli.CliApp.Run(args, Console.Out, Console.Error);
