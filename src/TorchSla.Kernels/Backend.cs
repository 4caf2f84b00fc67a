using System.Numerics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels;

/// <summary>
/// The small set of primitives every device implements. Everything above (tensor algebra,
/// Krylov, eigen, Newton) is written once against it; only these have a CPU and a GPU twin.
/// Offsets and lengths are in elements. Dense matrices are row-major.
/// </summary>
public abstract partial class Backend
{
    /// <summary>The device this backend drives.</summary>
    public abstract Device Device { get; }

    /// <summary>A one-line description (device name, memory, threads).</summary>
    public abstract string Description { get; }

    /// <summary>Allocates zeroed storage for <paramref name="length"/> elements.</summary>
    public abstract Storage<T> Allocate<T>(int length) where T : unmanaged;

    /// <summary>
    /// Zeroed storage for a temporary that nothing references after it is disposed (a solver's work vector): the same as
    /// <see cref="Allocate{T}"/>, except that the CPU backend hands the array to its next allocation of that length once the
    /// storage is disposed, so that the memory is not faulted in afresh.
    /// </summary>
    public virtual Storage<T> AllocateScratch<T>(int length) where T : unmanaged => Allocate<T>(length);

    /// <summary>Allocates storage holding a copy of <paramref name="data"/>.</summary>
    public virtual Storage<T> Upload<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        var s = Allocate<T>(data.Length);
        s.CopyFrom(data);
        return s;
    }

    /// <summary>Copies <paramref name="length"/> elements between two storages of this device.</summary>
    public abstract void Copy<T>(Storage<T> src, int srcOffset, Storage<T> dst, int dstOffset, int length) where T : unmanaged;

    /// <summary>Sets <paramref name="length"/> elements of <paramref name="dst"/> to <paramref name="value"/>.</summary>
    public abstract void Fill<T>(Storage<T> dst, int offset, int length, T value) where T : unmanaged;

    /// <summary>
    /// y = α·A·x + β·y for a CSR matrix whose values start at <paramref name="valOffset"/>
    /// (batched matrices share indices and store value sets one after another).
    /// When β = 0, y is not read (NaN in y does not leak).
    /// </summary>
    public abstract void SpMV<T>(CsrIndices a, Storage<T> values, int valOffset,
        Storage<T> x, int xOffset, Storage<T> y, int yOffset, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Declares that the matrix (pattern <paramref name="a"/>, values[valOffset, +nnz)) is about to be applied many times
    /// with these values unchanged (a Krylov solve's operator; called before each product), so that a backend may build a
    /// faster storage of it (at once, or once the calls show it will pay) and use it in <see cref="SpMV{T}"/>, <see cref="SpMVDot{T}"/> and <see cref="CgDirectionSpMVDot{T}"/> with the
    /// same arguments while the values storage lives. The caller promises not to write those values afterwards. Results
    /// have the same bits either way. Default: nothing (the CPU backend builds a compressed CSR, Cpu.CsrCompression).
    /// </summary>
    public virtual void PrepareRepeatedSpMV<T>(CsrIndices a, Storage<T> values, int valOffset)
        where T : unmanaged, IFloatingPointIeee754<T> { }

    /// <summary>
    /// y_b = α·A_b·x_b + β·y_b for the <paramref name="batch"/> matrices of a batch sharing one
    /// pattern: values of matrix b start at valOffset + b·nnz, x_b at xOffset + b·xStride
    /// (xStride = 0 broadcasts one x to every matrix), y_b at yOffset + b·rows. A GPU backend does
    /// the whole batch in one launch; the default loops over <see cref="SpMV{T}"/>.
    /// </summary>
    public virtual void SpMVBatched<T>(CsrIndices a, Storage<T> values, int valOffset, int batch,
        Storage<T> x, int xOffset, int xStride, Storage<T> y, int yOffset, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        for (int b = 0; b < batch; b++)
            SpMV(a, values, valOffset + b * a.Nnz, x, xOffset + b * xStride, y, yOffset + b * a.Rows, alpha, beta);
    }

    /// <summary>
    /// Y = α·A·X + β·Y with X row-major [A.Cols, k] and Y row-major [A.Rows, k]. When β = 0, Y is not read.
    /// </summary>
    public abstract void SpMM<T>(CsrIndices a, Storage<T> values, int valOffset,
        Storage<T> x, int xOffset, Storage<T> y, int yOffset, int k, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y = α·x + β·y over <paramref name="length"/> elements. When β = 0, y is not read.</summary>
    public abstract void Axpby<T>(T alpha, Storage<T> x, int xOffset, T beta, Storage<T> y, int yOffset, int length)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Σ x_i·y_i, summed in a fixed order that depends only on the length (the same bits on
    /// every run and every thread count).
    /// </summary>
    public abstract T Dot<T>(Storage<T> x, int xOffset, Storage<T> y, int yOffset, int length)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y = scale·op(x) elementwise over <paramref name="length"/> elements (x and y may be the same storage).</summary>
    public abstract void Map<T>(UnaryOp op, T scale, Storage<T> x, int xOffset, Storage<T> y, int yOffset, int length)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// dst[dstOffset + i] = (accumulate ? dst[dstOffset + i] : 0) + scale·src[srcOffset + index[indexOffset + i]]
    /// for i &lt; count; a negative index contributes 0. This moves values between patterns
    /// (transpose, union of two patterns) whose maps were computed once on the host.
    /// </summary>
    public abstract void Gather<T>(Storage<T> src, int srcOffset, Storage<int> index, int indexOffset,
        Storage<T> dst, int dstOffset, int count, T scale, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Reduces <paramref name="length"/> elements in a fixed order (same bits every run on a device).</summary>
    public abstract T Reduce<T>(ReduceOp op, Storage<T> x, int offset, int length)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// result[resultOffset + r] = reduction over the stored entries of row r of one CSR value set
    /// (e.g. <see cref="ReduceOp.SumAbs"/> gives the row sums of |A| behind the ∞-norm).
    /// An empty row gets the reduction's identity.
    /// </summary>
    public abstract void RowReduce<T>(ReduceOp op, CsrIndices a, Storage<T> values, int valOffset, Storage<T> result, int resultOffset)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// The transpose of a canonical CSR pattern (Aᵀ: a.Cols rows, a.Rows columns, rows ascending within
    /// each row of Aᵀ) and the map t ↦ source slot, so that valuesᵀ[t] = values[map[t]] (apply it with
    /// <see cref="Gather{T}"/>). Both live on this device; the result depends only on the pattern.
    /// </summary>
    public abstract (CsrIndices Transposed, Storage<int> Map) Transpose(CsrIndices a);

    /// <summary>
    /// Canonical CSR from <paramref name="count"/> coordinate entries (row[k], col[k]) in any order,
    /// duplicates allowed: rowPtr (rows + 1 offsets), the distinct (row, col) pairs in row-major order in
    /// colInd[0 … nnz), and entryToSlot[k] = the slot entry k falls into (duplicates share one). Returns
    /// nnz. <paramref name="colInd"/> needs room for <paramref name="count"/> indices (no duplicates).
    /// The result depends only on the input.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, rows) or [0, cols); the message names the first such entry.</exception>
    public abstract int CooToCsr(Storage<int> row, Storage<int> col, int count, int rows, int cols,
        Storage<int> rowPtr, Storage<int> colInd, Storage<int> entryToSlot);

    /// <summary>
    /// Symbolic phase of the sparse product C = A·B (A is M×K, B is K×N, both canonical CSR on this
    /// device): the canonical pattern of C, columns sorted in each row, holding (i, j) whenever some
    /// a_ik·b_kj exists (products that cancel stay stored), and whatever the numeric phase needs.
    /// The result depends only on the two patterns.
    /// </summary>
    /// <exception cref="ArgumentException">A's columns differ from B's rows, or the indices live on another device.</exception>
    /// <exception cref="ArgumentOutOfRangeException">C or the number of scalar products would not fit 32-bit indices.</exception>
    public abstract SpGemmPlan SpGemmSymbolic(CsrIndices a, CsrIndices b);

    /// <summary>
    /// Numeric phase of C = A·B on a plan of this backend: c_ij = Σ_k a_ik·b_kj summed over k in
    /// increasing order (fixed order: the same bits every run on a device), for one value set of A
    /// (from <paramref name="aOffset"/>), of B and of C (nnz(C) values written from <paramref name="cOffset"/>).
    /// </summary>
    public abstract void SpGemmNumeric<T>(SpGemmPlan plan, Storage<T> aValues, int aOffset, Storage<T> bValues, int bOffset,
        Storage<T> cValues, int cOffset)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// C = A·B, pattern and values at once, for a product used once (nothing kept for new values: e.g. the products of an
    /// AMG setup). The same pattern and the same bits as <see cref="SpGemmSymbolic"/> then <see cref="SpGemmNumeric{T}"/>,
    /// which is the default; the CPU backend walks the scalar products once instead of three times.
    /// </summary>
    public virtual (CsrIndices Product, Storage<T> Values) SpGemm<T>(CsrIndices a, Storage<T> aValues, CsrIndices b, Storage<T> bValues)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = SpGemmSymbolic(a, b);
        var values = Allocate<T>(plan.Product.Nnz);
        SpGemmNumeric(plan, aValues, 0, bValues, 0, values, 0);
        return (plan.Product, values);
    }

    /// <summary>
    /// y = f(x; p) elementwise over <paramref name="length"/> elements (x and y may be the same storage), for the maps of
    /// <see cref="PointwiseOp"/>. The default works on any device through host memory; backends override it with a kernel.
    /// </summary>
    public virtual void Pointwise<T>(PointwiseOp op, T p, Storage<T> x, int xOffset, Storage<T> y, int yOffset, int length)
        where T : unmanaged, IFloatingPointIeee754<T> => HostFallback.Pointwise(op, p, x, xOffset, y, yOffset, length);

    /// <summary>
    /// z = x ∘ y elementwise (<see cref="BinaryOp"/>) over <paramref name="length"/> elements; z may be x or y.
    /// The default works on any device through host memory; backends override it with a kernel.
    /// </summary>
    public virtual void Binary<T>(BinaryOp op, Storage<T> x, int xOffset, Storage<T> y, int yOffset, Storage<T> z, int zOffset, int length)
        where T : unmanaged, IFloatingPointIeee754<T> => HostFallback.Binary(op, x, xOffset, y, yOffset, z, zOffset, length);

    /// <summary>
    /// Sampled dense–dense product on the pattern of A: for every stored slot s = (i, j),
    /// result[s] = (accumulate ? result[s] : 0) + α·Σ_c L[i, c]·R[j, c], with L row-major [A.Rows, k] and
    /// R row-major [A.Cols, k]. It is the gradient of A·X with respect to A's stored values
    /// (L = ∂L/∂Y, R = X) and of a solve (L = −λ, R = x). The default works on any device through host memory.
    /// </summary>
    public virtual void Sddmm<T>(CsrIndices a, Storage<T> left, int leftOffset, Storage<T> right, int rightOffset, int k,
        Storage<T> result, int resultOffset, T alpha, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        HostFallback.Sddmm(a, left, leftOffset, right, rightOffset, k, result, resultOffset, alpha, accumulate);

    // ---------------------------------------------------------------- fused Krylov steps (device-resident scalars, see CgScalars)

    /// <summary>
    /// scalars[b·scalarStride + slot] = Σ_i x_b[i]·y_b[i] for every vector b of <paramref name="layout"/>, summed
    /// in a fixed order; nothing is read back to the host.
    /// </summary>
    public abstract void DotInto<T>(Storage<T> x, Storage<T> y, VectorBatch layout, Storage<T> scalars, int scalarStride, int slot)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// y_b = A_b·x_b and scalars[b·scalarStride + slot] = x_bᵀy_b (CG's q = A·p with pᵀq) for a square A. A
    /// contiguous layout ([B, n]) takes matrix b's values at valOffset + b·nnz (a batch sharing one pattern); an
    /// interleaved layout ([n, K], the K right-hand sides of one matrix) multiplies every column by the same matrix.
    /// </summary>
    public abstract void SpMVDot<T>(CsrIndices a, Storage<T> values, int valOffset, Storage<T> x, Storage<T> y,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int slot)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// CG's update of iteration <paramref name="iteration"/> for every system b whose status is active, with
    /// α = ρ/pᵀq taken from the device (ρ in <paramref name="rhoSlot"/>, pᵀq in <see cref="CgScalars.Curvature"/>):
    /// x += α·p (or, when <paramref name="x"/> is null, α and the iteration stored in <see cref="CgScalars.Alpha"/> and
    /// <see cref="CgScalars.AlphaIteration"/> for the next <see cref="CgDirectionSpMVDot{T}"/>, p then unused), r −= α·q, then ‖r‖² into <see cref="CgScalars.ResidualSquared"/> and the history ring, and
    /// ρ_new = rᵀD·r into <paramref name="rhoNewSlot"/> when <paramref name="inverseDiagonal"/> = D (Jacobi,
    /// z = D·r never stored), ρ_new = ‖r‖² when it is null. A pᵀq that is not positive and finite freezes the
    /// system before the update (status and stop iteration written); ‖r‖² ≤ bound² or a non-finite ‖r‖² after it.
    /// </summary>
    public abstract void CgUpdate<T>(Storage<T>? x, Storage<T>? p, Storage<T> r, Storage<T> q, Storage<T>? inverseDiagonal,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int rhoSlot, int rhoNewSlot, int iteration)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// CG's new direction p = z + β·p with β = ρ_new/ρ from the device (z = D·r when <paramref name="inverseDiagonal"/>
    /// = D is given, <paramref name="z"/> then holding r). A ρ_new that is not positive and finite stops an active
    /// system (<see cref="CgScalars.IndefinitePreconditioner"/> or <see cref="CgScalars.NonFinite"/>, stop iteration
    /// <paramref name="iteration"/>). With p = 0 and the two slots equal it sets p = z (the first direction).
    /// </summary>
    public abstract void CgDirection<T>(Storage<T> z, Storage<T>? inverseDiagonal, Storage<T> p, VectorBatch layout,
        Storage<T> scalars, int scalarStride, int rhoNewSlot, int rhoSlot, int iteration)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Pass 1 of CG's two-pass iteration <paramref name="iteration"/> = k for a square CSR A and the systems of a
    /// [B, n] layout (matrix b's values at valOffset + b·nnz when A is batched, else valOffset), in one sweep over A:
    /// x += α_{k−1}·p_old when <see cref="CgScalars.AlphaIteration"/> = k − 1 (the update <see cref="CgUpdate{T}"/>
    /// deferred; applied even to a stopped system, once), then for an active system whose ρ_new (slot
    /// <paramref name="rhoNewSlot"/>) is positive and finite: p_new = z + β·p_old with z = D·r (or r when
    /// <paramref name="inverseDiagonal"/> is null) and β = ρ_new/ρ, formed on the fly wherever a row needs it,
    /// q = A·p_new and pᵀq into <see cref="CgScalars.Curvature"/>. p_old and p_new are two buffers (rows read p_old
    /// of their neighbours while others write p_new). A ρ_new that is not positive and finite stops the system with
    /// stop iteration k − 1, as <see cref="CgDirection{T}"/> does. Same arithmetic as CgDirection + SpMVDot +
    /// CgUpdate's x, fewer bytes: the matrix, r, D, p_old, x read and p_new, x, q written once per iteration.
    /// </summary>
    /// <remarks>
    /// Loop fusion of the textbook iteration (Saad 2003, Algorithm 9.1), not a pipelined or s-step variant: every
    /// value is computed by the same operations as the three-pass sequence, only fewer times stored and loaded.
    /// </remarks>
    public abstract void CgDirectionSpMVDot<T>(CsrIndices a, Storage<T> values, int valOffset, bool batchedValues,
        Storage<T> r, Storage<T>? inverseDiagonal, Storage<T> pOld, Storage<T> pNew, Storage<T> x, Storage<T> q,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int rhoNewSlot, int rhoSlot, int iteration)
        where T : unmanaged, IFloatingPointIeee754<T>;

    // ---------------------------------------------------------------- BiCGStab steps (device-resident scalars, see BiCgStabScalars)

    /// <summary>
    /// BiCGStab's new direction of iteration <paramref name="iteration"/> for every active system: p = r + β·(p − ω·v)
    /// with β = (ρ/ρ_old)·(α/ω) from the scalar block (p = r when p = v = 0 and ρ_old = α = ω = 1, the start). A ρ that is
    /// zero (breakdown, <see cref="CgScalars.ZeroCurvature"/>) or not finite stops the system with stop iteration k − 1.
    /// </summary>
    public abstract void BiCgStabDirection<T>(Storage<T> r, Storage<T> v, Storage<T> p, VectorBatch layout, Storage<T> scalars,
        int scalarStride, int iteration) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// BiCGStab's half step for every active system: α = ρ/r̂ᵀv (a zero or non-finite r̂ᵀv stops with k − 1), s = r − α·v
    /// written over r, α and ‖s‖² (also into the history ring) stored; ‖s‖ ≤ bound stops the system as
    /// <see cref="BiCgStabScalars.HalfConverged"/> (stop iteration k; BiCgStabFinish still applies x += α·p̂), a non-finite ‖s‖² as non-finite.
    /// </summary>
    public abstract void BiCgStabHalfStep<T>(Storage<T> r, Storage<T> v, VectorBatch layout, Storage<T> scalars,
        int scalarStride, int iteration) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// BiCGStab's end of iteration k: for an active system ω = tᵀs/tᵀt, x += α·p̂ then x += ω·ŝ, r = s − ω·t, ‖r‖² into the
    /// history ring, ρ_old = ρ; a system that stopped at this iteration's half step gets x += α·p̂ only. Non-finite tᵀt
    /// or tᵀs stops without updating x; tᵀt = 0 stops as a breakdown after x += α·p̂; then ‖r‖ ≤ bound converges, a
    /// non-finite ‖r‖² or ω = 0 stops (stop iteration k).
    /// </summary>
    public abstract void BiCgStabFinish<T>(Storage<T> x, Storage<T> pHat, Storage<T> sHat, Storage<T> r, Storage<T> t,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int iteration) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// result[i] = 1/a_ii for the n = min(rows, cols) diagonal entries of one CSR value set (columns sorted in each row),
    /// +∞ where a_ii is zero or not stored: the Jacobi preconditioner's setup on A's device, without a host map.
    /// </summary>
    public abstract void InverseDiagonal<T>(CsrIndices a, Storage<T> values, int valOffset, Storage<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Sparse triangular solve x_i = (b_i − Σ_k t_ik·x_k) / d_i (d = null: unit diagonal) with the strictly triangular part
    /// T in CSR (columns below the row when <paramref name="lower"/>, above it otherwise; entries summed in stored order).
    /// The rows are scheduled by levels (Anderson &amp; Saad 1989; Naumov, NVIDIA NVR-2011-001): level l lists rows whose
    /// entries refer only to rows of earlier levels, <paramref name="levelRows"/>[levelPtr[l] … levelPtr[l+1]), computed once
    /// at setup. A GPU backend solves one level per launch, its rows in parallel; the CPU sweeps the rows in natural order
    /// (also a valid schedule). Each row does the same operations in the same order on both (a GPU may contract a·b + c into
    /// one FMA, so the last bits can differ).
    /// <paramref name="x"/> may be <paramref name="b"/> (a row reads its own b_i before writing x_i).
    /// </summary>
    public abstract void TriangularSolve<T>(CsrIndices strict, Storage<T> values, Storage<T>? diagonal, bool lower,
        Storage<int> levelRows, int[] levelPtr, Storage<T> b, Storage<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>;
}
