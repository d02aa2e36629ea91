/// Blocks and block bodies: [header, transactions, ommers, withdrawals] with the typed-transaction wrapping rule,
/// EIP-4895 withdrawals, and the index-keyed entries from which the transactions, receipts and withdrawals roots
/// are computed (the trie itself is supplied by the caller).
import Primitives

/// An EIP-4895 withdrawal: rlp([index, validatorIndex, address, amount in gwei]).
public struct Withdrawal: Hashable, Sendable {
    public var index: UInt64
    public var validatorIndex: UInt64
    public var address: Address
    /// In gwei.
    public var amount: UInt64

    public init(index: UInt64, validatorIndex: UInt64, address: Address, amount: UInt64) {
        self.index = index; self.validatorIndex = validatorIndex; self.address = address; self.amount = amount
    }

    public var encoded: [UInt8] {
        var body: [UInt8] = []
        RLP.appendUInt(index, to: &body)
        RLP.appendUInt(validatorIndex, to: &body)
        RLP.appendAddress(address, to: &body)
        RLP.appendUInt(amount, to: &body)
        var out: [UInt8] = []
        RLP.appendListHeader(payloadLength: body.count, to: &out)
        return out + body
    }
}

/// An error from decoding a block or body.
public enum BlockError: Error, Equatable, CustomStringConvertible {
    case structure(RLPError)
    case header(BlockHeaderError)
    /// Transaction `index` of the body is invalid.
    case transaction(index: Int, TransactionError)
    case withdrawal(index: Int, RLPError)
    /// Post-merge blocks have no ommers.
    case ommersNotEmpty(Int)

    public var description: String {
        switch self {
        case .structure(let e): return "block: \(e)"
        case .header(let e): return "block: \(e)"
        case .transaction(let i, let e): return "block transaction \(i): \(e)"
        case .withdrawal(let i, let e): return "block withdrawal \(i): \(e)"
        case .ommersNotEmpty(let n): return "block has \(n) ommers; post-merge blocks have none"
        }
    }
}

/// The body of a block: its transactions and withdrawals (ommers are always empty after the merge).
public struct BlockBody: Hashable, Sendable {
    public var transactions: [SignedTransaction]
    /// Nil before Shanghai (the field is then absent from the encoding).
    public var withdrawals: [Withdrawal]?

    public init(transactions: [SignedTransaction], withdrawals: [Withdrawal]? = []) {
        self.transactions = transactions; self.withdrawals = withdrawals
    }

    /// Appends the body's items (transactions list, empty ommers list, withdrawals list when present) with no
    /// enclosing list header.
    func appendItems(to out: inout [UInt8]) {
        var txPayload = 0
        for t in transactions { txPayload += t.blockItemLength }
        RLP.appendListHeader(payloadLength: txPayload, to: &out)
        for t in transactions { t.appendBlockItem(to: &out) }
        out.append(0xc0)
        if let withdrawals {
            let encs = withdrawals.map(\.encoded)
            RLP.appendListHeader(payloadLength: encs.reduce(0) { $0 + $1.count }, to: &out)
            for e in encs { out += e }
        }
    }

    /// rlp([transactions, ommers, withdrawals?]): the form stored per block.
    public var encoded: [UInt8] {
        var items: [UInt8] = []
        appendItems(to: &items)
        var out: [UInt8] = []
        RLP.appendListHeader(payloadLength: items.count, to: &out)
        return out + items
    }

    /// Decodes `encoded`.
    public init(decoding bytes: [UInt8]) throws(BlockError) {
        var d = RLPDecoder(bytes)
        let m: RLPListMarker
        do throws(RLPError) { m = try d.enterList() } catch { throw .structure(error) }
        try self.init(reading: &d)
        do throws(RLPError) { try d.exitList(m); try d.finish() } catch { throw .structure(error) }
    }

