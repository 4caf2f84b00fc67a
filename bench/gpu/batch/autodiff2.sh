# sample: samples/DiffusionFit/DiffusionFit.csproj
# Autodiff on the GPU (issue 6): the Cuda autodiff tests on the real device, backward vs forward of a CG
# solve through the tape on 2D Poisson 2000² (4M DOF), and the DiffusionFit sample on cuda.
set -u
O="$OUT/autodiff2"; mkdir -p "$O"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
echo "== autodiff tests on cuda:0 (TORCHSLA_TEST_DEVICE=$TORCHSLA_TEST_DEVICE)"
timeout 35 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll --filter-class "*GpuGradTests*" --filter-class "*GpuAutodiffKernelTests*" 2>&1 | tail -15
echo "== backward vs forward, CG, 2D Poisson 2000² on cuda"
timeout 75 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll autodiff-solve 2000 --device cuda 2>&1 | tail -12
echo "== DiffusionFit on cuda (16×16 grid, 40 steps)"
timeout 30 dotnet .device/samples/DiffusionFit/DiffusionFit.dll --device cuda 16 40 2>&1 | tail -12
echo "exit: $?"
