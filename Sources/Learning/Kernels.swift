import COpenBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raw float32 kernels on unsafe pointers. Everything here is allocation-free and written as plain loops over
/// contiguous memory so that the optimiser can vectorise them; GEMMs go to OpenBLAS.
public enum Kernels {
    public typealias P = UnsafeMutablePointer<Float>
    public typealias CP = UnsafePointer<Float>

    /// Number of threads OpenBLAS may use for one call.
    public static var blasThreads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// C = alpha·op(A)·op(B) + beta·C, row-major.
    @inline(__always)
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: CP, lda: Int, b: CP, ldb: Int, beta: Float, c: P, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Geometry of a 2-D convolution on one sample.
    public struct ConvGeometry: Sendable {
        public var channels: Int, height: Int, width: Int
        public var kernel: Int, stride: Int, padding: Int
        public var outHeight: Int, outWidth: Int
        public var rows: Int { channels * kernel * kernel }
        public var outPixels: Int { outHeight * outWidth }
    }

    /// Unfolds one CHW sample into columns: row (c·k + ky)·k + kx, column oy·ow + ox, rows `ld` apart.
    /// Out-of-image taps (padding) are zero.
    /// `overrun`: rows are written in increasing order into a buffer with 32 floats of slack, and `src` may be read
    /// up to 32 floats past its end, so each output row may be copied in whole 16-float vectors.
    public static func im2col(_ src: CP, _ g: ConvGeometry, _ dst: P, ld: Int, overrun: Bool = false) {
        let k = g.kernel, s = g.stride, p = g.padding, h = g.height, w = g.width
        let oh = g.outHeight, ow = g.outWidth
        if s == 1 && p == 0 && overrun && ld == oh * ow {
            for c in 0..<g.channels {
                let plane = src + c * h * w
                for ky in 0..<k {
                    for kx in 0..<k {
                        let row = dst + ((c * k + ky) * k + kx) * ld
                        for oy in 0..<oh { Vec.copyOverrun(plane + (oy + ky) * w + kx, row + oy * ow, ow) }
                    }
                }
            }
            return
        }
        if s == 1 && p == 0 {
            // No padding: every tap is inside the image, each output row is one short copy.
            for c in 0..<g.channels {
                let plane = src + c * h * w
                for ky in 0..<k {
                    for kx in 0..<k {
                        let row = dst + ((c * k + ky) * k + kx) * ld
                        for oy in 0..<oh { Vec.copy(plane + (oy + ky) * w + kx, row + oy * ow, ow) }
                    }
                }
            }
            return
        }
        for c in 0..<g.channels {
            let plane = src + c * h * w
            for ky in 0..<k {
                for kx in 0..<k {
                    let row = dst + ((c * k + ky) * k + kx) * ld
                    // Output columns whose tap lies inside the image: 0 ≤ ox·s − p + kx < w.
                    let lo = max(0, (p - kx + s - 1) / s)
                    let hiNum = w - 1 + p - kx
                    let hi = hiNum < 0 ? 0 : min(ow, hiNum / s + 1)
                    for oy in 0..<oh {
                        let iy = oy * s - p + ky
                        let out = row + oy * ow
                        if iy < 0 || iy >= h || lo >= hi {
                            Vec.zero(out, ow)
                            continue
                        }
                        for q in 0..<lo { out[q] = 0 }
                        var q = hi
                        while q < ow { out[q] = 0; q += 1 }
                        let line = plane + iy * w + (kx - p)
                        if s == 1 {
                            Vec.copy(line + lo, out + lo, hi - lo)
                        } else {
                            var ox = lo
                            while ox < hi { out[ox] = line[ox * s]; ox += 1 }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: accumulates columns back into a CHW gradient (which the caller zeroes first).
    public static func col2im(_ src: CP, _ g: ConvGeometry, _ dst: P, ld: Int) {
        let k = g.kernel, s = g.stride, p = g.padding, h = g.height, w = g.width
        let oh = g.outHeight, ow = g.outWidth
        for c in 0..<g.channels {
            let plane = dst + c * h * w
            for ky in 0..<k {
                for kx in 0..<k {
                    let row = src + ((c * k + ky) * k + kx) * ld
                    let lo = max(0, (p - kx + s - 1) / s)
                    let hiNum = w - 1 + p - kx
                    let hi = hiNum < 0 ? 0 : min(ow, hiNum / s + 1)
                    if lo >= hi { continue }
                    for oy in 0..<oh {
                        let iy = oy * s - p + ky
                        if iy < 0 || iy >= h { continue }
                        let line = plane + iy * w + (kx - p)
                        let col = row + oy * ow
                        if s == 1 {
                            Vec.accumulate(col + lo, line + lo, hi - lo)
                        } else {
                            var ox = lo
                            while ox < hi { line[ox * s] += col[ox]; ox += 1 }
                        }
                    }
                }
            }
        }
    }

    /// Max-pooling over `planes` planes of h×w; records the winning offset (within the plane) for the backward pass.
    /// `overread`: `x` has at least 32 readable floats after its end (workspace buffers do), which lets short rows
    /// use vector loads.
    public static func maxPoolForward(_ x: CP, planes: Int, h: Int, w: Int, k: Int, s: Int,
                                      _ y: P, argmax: UnsafeMutablePointer<Int32>, overread: Bool = false) {
        let oh = (h - k) / s + 1, ow = (w - k) / s + 1
        for pl in 0..<planes {
            let src = x + pl * h * w
            let dst = y + pl * oh * ow, idx = argmax + pl * oh * ow
            if k == 2 && s == 2 {
                for oy in 0..<oh {
                    maxPool2Row(src, w: w, oy: oy, ow: ow, dst + oy * ow, idx + oy * ow, overread: overread)
                }
                continue
            }
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var at = oy * s * w + ox * s
                    var best = src[at]
                    for ky in 0..<k {
                        for kx in 0..<k {
                            let i = (oy * s + ky) * w + ox * s + kx
                            if src[i] > best { best = src[i]; at = i }
                        }
                    }
                    dst[oy * ow + ox] = best
                    idx[oy * ow + ox] = Int32(truncatingIfNeeded: at)
                }
            }
        }
    }

    /// Eight outputs of 2×2, stride-2 max-pooling starting at output column `ox`, without branches. Ties go to
    /// the first element in scan order (top-left, top-right, bottom-left, bottom-right), as in PyTorch.
    @inline(__always)
    static func maxPool2x8(_ r0: CP, _ r1: CP, w: Int, base: Int32, ox: Int)
        -> (SIMD8<Float>, SIMD8<Int32>) {
        let lane = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
        let top = Vec.load(r0 + 2 * ox), bottom = Vec.load(r1 + 2 * ox)
        let a = top.evenHalf, b = top.oddHalf, c = bottom.evenHalf, d = bottom.oddHalf
        let s1 = b .> a, s2 = d .> c
        let m1 = a.replacing(with: b, where: s1), m2 = c.replacing(with: d, where: s2)
        let s3 = m2 .> m1
        let w32 = Int32(truncatingIfNeeded: w)
        let off1 = SIMD8<Int32>(repeating: 0).replacing(with: 1, where: s1)
        let off2 = SIMD8<Int32>(repeating: w32).replacing(with: w32 &+ 1, where: s2)
        let at = off1.replacing(with: off2, where: s3) &+ lane &+ SIMD8<Int32>(repeating: base &+ Int32(truncatingIfNeeded: 2 * ox))
        return (m1.replacing(with: m2, where: s3), at)
    }

    /// One output row of 2×2, stride-2 max-pooling. Rows of eight or more outputs end with an overlapping block of
    /// eight (recomputing a few outputs); shorter rows compute eight lanes, reading up to 16 floats past the row
    /// (within the workspace's slack, so only when `overread` is allowed), and store the valid ones.
    @inline(__always)
    static func maxPool2Row(_ src: CP, w: Int, oy: Int, ow: Int, _ dst: P, _ idx: UnsafeMutablePointer<Int32>,
                            overread: Bool) {
        let r0 = src + 2 * oy * w, r1 = r0 + w
        let base = Int32(truncatingIfNeeded: 2 * oy * w)
        if ow >= 8 {
            var ox = 0
            while true {
                let (best, at) = maxPool2x8(r0, r1, w: w, base: base, ox: ox)
                UnsafeMutableRawPointer(dst + ox).storeBytes(of: best, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(idx + ox).storeBytes(of: at, as: SIMD8<Int32>.self)
                if ox + 8 == ow { break }
                ox = min(ox + 8, ow - 8)
            }
            return
        }
        if overread {
            let (best, at) = maxPool2x8(r0, r1, w: w, base: base, ox: 0)
            for j in 0..<ow { dst[j] = best[j]; idx[j] = at[j] }
            return
        }
        for ox in 0..<ow {
            let a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1]
            let m1 = b > a ? b : a, o1 = b > a ? 1 : 0
            let m2 = d > c ? d : c, o2 = d > c ? w + 1 : w
            let take2 = m2 > m1
            dst[ox] = take2 ? m2 : m1
            idx[ox] = base &+ Int32(truncatingIfNeeded: 2 * ox + (take2 ? o2 : o1))
        }
    }

    /// Routes each output gradient to the input that won the max (dx is overwritten).
    /// With `mask` (the pooled values, after a ReLU), gradients of non-positive maxima are dropped: that is the
    /// ReLU's backward pass folded in.
    public static func maxPoolBackward(_ dy: CP, planes: Int, h: Int, w: Int, oh: Int, ow: Int,
                                       argmax: UnsafePointer<Int32>, _ dx: P, mask: CP?) {
        Vec.zero(dx, planes * h * w)
        for pl in 0..<planes {
            let g = dy + pl * oh * ow, idx = argmax + pl * oh * ow, d = dx + pl * h * w
            if let mask {
                let m = mask + pl * oh * ow
                for i in 0..<(oh * ow) { d[Int(idx[i])] += m[i] > 0 ? g[i] : 0 }
            } else {
                for i in 0..<(oh * ow) { d[Int(idx[i])] += g[i] }
            }
        }
    }

    /// Average pooling (no padding).
    public static func avgPoolForward(_ x: CP, planes: Int, h: Int, w: Int, k: Int, s: Int, _ y: P) {
        let oh = (h - k) / s + 1, ow = (w - k) / s + 1
        let scale = 1 / Float(k * k)
        for pl in 0..<planes {
            let src = x + pl * h * w, dst = y + pl * oh * ow
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var acc: Float = 0
                    for ky in 0..<k {
                        let r = src + (oy * s + ky) * w + ox * s
                        for kx in 0..<k { acc += r[kx] }
                    }
                    dst[oy * ow + ox] = acc * scale
                }
            }
        }
    }

    /// Spreads each output gradient evenly over its window (dx is overwritten).
    public static func avgPoolBackward(_ dy: CP, planes: Int, h: Int, w: Int, k: Int, s: Int, _ dx: P) {
        let oh = (h - k) / s + 1, ow = (w - k) / s + 1
        let scale = 1 / Float(k * k)
        dx.update(repeating: 0, count: planes * h * w)
        for pl in 0..<planes {
            let g = dy + pl * oh * ow, d = dx + pl * h * w
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let v = g[oy * ow + ox] * scale
                    for ky in 0..<k {
                        let r = d + (oy * s + ky) * w + ox * s
                        for kx in 0..<k { r[kx] += v }
                    }
                }
            }
        }
    }

