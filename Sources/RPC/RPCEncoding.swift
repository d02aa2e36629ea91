/// JSON shapes of blocks, transactions, receipts and logs as ethereum/execution-apis defines them
/// (32-byte hashes, minimal-hex quantities, null block fields for pending transactions).
import Chain
import Node
import Primitives

enum RPCEncoding {
    /// A transaction object; `mined` gives its block position and the block's base fee.
    static func transaction(_ s: SignedTransaction, sender: Address,
                            mined: (blockHash: Hash32, number: UInt64, index: Int, baseFee: UInt256)?) -> JSON {
        let t = s.transaction
        var m: [(String, JSON)] = [
            ("blockHash", mined.map { .hash($0.blockHash) } ?? .null),
            ("blockNumber", mined.map { .quantity($0.number) } ?? .null),
            ("from", .address(sender)),
            ("gas", .quantity(t.gasLimit)),
        ]
        if t.type == .dynamicFee {
            let price = mined.flatMap { t.effectiveGasPrice(baseFee: $0.baseFee) } ?? t.maxFeePerGas
            m.append(("gasPrice", .quantity(price)))
            m.append(("maxFeePerGas", .quantity(t.maxFeePerGas)))
            m.append(("maxPriorityFeePerGas", .quantity(t.maxPriorityFeePerGas)))
        } else {
            m.append(("gasPrice", .quantity(t.gasPrice)))
        }
        m += [
            ("hash", .hash(s.hash)),
            ("input", .data(t.data)),
            ("nonce", .quantity(t.nonce)),
            ("to", t.to.map { .address($0) } ?? .null),
            ("transactionIndex", mined.map { .quantity($0.index) } ?? .null),
            ("value", .quantity(t.value)),
            ("type", .quantity(UInt64(t.type.rawValue))),
        ]
        if t.type != .legacy {
            m.append(("accessList", .array(t.accessList.map { e in
                .object([("address", .address(e.address)), ("storageKeys", .array(e.storageKeys.map { .hash($0) }))])
            })))
        }
        if let c = t.chainId { m.append(("chainId", .quantity(c))) }
        m.append(("v", .quantity(s.v)))
        m.append(("r", .quantity(s.r)))
        m.append(("s", .quantity(s.s)))
        if t.type != .legacy { m.append(("yParity", .quantity(UInt64(s.yParity)))) }
        return .object(m)
    }

    static func transaction(_ info: TransactionInfo) -> JSON {
        transaction(info.tx, sender: info.sender,
                    mined: (info.blockHash, info.blockNumber, info.index, info.baseFee))
    }

    static func log(_ l: LocatedLog) -> JSON {
        .object([
            ("address", .address(l.log.address)),
            ("topics", .array(l.log.topics.map { .hash($0) })),
            ("data", .data(l.log.data)),
            ("blockNumber", .quantity(l.blockNumber)),
            ("transactionHash", .hash(l.txHash)),
            ("transactionIndex", .quantity(l.txIndex)),
            ("blockHash", .hash(l.blockHash)),
            ("logIndex", .quantity(l.logIndex)),
            ("removed", .bool(false)),
        ])
    }

    static func receipt(_ info: TransactionInfo) -> JSON {
        let t = info.tx.transaction
        let logs = info.receipt.logs.enumerated().map { (j, log) in
            Self.log(LocatedLog(log: log, blockNumber: info.blockNumber, blockHash: info.blockHash, txHash: info.tx.hash,
                                txIndex: info.index, logIndex: info.firstLogIndex + j))
        }
        return .object([
            ("blockHash", .hash(info.blockHash)),
            ("blockNumber", .quantity(info.blockNumber)),
            ("contractAddress", info.contractAddress.map { .address($0) } ?? .null),
            ("cumulativeGasUsed", .quantity(info.receipt.cumulativeGasUsed)),
            ("effectiveGasPrice", .quantity(info.effectiveGasPrice)),
            ("from", .address(info.sender)),
            ("gasUsed", .quantity(info.gasUsed)),
            ("logs", .array(logs)),
            ("logsBloom", .data(info.receipt.bloom.bytes)),
            ("status", .quantity(UInt64(info.receipt.succeeded ? 1 : 0))),
            ("to", t.to.map { .address($0) } ?? .null),
            ("transactionHash", .hash(info.tx.hash)),
            ("transactionIndex", .quantity(info.index)),
            ("type", .quantity(UInt64(t.type.rawValue))),
        ])
    }

    static func block(_ b: Block, senders: [Address], full: Bool) -> JSON {
        let h = b.header
        let hash = b.hash
        var m: [(String, JSON)] = [
            ("baseFeePerGas", h.baseFeePerGas.map { .quantity($0) } ?? .null),
            ("difficulty", .quantity(h.difficulty)),
            ("extraData", .data(h.extraData)),
            ("gasLimit", .quantity(h.gasLimit)),
            ("gasUsed", .quantity(h.gasUsed)),
            ("hash", .hash(hash)),
            ("logsBloom", .data(h.logsBloom.bytes)),
            ("miner", .address(h.coinbase)),
            ("mixHash", .hash(h.mixHash)),
            ("nonce", .data(ChainKeysBytes.nonce(h.nonce))),
            ("number", .quantity(h.number)),
            ("parentHash", .hash(h.parentHash)),
            ("receiptsRoot", .hash(h.receiptsRoot)),
            ("sha3Uncles", .hash(h.ommersHash)),
            ("size", .quantity(b.encoded.count)),
            ("stateRoot", .hash(h.stateRoot)),
            ("timestamp", .quantity(h.timestamp)),
            ("totalDifficulty", .quantity(UInt64(0))),
        ]
        let txs: [JSON] = b.transactions.enumerated().map { (i, tx) in
            full ? transaction(tx, sender: i < senders.count ? senders[i] : .zero,
                               mined: (hash, h.number, i, h.baseFeePerGas ?? .zero))
                 : .hash(tx.hash)
        }
        m.append(("transactions", .array(txs)))
        m.append(("transactionsRoot", .hash(h.transactionsRoot)))
        m.append(("uncles", .array([])))
        if let w = h.withdrawalsRoot {
            m.append(("withdrawals", .array([])))
            m.append(("withdrawalsRoot", .hash(w)))
        }
        if let g = h.blobGasUsed { m.append(("blobGasUsed", .quantity(g))) }
        if let g = h.excessBlobGas { m.append(("excessBlobGas", .quantity(g))) }
        if let r = h.parentBeaconBlockRoot { m.append(("parentBeaconBlockRoot", .hash(r))) }
        return .object(m)
    }
}

enum ChainKeysBytes {
    /// The header nonce as its 8 bytes.
    static func nonce(_ n: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: n >> (56 - 8 * UInt64($0))) } }
}
