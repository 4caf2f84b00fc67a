if (args.Length > 0 && args[0] == "direct") return TorchSla.Bench.Direct.DirectBench.Run(args[1..]);
Console.WriteLine("bench: placeholder");
return 0;