    /// y = max(x, 0).
    @inline(__always)
    public static func reluForward(_ x: CP, _ y: P, count: Int) { Vec.relu(x, y, count) }

    /// dx = dy where the forward output was positive, else 0.
    @inline(__always)
    public static func reluBackward(_ y: CP, _ dy: CP, _ dx: P, count: Int) { Vec.reluBackward(y, dy, dx, count) }

    /// Numerically stable softmax of each of `rows` rows of `classes` logits (max subtracted before exp).
    public static func softmax(_ z: CP, rows: Int, classes: Int, _ p: P) {
        for r in 0..<rows {
            let zr = z + r * classes, pr = p + r * classes
            var m = zr[0]
            for j in 1..<classes { m = max(m, zr[j]) }
            var sum: Float = 0
            for j in 0..<classes { let e = expf(zr[j] - m); pr[j] = e; sum += e }
            let inv = 1 / sum
            for j in 0..<classes { pr[j] *= inv }
        }
    }

    /// log(Σ exp(z)) of one row, computed stably.
    @inline(__always)
    static func logSumExp(_ z: CP, _ classes: Int) -> Float {
        var m = z[0]
        for j in 1..<classes { m = max(m, z[j]) }
        var sum: Float = 0
        for j in 0..<classes { sum += expf(z[j] - m) }
        return m + logf(sum)
    }
}
