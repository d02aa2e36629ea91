/// Explicitly vectorised loops over float32 memory. The optimiser will not vectorise the plain loops by itself when
/// it cannot rule out aliasing between the pointers, and a compiler-recognised copy loop turns into a `memmove`
/// call, which costs more than the copy for the 10–30-float rows of im2col. SIMD16 maps to AVX2/AVX-512 registers.
enum Vec {
    typealias V = SIMD16<Float>
    typealias P = UnsafeMutablePointer<Float>
    typealias CP = UnsafePointer<Float>

    @inline(__always) static func load(_ p: CP) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) static func store(_ v: V, _ p: P) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// dst[0..<n] = src[0..<n] (non-overlapping). Rows of 8 or more finish with one 8-wide copy that overlaps the
    /// part already copied, so a 10-float row costs two loads and two stores.
    @inline(__always) static func copy(_ src: CP, _ dst: P, _ n: Int) {
        var i = 0
        while i + 16 <= n { store(load(src + i), dst + i); i += 16 }
        if n >= 8 {
            while i + 8 <= n { store8(load8(src + i), dst + i); i += 8 }
            if i < n { store8(load8(src + n - 8), dst + n - 8) }
            return
        }
        while i < n { dst[i] = src[i]; i += 1 }
    }

    @inline(__always) static func load8(_ p: CP) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    @inline(__always) static func store8(_ v: SIMD8<Float>, _ p: P) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }

    /// Copies ⌈n/16⌉·16 floats: the caller guarantees that the extra floats may be read and overwritten.
    @inline(__always) static func copyOverrun(_ src: CP, _ dst: P, _ n: Int) {
        var i = 0
        repeat { store(load(src + i), dst + i); i += 16 } while i < n
    }

    /// dst[0..<n] += src[0..<n].
    @inline(__always) static func accumulate(_ src: CP, _ dst: P, _ n: Int) {
        var i = 0
        while i + 16 <= n { store(load(dst + i) + load(src + i), dst + i); i += 16 }
        while i + 8 <= n { store8(load8(dst + i) + load8(src + i), dst + i); i += 8 }
        while i < n { dst[i] += src[i]; i += 1 }
    }

    /// dst[i] = src[i] + b.
    @inline(__always) static func addScalar(_ src: CP, _ b: Float, _ dst: P, _ n: Int) {
        var i = 0
        let bv = V(repeating: b)
        while i + 16 <= n { store(load(src + i) + bv, dst + i); i += 16 }
        while i < n { dst[i] = src[i] + b; i += 1 }
    }

    /// dst[i] = max(src[i] + b, 0): bias and ReLU in one pass.
    @inline(__always) static func addScalarRelu(_ src: CP, _ b: Float, _ dst: P, _ n: Int) {
        var i = 0
        let bv = V(repeating: b), zero = V(repeating: 0)
        while i + 16 <= n { store(pointwiseMax(load(src + i) + bv, zero), dst + i); i += 16 }
        while i < n { dst[i] = max(src[i] + b, 0); i += 1 }
    }

    /// dst[i] = max(dst[i] + b[i], 0).
    @inline(__always) static func addRowRelu(_ b: CP, _ dst: P, _ n: Int) {
        var i = 0
        let zero = V(repeating: 0)
        while i + 16 <= n { store(pointwiseMax(load(dst + i) + load(b + i), zero), dst + i); i += 16 }
        while i < n { dst[i] = max(dst[i] + b[i], 0); i += 1 }
    }

    /// dst[i] += b[i] (a bias row).
    @inline(__always) static func addRow(_ b: CP, _ dst: P, _ n: Int) { accumulate(b, dst, n) }

    /// Σ src[0..<n] (16 partial sums, so the order differs from a sequential sum).
    @inline(__always) static func sum(_ src: CP, _ n: Int) -> Float {
        var acc = V(repeating: 0)
        var i = 0
        while i + 16 <= n { acc += load(src + i); i += 16 }
        var s = acc.sum()
        while i < n { s += src[i]; i += 1 }
        return s
    }

    /// dst = max(src, 0).
    @inline(__always) static func relu(_ src: CP, _ dst: P, _ n: Int) {
        var i = 0
        let zero = V(repeating: 0)
        while i + 16 <= n { store(pointwiseMax(load(src + i), zero), dst + i); i += 16 }
        while i < n { dst[i] = max(src[i], 0); i += 1 }
    }

    /// dx = dy where y > 0, else 0.
    @inline(__always) static func reluBackward(_ y: CP, _ dy: CP, _ dx: P, _ n: Int) {
        var i = 0
        let zero = V(repeating: 0)
        while i + 16 <= n {
            store(load(dy + i).replacing(with: 0, where: load(y + i) .<= zero), dx + i); i += 16
        }
        while i < n { dx[i] = y[i] > 0 ? dy[i] : 0; i += 1 }
    }

    /// dst[i] = a[i] · b[i].
    @inline(__always) static func multiply(_ a: CP, _ b: CP, _ dst: P, _ n: Int) {
        var i = 0
        while i + 16 <= n { store(load(a + i) * load(b + i), dst + i); i += 16 }
        while i < n { dst[i] = a[i] * b[i]; i += 1 }
    }

    /// dst[0..<n] = 0.
    @inline(__always) static func zero(_ dst: P, _ n: Int) {
        var i = 0
        let z = V(repeating: 0)
        while i + 16 <= n { store(z, dst + i); i += 16 }
        while i < n { dst[i] = 0; i += 1 }
    }

    /// PyTorch's SGD step: v ← μ·v + g + λ·w, then w ← w − η·v (the same operations in the same order per element,
    /// so vectorising changes no result).
    @inline(__always) static func sgdMomentum(w: P, v: P, g: CP, count n: Int, lr: Float, momentum mu: Float,
                                              weightDecay wd: Float) {
        let lrv = V(repeating: lr), muv = V(repeating: mu), wdv = V(repeating: wd)
        var i = 0
        if wd != 0 {
            while i + 16 <= n {
                let wi = load(w + i)
                let vi = muv * load(v + i) + load(g + i) + wdv * wi
                store(vi, v + i); store(wi - lrv * vi, w + i); i += 16
            }
            while i < n { v[i] = mu * v[i] + g[i] + wd * w[i]; w[i] -= lr * v[i]; i += 1 }
        } else {
            while i + 16 <= n {
                let vi = muv * load(v + i) + load(g + i)
                store(vi, v + i); store(load(w + i) - lrv * vi, w + i); i += 16
            }
            while i < n { v[i] = mu * v[i] + g[i]; w[i] -= lr * v[i]; i += 1 }
        }
    }
}
