/// alt_bn128 precompiles (EIP-196/197). Not implemented yet: calls fail (consuming the call's gas).
enum BN254 {
    static func add(_ input: [UInt8]) -> [UInt8]? { nil }
    static func mul(_ input: [UInt8]) -> [UInt8]? { nil }
    static func pairing(_ input: [UInt8]) -> [UInt8]? { nil }
}
