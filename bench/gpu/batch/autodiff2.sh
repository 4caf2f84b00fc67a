# sample: samples/DiffusionFit/DiffusionFit.csproj
# Autodiff on the GPU (issue 6): the autodiff GPU tests on the real device (kernels of Pointwise/Binary/Sddmm vs the
# CPU twins, gradients on cuda vs cpu), backward vs forward of a CG solve through the tape on 2D Poisson 2000²
# (4M DOF) on cuda, the DiffusionFit sample on cuda, then the CPU ratios on 2D Poisson 500² (250K) and the
# log|det| gradient on this host.
set -u
O="$OUT/autodiff2"; mkdir -p "$O"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
nproc; uptime
echo "== autodiff GPU tests (TORCHSLA_TEST_DEVICE=${TORCHSLA_TEST_DEVICE:-unset})"
timeout 40 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*GpuGradTests*" -class "*GpuAutodiffKernelTests*" 2>&1 | grep -v "^\s*at " | tail -25
echo "== backward vs forward, CG, 2D Poisson 2000² on cuda"
timeout 50 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll autodiff-solve 2000 --device cuda 2>&1 | tail -12
echo "== DiffusionFit on cuda (16×16 grid, 40 steps)"
timeout 25 dotnet .device/samples/DiffusionFit/DiffusionFit.dll --device cuda 16 40 2>&1 | tail -12
echo "== CPU: backward vs forward, Cholesky, 2D Poisson 500²"
timeout 20 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll autodiff-solve 500 --method cholesky 2>&1 | tail -6
echo "== CPU: backward vs forward, CG, 2D Poisson 500²"
timeout 25 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll autodiff-solve 500 2>&1 | tail -6
echo "== CPU: log|det| and its gradient (selected inverse), 2D Poisson 500² Cholesky and 200² LU"
timeout 15 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll autodiff-logdet 500 2>&1 | tail -3
timeout 15 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll autodiff-logdet 200 --method lu 2>&1 | tail -3
