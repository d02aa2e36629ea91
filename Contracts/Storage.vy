# pragma version 0.4.3
# @title GFL per-job Storage
# @notice One per job, created by the Controller from a blueprint. Records, for every round, the encrypted model
#         references that nodes exchange: untrusted node -> trusted node submissions, each trusted ring step's
#         forwarded references (phase 1 before distillation, phase 2 after), the distilled models, the global model
#         posted by the selected aggregator, and key-exchange messages. Entries are opaque bytes (an AES-GCM-sealed
#         CIDv0 is 62 bytes): nothing readable about a model is public. Every write emits an event that carries what
#         a follower needs, so trainers follow a job with eth_getLogs instead of reading storage.

interface IController:
    def isMember(jobId: uint256, node: address) -> bool: view
    def isTrusted(jobId: uint256, node: address) -> bool: view
    def aggregatorOf(jobId: uint256, round: uint256) -> address: view
    def runningRound(jobId: uint256) -> uint256: view
    def roundCompleted(jobId: uint256, round: uint256): nonpayable

MAX_REF: constant(uint256) = 128
MAX_KEY: constant(uint256) = 256
MAX_BATCH: constant(uint256) = 64

event Submitted:
    round: indexed(uint256)
    sender: indexed(address)
    to: indexed(address)
    ref: Bytes[MAX_REF]

event Forwarded:
    round: indexed(uint256)
    sender: indexed(address)
    to: indexed(address)
    phase: uint8
    step: uint256
    origin: address
    ref: Bytes[MAX_REF]

event Distilled:
    round: indexed(uint256)
    sender: indexed(address)
    ref: Bytes[MAX_REF]

event GlobalModel:
    round: indexed(uint256)
    aggregator: indexed(address)
    ref: Bytes[MAX_REF]

event KeyPosted:
    sender: indexed(address)
    to: indexed(address)
    encryptedKey: Bytes[MAX_KEY]

controller: public(immutable(address))
jobId: public(immutable(uint256))

submissions: public(HashMap[uint256, HashMap[address, Bytes[MAX_REF]]])
submittedTo: public(HashMap[uint256, HashMap[address, address]])
distilled: public(HashMap[uint256, HashMap[address, Bytes[MAX_REF]]])
distilledCount: public(HashMap[uint256, uint256])
forwardCount: public(HashMap[uint256, HashMap[address, uint256]])
globalModel: public(HashMap[uint256, Bytes[MAX_REF]])
keys: public(HashMap[address, HashMap[address, Bytes[MAX_KEY]]])


@deploy
def __init__(controller_: address, jobId_: uint256):
    controller = controller_
    jobId = jobId_


@view
@internal
def _currentRound() -> uint256:
    current: uint256 = staticcall IController(controller).runningRound(jobId)
    assert current != 0, "job is not running"
    return current


@internal
def _requireMember():
    assert staticcall IController(controller).isMember(jobId, msg.sender), "not a member of the job"


@external
def submit(round: uint256, to: address, ref: Bytes[MAX_REF]):
    """@notice An untrusted node hands its (encrypted) model reference to its trusted node for the round."""
    self._requireMember()
    assert round == self._currentRound(), "not the current round"
    assert staticcall IController(controller).isTrusted(jobId, to), "recipient is not a live trusted node"
    self.submissions[round][msg.sender] = ref
    self.submittedTo[round][msg.sender] = to
    log Submitted(round=round, sender=msg.sender, to=to, ref=ref)


@external
def forward(round: uint256, phase: uint8, step: uint256, to: address,
            origins: DynArray[address, MAX_BATCH], refs: DynArray[Bytes[MAX_REF], MAX_BATCH]):
    """
    @notice A trusted node forwards to its clockwise trusted successor the references that successor lacks
            (phase 1: local models before distillation; phase 2: distilled models). `origins[i]` made `refs[i]`.
    """
    assert phase == 1 or phase == 2, "phase must be 1 or 2"
    assert len(origins) == len(refs), "origins and refs differ in length"
    assert staticcall IController(controller).isTrusted(jobId, msg.sender), "only a live trusted node forwards"
    assert staticcall IController(controller).isTrusted(jobId, to), "recipient is not a live trusted node"
    assert round == self._currentRound(), "not the current round"
    for i: uint256 in range(len(refs), bound=MAX_BATCH):
        log Forwarded(round=round, sender=msg.sender, to=to, phase=phase, step=step, origin=origins[i], ref=refs[i])
    self.forwardCount[round][msg.sender] += len(refs)


@external
def postDistilled(round: uint256, ref: Bytes[MAX_REF]):
    """@notice A trusted node posts its distilled model for the round (once)."""
    assert staticcall IController(controller).isTrusted(jobId, msg.sender), "only a live trusted node"
    assert round == self._currentRound(), "not the current round"
    assert len(self.distilled[round][msg.sender]) == 0, "already posted"
    assert len(ref) > 0, "empty reference"
    self.distilled[round][msg.sender] = ref
    self.distilledCount[round] += 1
    log Distilled(round=round, sender=msg.sender, ref=ref)


@external
def postGlobal(round: uint256, ref: Bytes[MAX_REF]):
    """@notice The aggregator selected by the Controller posts the round's global model; this ends the round."""
    assert round == self._currentRound(), "not the current round"
    assert msg.sender == staticcall IController(controller).aggregatorOf(jobId, round), "only the selected aggregator"
    assert len(ref) > 0, "empty reference"
    self.globalModel[round] = ref
    log GlobalModel(round=round, aggregator=msg.sender, ref=ref)
    extcall IController(controller).roundCompleted(jobId, round)


@external
def postKey(to: address, encryptedKey: Bytes[MAX_KEY]):
    """@notice Key exchange: an ECIES-encrypted symmetric key for `to` (who can read it with its private key)."""
    self._requireMember()
    assert staticcall IController(controller).isMember(jobId, to), "recipient is not a member of the job"
    self.keys[msg.sender][to] = encryptedKey
    log KeyPosted(sender=msg.sender, to=to, encryptedKey=encryptedKey)
