using System.Numerics;

namespace TorchSla.Solvers;

/// <summary>
/// The vector operations a Krylov, eigen or Newton method needs, separated from where the
/// vectors live: one device (<see cref="SingleDeviceVectorSpace{T}"/>) or, later, rows spread
/// over MPI ranks, where <see cref="Dot"/> ends in an all-reduce. An algorithm written once
/// against this interface and <see cref="ILinearOperator{T}"/> runs on all of them.
/// Every vector passed in must have come from <see cref="Create"/> (same length, same device).
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public interface IVectorSpace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of entries of a vector held here (the local part on a distributed space).</summary>
    int Length { get; }

    /// <summary>The device the vectors live on.</summary>
    Device Device { get; }

    /// <summary>A new vector of zeros. Allocate work vectors once, before iterating.</summary>
    Tensor<T> Create();

    /// <summary>The inner product xᵀy = Σ x_i·y_i over the whole space, in a deterministic order.</summary>
    T Dot(Tensor<T> x, Tensor<T> y);

    /// <summary>The Euclidean norm ‖x‖₂ = √(xᵀx).</summary>
    T Norm(Tensor<T> x);

    /// <summary>The maximum norm ‖x‖∞ = max_i |x_i| (NaN if any entry is NaN: used to detect non-finite input).</summary>
    T NormInf(Tensor<T> x);

    /// <summary>y ← α·x + β·y. When β = 0, y is not read.</summary>
    void Axpby(T alpha, Tensor<T> x, T beta, Tensor<T> y);

    /// <summary>destination ← source.</summary>
    void Copy(Tensor<T> source, Tensor<T> destination);

    /// <summary>x_i ← value for every i.</summary>
    void Fill(Tensor<T> x, T value);

    // ------------------------------------------------------------- device-resident scalars (fused CG steps)
    // A scalar block (CgScalars layout) lives where the vectors live; the operations below read and write it
    // there, so a solver reads scalars back only when it calls ReadScalars (every SolveOptions.CheckEvery
    // iterations). On a distributed space the dots end in an all-reduce into every rank's block.

    /// <summary>How often, by default, a solver on this space reads its scalar block back (1 on the CPU, where it is free).</summary>
    int DefaultCheckEvery { get; }

    /// <summary>A zeroed block of <paramref name="length"/> scalars where the vectors live.</summary>
    Tensor<T> CreateScalars(int length);

    /// <summary>Copies a scalar block to the host (waits for the device): the solver's read-back (counted by <see cref="Kernels.ScalarReadBacks"/>).</summary>
    void ReadScalars(Tensor<T> scalars, Span<T> destination);

    /// <summary>Overwrites a scalar block with host values.</summary>
    void WriteScalars(ReadOnlySpan<T> source, Tensor<T> scalars);

    /// <summary>scalars[slot] = xᵀy, without reading it back.</summary>
    void DotInto(Tensor<T> x, Tensor<T> y, Tensor<T> scalars, int stride, int slot);

    /// <summary>y = A·x and scalars[slot] = xᵀy (fused into one pass when A is a sparse matrix on this device).</summary>
    void ApplyDot(ILinearOperator<T> a, Tensor<T> x, Tensor<T> y, Tensor<T> scalars, int stride, int slot);

    /// <summary>CG's fused x/r update with α from the scalar block (see <see cref="Kernels.Backend.CgUpdate{T}"/>; x = null defers x's part).</summary>
    void CgUpdate(Tensor<T>? x, Tensor<T>? p, Tensor<T> r, Tensor<T> q, Tensor<T>? inverseDiagonal, Tensor<T> scalars, int stride,
        int rhoSlot, int rhoNewSlot, int iteration);

    /// <summary>CG's p = z + β·p with β from the scalar block (see <see cref="Kernels.Backend.CgDirection{T}"/>).</summary>
    void CgDirection(Tensor<T> z, Tensor<T>? inverseDiagonal, Tensor<T> p, Tensor<T> scalars, int stride,
        int rhoNewSlot, int rhoSlot, int iteration);

    /// <summary>
    /// Whether <see cref="CgDirectionApplyDot"/> can run with <paramref name="a"/> (a sparse matrix on this device
    /// matching the space's systems); a solver otherwise takes the three-pass iteration.
    /// </summary>
    bool CanFuseDirectionApply(ILinearOperator<T> a);

    /// <summary>
    /// Pass 1 of two-pass CG (see <see cref="Kernels.Backend.CgDirectionSpMVDot{T}"/>): the deferred x update, then
    /// p_new = z + β·p_old, q = A·p_new and pᵀq in one sweep over A. Pass 2 is <see cref="CgUpdate"/> with x = null.
    /// </summary>
    void CgDirectionApplyDot(ILinearOperator<T> a, Tensor<T> r, Tensor<T>? inverseDiagonal, Tensor<T> pOld, Tensor<T> pNew,
        Tensor<T> x, Tensor<T> q, Tensor<T> scalars, int stride, int rhoNewSlot, int rhoSlot, int iteration);

    // ------------------------------------------------------------- GMRES: a basis block and CGS2 on the device
    // The Arnoldi basis is one block of vectors stored one after another (CreateBlock), so that V[0..j]ᵀ·w and
    // w − V[0..j]·h are one pass each; the coefficients, the Hessenberg column, the Givens rotations and the residual
    // estimate stay in a scalar block (Kernels.GmresScalars) until the solver reads it back. On a distributed space the
    // multi-dot ends in one all-reduce of j + 1 values.

    /// <summary>A zeroed block of <paramref name="count"/> vectors of this space, stored one after another (one allocation).</summary>
    Tensor<T> CreateBlock(int count);

    /// <summary>block[row] ← x.</summary>
    void CopyIntoBlock(Tensor<T> x, Tensor<T> block, int row);

    /// <summary>scalars[slot + i] = block[i]ᵀ·w for i &lt; <paramref name="count"/>, in one pass, nothing read back.</summary>
    void MultiDotInto(Tensor<T> block, int count, Tensor<T> w, Tensor<T> scalars, int slot);

    /// <summary>
    /// w ← w + α·Σ_{i&lt;count} coefficients[slot + i]·block[i], and coefficients[normSlot] = ‖w‖² of the result when
    /// <paramref name="normSlot"/> ≥ 0, in one pass (see <see cref="Kernels.Backend.MultiAxpy{T}"/>).
    /// </summary>
    void MultiAxpy(Tensor<T> block, int count, Tensor<T> coefficients, int slot, T alpha, Tensor<T> w, int normSlot);

    /// <summary>block[row] ← σ·x (and <paramref name="copy"/> ← σ·x when given), σ = scalars[slot] on the device; σ = 0 writes zeros.</summary>
    void ScaleIntoBlock(Tensor<T> x, Tensor<T> scalars, int slot, Tensor<T> block, int row, Tensor<T>? copy);

    /// <summary>Step <paramref name="column"/>'s Hessenberg column, Givens rotation, estimate and status in a GMRES scalar block (see <see cref="Kernels.Backend.ArnoldiColumn{T}"/>).</summary>
    void ArnoldiColumn(Tensor<T> scalars, int restart, int column);

    /// <summary>BiCGStab's p = r + β·(p − ω·v) with β, ω from the scalar block (see <see cref="Kernels.Backend.BiCgStabDirection{T}"/>).</summary>
    void BiCgStabDirection(Tensor<T> r, Tensor<T> v, Tensor<T> p, Tensor<T> scalars, int stride, int iteration);

    /// <summary>BiCGStab's s = r − α·v over r with ‖s‖² (see <see cref="Kernels.Backend.BiCgStabHalfStep{T}"/>).</summary>
    void BiCgStabHalfStep(Tensor<T> r, Tensor<T> v, Tensor<T> scalars, int stride, int iteration);

    /// <summary>BiCGStab's x += α·p̂ + ω·ŝ, r = s − ω·t with ‖r‖² (see <see cref="Kernels.Backend.BiCgStabFinish{T}"/>).</summary>
    void BiCgStabFinish(Tensor<T> x, Tensor<T> pHat, Tensor<T> sHat, Tensor<T> r, Tensor<T> t, Tensor<T> scalars, int stride, int iteration);
}
