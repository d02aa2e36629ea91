import EVM
import Primitives

/// One entry of an EIP-2930 access list.
public struct AccessListEntry: Sendable, Equatable {
    public var address: Address
    public var storageKeys: [UInt256]
    public init(address: Address, storageKeys: [UInt256]) { self.address = address; self.storageKeys = storageKeys }
}

/// A transaction with its sender already known (signature checking happens before this layer).
public struct Transaction: Sendable {
    /// 0 legacy, 1 EIP-2930, 2 EIP-1559, 3 EIP-4844.
    public var type: UInt8
    public var sender: Address
    /// nil for contract creation.
    public var to: Address?
    public var nonce: UInt64
    public var gasLimit: UInt64
    public var value: UInt256
    public var data: [UInt8]
    /// Legacy and type-1 price.
    public var gasPrice: UInt256
    public var maxFeePerGas: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var maxFeePerBlobGas: UInt256
    public var blobVersionedHashes: [Hash32]
    public var accessList: [AccessListEntry]

    public init(type: UInt8 = 0, sender: Address, to: Address?, nonce: UInt64, gasLimit: UInt64,
                value: UInt256 = .zero, data: [UInt8] = [], gasPrice: UInt256 = .zero,
                maxFeePerGas: UInt256 = .zero, maxPriorityFeePerGas: UInt256 = .zero,
                maxFeePerBlobGas: UInt256 = .zero, blobVersionedHashes: [Hash32] = [],
                accessList: [AccessListEntry] = []) {
        self.type = type; self.sender = sender; self.to = to; self.nonce = nonce; self.gasLimit = gasLimit
        self.value = value; self.data = data; self.gasPrice = gasPrice; self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas; self.maxFeePerBlobGas = maxFeePerBlobGas
        self.blobVersionedHashes = blobVersionedHashes; self.accessList = accessList
    }

    /// Gas charged before execution: base, calldata, creation, access list and EIP-3860 initcode words.
    public var intrinsicGas: UInt64 {
        var g = UInt64(Gas.txBase)
        for b in data { g += b == 0 ? UInt64(Gas.txDataZero) : UInt64(Gas.txDataNonZero) }
        if to == nil {
            g += UInt64(Gas.txCreate) + UInt64(Gas.initcodeWord) * UInt64((data.count + 31) / 32)
        }
        for e in accessList {
            g += UInt64(Gas.accessListAddress) + UInt64(Gas.accessListStorageKey) * UInt64(e.storageKeys.count)
        }
        return g
    }

    /// Blob gas of a type-3 transaction.
    public var blobGas: UInt64 { UInt64(Gas.blobGasPerBlob) * UInt64(blobVersionedHashes.count) }
}

/// Why a transaction is rejected before execution (it then changes nothing).
public enum TransactionError: Error, Equatable, CustomStringConvertible {
    case nonceTooLow(expected: UInt64, got: UInt64)
    case nonceTooHigh(expected: UInt64, got: UInt64)
    case nonceIsMax
    case senderNotEOA(Address)
    case intrinsicGasTooLow(need: UInt64, limit: UInt64)
    case gasAllowanceExceeded(txLimit: UInt64, blockLimit: UInt64)
    case insufficientFunds(need: UInt256, have: UInt256)
    case insufficientMaxFeePerGas(maxFee: UInt256, baseFee: UInt256)
    case priorityGreaterThanMaxFee
    case initcodeSizeExceeded(Int)
    case blobCreate
    case blobCount(Int)
    case blobVersion
    case insufficientMaxFeePerBlobGas(maxFee: UInt256, blobBaseFee: UInt256)

    public var description: String {
        switch self {
        case .nonceTooLow(let e, let g): return "nonce too low: account has \(e), transaction \(g)"
        case .nonceTooHigh(let e, let g): return "nonce too high: account has \(e), transaction \(g)"
        case .nonceIsMax: return "sender nonce is 2^64-1"
        case .senderNotEOA(let a): return "sender \(a) has code (EIP-3607)"
        case .intrinsicGasTooLow(let n, let l): return "intrinsic gas \(n) exceeds gas limit \(l)"
        case .gasAllowanceExceeded(let t, let b): return "gas limit \(t) exceeds block gas limit \(b)"
        case .insufficientFunds(let n, let h): return "insufficient funds: need \(n) wei, have \(h)"
        case .insufficientMaxFeePerGas(let m, let b): return "max fee per gas \(m) below base fee \(b)"
        case .priorityGreaterThanMaxFee: return "max priority fee per gas above max fee per gas"
        case .initcodeSizeExceeded(let n): return "initcode of \(n) bytes exceeds 49152 (EIP-3860)"
        case .blobCreate: return "blob transaction cannot create a contract"
        case .blobCount(let n): return "blob transaction with \(n) blobs (1...6 allowed)"
        case .blobVersion: return "blob versioned hash without version byte 0x01"
        case .insufficientMaxFeePerBlobGas(let m, let b): return "max fee per blob gas \(m) below blob base fee \(b)"
        }
    }
}
