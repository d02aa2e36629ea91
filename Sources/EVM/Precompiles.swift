import CBigNum
import COpenSSL
import CSecp256k1
import Primitives

/// The secp256k1 context for ECRECOVER (verification only, shared and read-only after creation).
nonisolated(unsafe) let secpContext: OpaquePointer? = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))

extension EVM {
    /// Runs precompile 0x01...0x0a. Out of gas or invalid input is a failure that consumes all gas.
    func runPrecompile(_ address: Address, _ input: [UInt8], gas: Int) -> ExecResult {
        let words = (input.count + 31) / 32
        var cost: Int
        var output: [UInt8]? = nil
        switch address.lo {
        case 1: cost = 3000
        case 2: cost = 60 + 12 * words
        case 3: cost = 600 + 120 * words
        case 4: cost = 15 + 3 * words
        case 5: cost = Precompiles.modexpGas(input)
        case 6: cost = 150
        case 7: cost = 6000
        case 8: cost = 45000 + 34000 * (input.count / 192)
        case 9:
            guard input.count == 213 else { return ExecResult(halt: .precompileFailure, gasLeft: 0) }
            cost = Int(UInt32(input[0]) << 24 | UInt32(input[1]) << 16 | UInt32(input[2]) << 8 | UInt32(input[3]))
        default: cost = 50000
        }
        if cost > gas { return ExecResult(halt: .outOfGas, gasLeft: 0) }
        switch address.lo {
        case 1: output = Precompiles.ecrecover(input)
        case 2: output = Precompiles.digest(input, EVP_sha256(), pad: false)
        case 3: output = Precompiles.digest(input, EVP_ripemd160(), pad: true)
        case 4: output = input
        case 5: output = Precompiles.modexp(input)
        case 6: output = BN254.add(input)
        case 7: output = BN254.mul(input)
        case 8: output = BN254.pairing(input)
        case 9: output = Blake2F.run(input)
        default: output = BLS12381.pointEvaluation(input)
        }
        guard let output else { return ExecResult(halt: .precompileFailure, gasLeft: 0) }
        return ExecResult(halt: .returned, gasLeft: gas - cost, output: output)
    }
}

/// Implementations of the simpler precompiles.
enum Precompiles {
    /// Input right-padded with zeros to at least `n` bytes.
    static func padded(_ input: [UInt8], _ n: Int) -> [UInt8] {
        input.count >= n ? input : input + [UInt8](repeating: 0, count: n - input.count)
    }

    static func ecrecover(_ raw: [UInt8]) -> [UInt8] {
        let input = padded(raw, 128)
        // v must be exactly 27 or 28 as a 32-byte word.
        for i in 32..<63 where input[i] != 0 { return [] }
        guard input[63] == 27 || input[63] == 28, let ctx = secpContext else { return [] }
        var sig = secp256k1_ecdsa_recoverable_signature()
        let rs = Array(input[64..<128])
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, rs, Int32(input[63] - 27)) == 1 else {
            return []
        }
        var pub = secp256k1_pubkey()
        let hash = Array(input[0..<32])
        guard secp256k1_ecdsa_recover(ctx, &pub, &sig, hash) == 1 else { return [] }
        var out = [UInt8](repeating: 0, count: 65)
        var len = 65
        secp256k1_ec_pubkey_serialize(ctx, &out, &len, &pub, UInt32(SECP256K1_EC_UNCOMPRESSED))
        let h = Keccak256.hash(Array(out[1..<65])).bytes
        return [UInt8](repeating: 0, count: 12) + h[12...]
    }

    static func digest(_ input: [UInt8], _ md: OpaquePointer?, pad: Bool) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 64)
        var len: UInt32 = 0
        let ok = input.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &out, &len, md, nil) }
        guard ok == 1 else { return nil }
        let d = Array(out[0..<Int(len)])
        return pad ? [UInt8](repeating: 0, count: 32 - d.count) + d : d
    }

    /// A big-endian length field from the modexp header, saturated so absurd values stay comparable.
    static func lengthField(_ input: [UInt8], _ at: Int) -> UInt64 {
        var v = UInt256.zero
        let w = padded(Array(input.dropFirst(at).prefix(32)), 32)
        v = UInt256(bigEndian: w)
        return v.fitsUInt64 && v.l0 < (1 << 32) ? v.l0 : (1 << 32)
    }

    /// Bytes [from, from+len) of the input, zero-padded past its end.
    static func slice(_ input: [UInt8], _ from: Int, _ len: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: len)
        if from < input.count {
            let n = min(len, input.count - from)
            for i in 0..<n { out[i] = input[from + i] }
        }
        return out
    }

    /// EIP-2565 pricing.
    static func modexpGas(_ input: [UInt8]) -> Int {
        let bLen = lengthField(input, 0), eLen = lengthField(input, 32), mLen = lengthField(input, 64)
        let maxLen = max(bLen, mLen)
        let words = (maxLen + 7) / 8
        let mulComplexity = words * words
        // Iteration count from the exponent's first (up to) 32 bytes.
        var iter: UInt64
        let headLen = Int(min(eLen, 32))
        let eStart = 96 + Int(bLen)
        let head = bLen < (1 << 32) ? UInt256(bigEndian: slice(input, eStart, headLen)) : .zero
        if eLen <= 32 {
            iter = head.isZero ? 0 : UInt64(head.bitWidth - 1)
        } else {
            iter = 8 * (eLen - 32) + (head.isZero ? 0 : UInt64(head.bitWidth - 1))
        }
        iter = max(iter, 1)
        let (prod, o) = mulComplexity.multipliedReportingOverflow(by: iter)
        if o { return Int.max }
        return max(200, Int(min(prod / 3, UInt64(Int.max))))
    }

    static func modexp(_ input: [UInt8]) -> [UInt8]? {
        let bLen = Int(lengthField(input, 0)), eLen = Int(lengthField(input, 32)), mLen = Int(lengthField(input, 64))
        if mLen == 0 { return [] }
        let b = slice(input, 96, bLen), e = slice(input, 96 + bLen, eLen), m = slice(input, 96 + bLen + eLen, mLen)
        guard let bn = BN_bin2bn(b, Int32(b.count), nil), let en = BN_bin2bn(e, Int32(e.count), nil),
              let mn = BN_bin2bn(m, Int32(m.count), nil), let rn = BN_new(), let ctx = BN_CTX_new() else { return nil }
        defer { BN_free(bn); BN_free(en); BN_free(mn); BN_free(rn); BN_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: mLen)
        if BN_is_zero(mn) == 1 { return out }
        guard BN_mod_exp(rn, bn, en, mn, ctx) == 1 else { return nil }
        let n = Int((BN_num_bits(rn) + 7) / 8)
        var tmp = [UInt8](repeating: 0, count: max(n, 1))
        BN_bn2bin(rn, &tmp)
        for i in 0..<n { out[mLen - n + i] = tmp[i] }
        return out
    }
}

/// SHA-256 through OpenSSL (the same code as precompile 0x02), for tools that check outputs.
public func sha256Digest(_ data: [UInt8]) -> [UInt8] { Precompiles.digest(data, EVP_sha256(), pad: false) ?? [] }
