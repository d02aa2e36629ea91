# pragma version 0.4.3
# @title GFL accuracy receipts (DFL proof of contribution)
# @notice One per chain, next to the Controller. In DFL (Tian et al.) every receiver tests each model it received
#         on its own data and publishes a signed accuracy receipt: which model (a reference hash, e.g. keccak256 of
#         the sealed reference the sender posted), who tested it (the transaction's sender) and the accuracy it
#         measured. Receipts are written only during the job's running round, by live members about live members,
#         at most one per (round, tester, sender). Per (job, sender) running totals make the mean accuracy a
#         node's peers measured a cheap view; every receipt is also an `AccuracyReceipt` event, so followers read
#         them with eth_getLogs.

interface IController:
    def isMember(jobId: uint256, node: address) -> bool: view
    def runningRound(jobId: uint256) -> uint256: view

MAX_RECEIPTS: constant(uint256) = 64
MAX_ACCURACY: constant(uint16) = 10000

event AccuracyReceipt:
    jobId: indexed(uint256)
    round: uint256
    tester: indexed(address)
    sender: indexed(address)
    refHash: bytes32
    accuracy: uint16

struct Totals:
    count: uint256
    sumAccuracy: uint256
    lastRound: uint256

controller: public(immutable(address))

# (job, round, tester, sender) -> accuracy + 1 (0: no receipt), so that an accuracy of 0 is still a receipt.
stored: HashMap[uint256, HashMap[uint256, HashMap[address, HashMap[address, uint256]]]]
# (job, sender) -> receipts about the sender's models (bits 0..63), the sum of their accuracies (bits 64..191) and
# the last round one came in (bits 192..255), packed into one slot: one storage write per receipt instead of three.
# Bounds: a count below 2^64, a sum at most count * 10000 < 2^128, a round at most 10000 (Controller's limit).
packedTotals: HashMap[uint256, HashMap[address, uint256]]

MASK64: constant(uint256) = 2**64 - 1
MASK128: constant(uint256) = 2**128 - 1


@deploy
def __init__(controller_: address):
    assert controller_ != empty(address), "controller is the zero address"
    controller = controller_


@external
def post(jobId: uint256, round: uint256, senders: DynArray[address, MAX_RECEIPTS],
         refHashes: DynArray[bytes32, MAX_RECEIPTS], accuracies: DynArray[uint16, MAX_RECEIPTS]):
    """
    @notice The caller (the tester) publishes the accuracy, in basis points (0..10000), that it measured on its own
            data for the model `refHashes[i]` it received from `senders[i]` in the job's current round.
    """
    assert len(senders) == len(refHashes) and len(senders) == len(accuracies), "senders, refHashes and accuracies differ in length"
    assert len(senders) > 0, "no receipts"
    assert staticcall IController(controller).isMember(jobId, msg.sender), "tester is not a live member of the job"
    current: uint256 = staticcall IController(controller).runningRound(jobId)
    assert current != 0, "job is not running"
    assert round == current, "not the current round"
    for i: uint256 in range(len(senders), bound=MAX_RECEIPTS):
        sender: address = senders[i]
        accuracy: uint16 = accuracies[i]
        assert sender != msg.sender, "a tester cannot receipt its own model"
        assert accuracy <= MAX_ACCURACY, "accuracy above 10000 basis points"
        assert staticcall IController(controller).isMember(jobId, sender), "sender is not a live member of the job"
        assert self.stored[jobId][round][msg.sender][sender] == 0, "receipt already posted for this round and sender"
        self.stored[jobId][round][msg.sender][sender] = convert(accuracy, uint256) + 1
        packed: uint256 = self.packedTotals[jobId][sender]
        count: uint256 = (packed & MASK64) + 1
        total: uint256 = ((packed >> 64) & MASK128) + convert(accuracy, uint256)
        self.packedTotals[jobId][sender] = count | (total << 64) | (round << 192)
        log AccuracyReceipt(jobId=jobId, round=round, tester=msg.sender, sender=sender, refHash=refHashes[i],
                            accuracy=accuracy)


@view
@external
def hasReceipt(jobId: uint256, round: uint256, tester: address, sender: address) -> bool:
    """@notice True when `tester` posted a receipt about `sender`'s model of `round`."""
    return self.stored[jobId][round][tester][sender] != 0


@view
@external
def accuracyOf(jobId: uint256, round: uint256, tester: address, sender: address) -> uint16:
    """@notice The accuracy (basis points) `tester` measured for `sender`'s model of `round`; reverts when none."""
    v: uint256 = self.stored[jobId][round][tester][sender]
    assert v != 0, "no receipt"
    return convert(v - 1, uint16)


@view
@internal
def _totals(jobId: uint256, sender: address) -> Totals:
    packed: uint256 = self.packedTotals[jobId][sender]
    return Totals(count=packed & MASK64, sumAccuracy=(packed >> 64) & MASK128, lastRound=packed >> 192)


@view
@external
def totals(jobId: uint256, sender: address) -> Totals:
    """@notice Receipts about `sender`'s models in the job: how many, the sum of their accuracies, the last round."""
    return self._totals(jobId, sender)


@view
@external
def meanAccuracy(jobId: uint256, sender: address) -> uint256:
    """@notice Mean accuracy (basis points, rounded down) of all receipts about `sender` in the job; 0 when none."""
    t: Totals = self._totals(jobId, sender)
    if t.count == 0:
        return 0
    return t.sumAccuracy // t.count
