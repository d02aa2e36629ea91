import Primitives

/// UInt256 micro-benchmarks (filled in with the UInt256 type).
func uint256Rows() -> [(String, Double, Double?)] { [] }
