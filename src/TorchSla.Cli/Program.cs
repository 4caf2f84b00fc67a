Console.WriteLine("torchsla: placeholder");
return 0;
