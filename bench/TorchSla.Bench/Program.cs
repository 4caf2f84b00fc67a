if (args.Length > 0 && args[0].StartsWith("gpu-", StringComparison.Ordinal)) return TorchSla.Bench.Gpu.GpuSpmvHarness.Run(args);
Console.WriteLine("bench: placeholder");
return 0;