    /// Reads the items after a block's header (or inside a body's list).
    init(reading d: inout RLPDecoder) throws(BlockError) {
        var txs: [SignedTransaction] = []
        let tm: RLPListMarker
        do throws(RLPError) { tm = try d.enterList() } catch { throw .structure(error) }
        while d.hasMore {
            let h: RLPHeader
            do throws(RLPError) { h = try d.readHeader() } catch { throw .structure(error) }
            do throws(TransactionError) {
                txs.append(try SignedTransaction(blockItem: Array(d.bytes[h.offset..<h.end])))
            } catch { throw .transaction(index: txs.count, error) }
        }
        do throws(RLPError) { try d.exitList(tm) } catch { throw .structure(error) }
        transactions = txs
        var ommers = 0
        do throws(RLPError) {
            let om = try d.enterList()
            while d.hasMore { try d.skipItem(); ommers += 1 }
            try d.exitList(om)
        } catch { throw .structure(error) }
        if ommers > 0 { throw .ommersNotEmpty(ommers) }
        if d.hasMore {
            var ws: [Withdrawal] = []
            do throws(RLPError) {
                let wm = try d.enterList()
                while d.hasMore {
                    let m = try d.enterList()
                    let w = Withdrawal(index: try d.readUInt64(), validatorIndex: try d.readUInt64(),
                                       address: try d.readAddress(), amount: try d.readUInt64())
                    try d.exitList(m)
                    ws.append(w)
                }
                try d.exitList(wm)
            } catch { throw .withdrawal(index: ws.count, error) }
            withdrawals = ws
        } else {
            withdrawals = nil
        }
    }

    /// The (key, value) pairs of the transactions trie: key rlp(index), value the transaction's binary encoding.
    public var transactionTrieEntries: [(key: [UInt8], value: [UInt8])] {
        transactions.enumerated().map { (RLP.encode(UInt64($0.offset)), $0.element.encoded) }
    }

    /// The (key, value) pairs of the withdrawals trie.
    public var withdrawalTrieEntries: [(key: [UInt8], value: [UInt8])] {
        (withdrawals ?? []).enumerated().map { (RLP.encode(UInt64($0.offset)), $0.element.encoded) }
    }
}

extension Receipt {
    /// The (key, value) pairs of a block's receipts trie: key rlp(index), value the consensus encoding.
    public static func trieEntries(_ receipts: [Receipt]) -> [(key: [UInt8], value: [UInt8])] {
        receipts.enumerated().map { (RLP.encode(UInt64($0.offset)), $0.element.encoded) }
    }

    /// The block bloom: the union of the receipts' blooms.
    public static func blockBloom(_ receipts: [Receipt]) -> Bloom {
        var b = Bloom()
        for r in receipts { b.formUnion(r.bloom) }
        return b
    }
}

/// A block: header and body.
public struct Block: Hashable, Sendable {
    public var header: BlockHeader
    public var body: BlockBody

    public init(header: BlockHeader, body: BlockBody) { self.header = header; self.body = body }

    public var hash: Hash32 { header.hash }
    public var number: UInt64 { header.number }
    public var transactions: [SignedTransaction] { body.transactions }

    /// rlp([header, transactions, ommers, withdrawals?]).
    public var encoded: [UInt8] {
        var items = header.encoded
        body.appendItems(to: &items)
        var out: [UInt8] = []
        RLP.appendListHeader(payloadLength: items.count, to: &out)
        return out + items
    }

    /// Decodes `encoded`.
    public init(decoding bytes: [UInt8]) throws(BlockError) {
        var d = RLPDecoder(bytes)
        let m: RLPListMarker
        do throws(RLPError) { m = try d.enterList() } catch { throw .structure(error) }
        do throws(BlockHeaderError) { header = try BlockHeader(reading: &d) } catch { throw .header(error) }
        body = try BlockBody(reading: &d)
        do throws(RLPError) { try d.exitList(m); try d.finish() } catch { throw .structure(error) }
    }
}
