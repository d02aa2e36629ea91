# pragma version 0.4.3
# @title GFL Controller
# @notice One per chain. Holds federated-learning jobs, their node registry, the consistent-hash ring of each job
#         (kept as sorted lists of ring positions), trusted-node lookup clockwise, liveness monitoring and the random
#         selection of the aggregating trusted node. Every job gets its own Storage contract (Storage.vy), created
#         from a blueprint, that carries the encrypted model references of each round.
# @dev A node's ring position is keccak256 of its 20-byte address, read as uint256. The ring is two sorted
#      DynArrays per job: every live node, and every live trusted node. Lookups are binary searches, so a lookup in a
#      256-node ring costs O(log n) storage reads.

interface IStorage:
    def distilledCount(round: uint256) -> uint256: view

MAX_NODES: constant(uint256) = 256
MAX_ROUNDS: constant(uint256) = 10000

# Job status values.
CREATED: constant(uint8) = 1
RUNNING: constant(uint8) = 2
FINISHED: constant(uint8) = 3
ABORTED: constant(uint8) = 4

struct Job:
    owner: address
    storage: address
    jobCid: String[64]
    description: String[256]
    rounds: uint256
    currentRound: uint256
    status: uint8
    maxNodes: uint256
    heartbeatTimeout: uint256    # blocks without a heartbeat before a node may be reported down
    roundTimeout: uint256        # blocks after a round starts before an aggregator may be chosen regardless
    aggregationTimeout: uint256  # blocks the chosen aggregator has to post the global model
    trustedCount: uint256        # 0: the owner marks trusted nodes; t > 0: the t largest data sizes at start
    roundStartBlock: uint256
    nodeCount: uint256

struct Node:
    position: uint256
    publicKey: Bytes[64]
    dataSize: uint256
    apiUrl: String[128]
    trusted: bool
    alive: bool
    lastHeartbeat: uint256
    joinedBlock: uint256

struct RingEntry:
    position: uint256
    node: address
    trusted: bool

struct Aggregation:
    aggregator: address
    selectedBlock: uint256
    attempt: uint256

event JobCreated:
    jobId: indexed(uint256)
    owner: indexed(address)
    storage: address
    jobCid: String[64]
    rounds: uint256

event JobStatusChanged:
    jobId: indexed(uint256)
    status: uint8
    round: uint256

event NodeJoined:
    jobId: indexed(uint256)
    node: indexed(address)
    position: uint256
    dataSize: uint256
    apiUrl: String[128]

event TrustedSet:
    jobId: indexed(uint256)
    node: indexed(address)
    trusted: bool

event NodeDown:
    jobId: indexed(uint256)
    node: indexed(address)
    reporter: address

event AggregatorSelected:
    jobId: indexed(uint256)
    round: indexed(uint256)
    aggregator: indexed(address)
    attempt: uint256

event RoundCompleted:
    jobId: indexed(uint256)
    round: indexed(uint256)

storageBlueprint: public(immutable(address))
jobCount: public(uint256)
jobs: public(HashMap[uint256, Job])
nodes: public(HashMap[uint256, HashMap[address, Node]])
members: HashMap[uint256, DynArray[address, MAX_NODES]]
ringPositions: HashMap[uint256, DynArray[uint256, MAX_NODES]]
trustedPositions: HashMap[uint256, DynArray[uint256, MAX_NODES]]
positionOwner: HashMap[uint256, HashMap[uint256, address]]
aggregations: public(HashMap[uint256, HashMap[uint256, Aggregation]])
excluded: HashMap[uint256, HashMap[uint256, HashMap[address, bool]]]


@deploy
def __init__(blueprint: address):
    storageBlueprint = blueprint


# ---------------------------------------------------------------- jobs

@external
def createJob(jobCid: String[64], description: String[256], rounds: uint256, maxNodes: uint256,
              heartbeatTimeout: uint256, roundTimeout: uint256, aggregationTimeout: uint256,
              trustedCount: uint256) -> uint256:
    """
    @notice Creates a job and its Storage contract; the caller is the job's owner (the model provider).
    @return The new job id (starting at 1).
    """
    assert rounds > 0 and rounds <= MAX_ROUNDS, "rounds out of range"
    assert maxNodes > 0 and maxNodes <= MAX_NODES, "maxNodes out of range"
    assert trustedCount <= maxNodes, "trustedCount above maxNodes"
    assert heartbeatTimeout > 0 and aggregationTimeout > 0, "timeouts must be positive"
    jobId: uint256 = self.jobCount + 1
    self.jobCount = jobId
    store: address = create_from_blueprint(storageBlueprint, self, jobId, code_offset=3)
    self.jobs[jobId] = Job(
        owner=msg.sender, storage=store, jobCid=jobCid, description=description, rounds=rounds,
        currentRound=0, status=CREATED, maxNodes=maxNodes, heartbeatTimeout=heartbeatTimeout,
        roundTimeout=roundTimeout, aggregationTimeout=aggregationTimeout, trustedCount=trustedCount,
        roundStartBlock=0, nodeCount=0)
    log JobCreated(jobId=jobId, owner=msg.sender, storage=store, jobCid=jobCid, rounds=rounds)
    return jobId


@external
def startJob(jobId: uint256):
    """
    @notice Starts round 1. With trustedCount t > 0 the t nodes with the largest declared data size become the
            trusted nodes (ties broken by the lower ring position), and places freed by failures are refilled by
            the same rule when a round ends; otherwise the owner must have set them, and they are never refilled.
    """
    job: Job = self.jobs[jobId]
    assert job.owner == msg.sender, "only the job owner"
    assert job.status == CREATED, "job is not in Created state"
    if job.trustedCount > 0:
        self._selectTrustedByDataSize(jobId, job.trustedCount)
    assert len(self.trustedPositions[jobId]) > 0, "no trusted node"
    self.jobs[jobId].status = RUNNING
    self.jobs[jobId].currentRound = 1
    self.jobs[jobId].roundStartBlock = block.number
    log JobStatusChanged(jobId=jobId, status=RUNNING, round=1)


@external
def abortJob(jobId: uint256):
    job: Job = self.jobs[jobId]
    assert job.owner == msg.sender, "only the job owner"
    assert job.status == CREATED or job.status == RUNNING, "job already ended"
    self.jobs[jobId].status = ABORTED
    log JobStatusChanged(jobId=jobId, status=ABORTED, round=job.currentRound)


@external
def roundCompleted(jobId: uint256, round: uint256):
    """
    @notice Called by the job's Storage contract when the selected aggregator posts the round's global model.
    """
    job: Job = self.jobs[jobId]
    assert msg.sender == job.storage, "only the job's storage contract"
    assert job.status == RUNNING and round == job.currentRound, "not the current round"
    log RoundCompleted(jobId=jobId, round=round)
    if round == job.rounds:
        self.jobs[jobId].status = FINISHED
        log JobStatusChanged(jobId=jobId, status=FINISHED, round=round)
    else:
        self.jobs[jobId].currentRound = round + 1
        self.jobs[jobId].roundStartBlock = block.number
        if job.trustedCount > 0:
            self._refillTrusted(jobId, job.trustedCount)


# ---------------------------------------------------------------- nodes

@external
def join(jobId: uint256, publicKey: Bytes[64], dataSize: uint256, apiUrl: String[128]):
    """
    @notice Registers the caller in the job's ring at position keccak256(address).
    @param publicKey The node's uncompressed secp256k1 public key (x || y), for key exchange (ECIES).
    @param apiUrl The URL of the node's content store, from which peers fetch its model files.
    """
    job: Job = self.jobs[jobId]
    assert job.status == CREATED, "job is not accepting nodes"
    assert self.nodes[jobId][msg.sender].joinedBlock == 0, "already joined"
    assert job.nodeCount < job.maxNodes, "job is full"
    assert len(publicKey) == 64, "public key must be 64 bytes"
    position: uint256 = self._position(msg.sender)
    self.nodes[jobId][msg.sender] = Node(
        position=position, publicKey=publicKey, dataSize=dataSize, apiUrl=apiUrl, trusted=False,
        alive=True, lastHeartbeat=block.number, joinedBlock=block.number)
    self.positionOwner[jobId][position] = msg.sender
    self.members[jobId].append(msg.sender)
    self._insertSorted(jobId, position, False)
    self.jobs[jobId].nodeCount = job.nodeCount + 1
    log NodeJoined(jobId=jobId, node=msg.sender, position=position, dataSize=dataSize, apiUrl=apiUrl)


@external
def setTrusted(jobId: uint256, node: address, trusted: bool):
    job: Job = self.jobs[jobId]
    assert job.owner == msg.sender, "only the job owner"
    assert job.status == CREATED, "trusted nodes are fixed once the job starts"
    self._setTrusted(jobId, node, trusted)


@external
def heartbeat(jobId: uint256):
    assert self.nodes[jobId][msg.sender].alive, "not a live member of the job"
    self.nodes[jobId][msg.sender].lastHeartbeat = block.number


@external
def reportDown(jobId: uint256, node: address):
    """
    @notice Removes a node whose last heartbeat is older than the job's timeout; lookups then route around it.
            A trusted node's place is filled again when the round ends (by data size, as at the start).
    """
    assert self.nodes[jobId][msg.sender].alive, "reporter is not a live member of the job"
    target: Node = self.nodes[jobId][node]
    assert target.alive, "node is not a live member of the job"
    assert block.number > target.lastHeartbeat + self.jobs[jobId].heartbeatTimeout, "node heartbeat is fresh"
    self.nodes[jobId][node].alive = False
    self._removeSorted(jobId, target.position, False)
    if target.trusted:
        self._removeSorted(jobId, target.position, True)
    log NodeDown(jobId=jobId, node=node, reporter=msg.sender)


# ---------------------------------------------------------------- aggregation

@external
def selectAggregator(jobId: uint256, round: uint256) -> address:
    """
    @notice Picks a live trusted node uniformly at random (from block.prevrandao) to run FedAvg for the round,
            once every live trusted node has posted its distilled model or the round timeout has passed.
    @dev prevrandao is known to the block's proposer, who can withhold a block to re-roll the choice once (a bias
         bounded by one bit per withheld block); on this single-sealer dev chain the sealer could choose outright.
         Use a commit-reveal or VRF beacon where sealers are not trusted.
    """
    job: Job = self.jobs[jobId]
    assert job.status == RUNNING and round == job.currentRound, "not the current round"
    assert self.aggregations[jobId][round].aggregator == empty(address), "aggregator already selected"
    ready: bool = staticcall IStorage(job.storage).distilledCount(round) >= len(self.trustedPositions[jobId])
    assert ready or block.number > job.roundStartBlock + job.roundTimeout, "trusted models are not all in"
    return self._pickAggregator(jobId, round, 0)


@external
def reselectAggregator(jobId: uint256, round: uint256) -> address:
    """
    @notice Replaces an aggregator that is down or did not post the global model within the timeout.
    """
    job: Job = self.jobs[jobId]
    assert job.status == RUNNING and round == job.currentRound, "not the current round"
    agg: Aggregation = self.aggregations[jobId][round]
    assert agg.aggregator != empty(address), "no aggregator selected"
    timedOut: bool = block.number > agg.selectedBlock + job.aggregationTimeout
    assert timedOut or not self.nodes[jobId][agg.aggregator].alive, "aggregator still has time"
    self.excluded[jobId][round][agg.aggregator] = True
    return self._pickAggregator(jobId, round, agg.attempt + 1)


# ---------------------------------------------------------------- views

@view
@external
def aggregatorOf(jobId: uint256, round: uint256) -> address:
    return self.aggregations[jobId][round].aggregator


@view
@external
def runningRound(jobId: uint256) -> uint256:
    """@notice The current round of a running job, 0 when the job is not running."""
    job: Job = self.jobs[jobId]
    if job.status != RUNNING:
        return 0
    return job.currentRound


@view
@external
def isMember(jobId: uint256, node: address) -> bool:
    """@notice True for a node that joined the job and has not been reported down."""
    return self.nodes[jobId][node].alive


@view
@external
def isTrusted(jobId: uint256, node: address) -> bool:
    n: Node = self.nodes[jobId][node]
    return n.alive and n.trusted


@view
@external
def positionOf(node: address) -> uint256:
    return self._position(node)


@view
@external
def ring(jobId: uint256) -> DynArray[RingEntry, MAX_NODES]:
    """@notice The live nodes in ring order (ascending position)."""
    out: DynArray[RingEntry, MAX_NODES] = []
    for p: uint256 in self.ringPositions[jobId]:
        owner: address = self.positionOwner[jobId][p]
        out.append(RingEntry(position=p, node=owner, trusted=self.nodes[jobId][owner].trusted))
    return out


@view
@external
def memberList(jobId: uint256) -> DynArray[address, MAX_NODES]:
    """@notice Every node that ever joined, live or down, in join order."""
    return self.members[jobId]


@view
@external
def firstTrustedClockwise(jobId: uint256, position: uint256) -> address:
    """@notice The first live trusted node strictly clockwise from `position`, wrapping around the ring."""
    return self._firstClockwise(jobId, position, True)


@view
@external
def nextTrusted(jobId: uint256, node: address) -> address:
    """@notice The trusted node after `node` clockwise (the node itself when it is the only trusted one)."""
    n: Node = self.nodes[jobId][node]
    assert n.joinedBlock != 0, "not a member of the job"
    return self._firstClockwise(jobId, n.position, True)


@view
@external
def successor(jobId: uint256, node: address) -> address:
    """@notice The live node after `node` clockwise: the neighbour `node` watches."""
    n: Node = self.nodes[jobId][node]
    assert n.joinedBlock != 0, "not a member of the job"
    return self._firstClockwise(jobId, n.position, False)


# ---------------------------------------------------------------- internals

@pure
@internal
def _position(node: address) -> uint256:
    # keccak256 over the 20 address bytes (not the 32-byte ABI word), read as a big-endian uint256.
    return convert(keccak256(concat(convert(node, bytes20), b"")), uint256)


@view
@internal
def _upperBound(jobId: uint256, position: uint256, trusted: bool) -> uint256:
    # Index of the first entry strictly greater than `position` (binary search).
    n: uint256 = 0
    if trusted:
        n = len(self.trustedPositions[jobId])
    else:
        n = len(self.ringPositions[jobId])
    lo: uint256 = 0
    hi: uint256 = n
    for _: uint256 in range(9):  # 2^9 > MAX_NODES
        if lo >= hi:
            break
        mid: uint256 = (lo + hi) // 2
        v: uint256 = 0
        if trusted:
            v = self.trustedPositions[jobId][mid]
        else:
            v = self.ringPositions[jobId][mid]
        if v <= position:
            lo = mid + 1
        else:
            hi = mid
    return lo


@view
@internal
def _firstClockwise(jobId: uint256, position: uint256, trusted: bool) -> address:
    n: uint256 = 0
    if trusted:
        n = len(self.trustedPositions[jobId])
        assert n > 0, "no live trusted node"
    else:
        n = len(self.ringPositions[jobId])
        assert n > 0, "ring is empty"
    i: uint256 = self._upperBound(jobId, position, trusted)
    if i == n:
        i = 0
    if trusted:
        return self.positionOwner[jobId][self.trustedPositions[jobId][i]]
    return self.positionOwner[jobId][self.ringPositions[jobId][i]]


@internal
def _insertSorted(jobId: uint256, position: uint256, trusted: bool):
    i: uint256 = self._upperBound(jobId, position, trusted)
    if trusted:
        self.trustedPositions[jobId].append(position)
        n: uint256 = len(self.trustedPositions[jobId])
        for k: uint256 in range(MAX_NODES):
            j: uint256 = n - 1 - k
            if j <= i:
                break
            self.trustedPositions[jobId][j] = self.trustedPositions[jobId][j - 1]
        self.trustedPositions[jobId][i] = position
    else:
        self.ringPositions[jobId].append(position)
        n: uint256 = len(self.ringPositions[jobId])
        for k: uint256 in range(MAX_NODES):
            j: uint256 = n - 1 - k
            if j <= i:
                break
            self.ringPositions[jobId][j] = self.ringPositions[jobId][j - 1]
        self.ringPositions[jobId][i] = position


@internal
def _removeSorted(jobId: uint256, position: uint256, trusted: bool):
    # The entry is at upperBound - 1 (positions are unique).
    i: uint256 = self._upperBound(jobId, position, trusted) - 1
    if trusted:
        n: uint256 = len(self.trustedPositions[jobId])
        assert self.trustedPositions[jobId][i] == position
        for j: uint256 in range(i, i + MAX_NODES, bound=MAX_NODES):
            if j + 1 >= n:
                break
            self.trustedPositions[jobId][j] = self.trustedPositions[jobId][j + 1]
        self.trustedPositions[jobId].pop()
    else:
        n: uint256 = len(self.ringPositions[jobId])
        assert self.ringPositions[jobId][i] == position
        for j: uint256 in range(i, i + MAX_NODES, bound=MAX_NODES):
            if j + 1 >= n:
                break
            self.ringPositions[jobId][j] = self.ringPositions[jobId][j + 1]
        self.ringPositions[jobId].pop()


@internal
def _setTrusted(jobId: uint256, node: address, trusted: bool):
    n: Node = self.nodes[jobId][node]
    assert n.alive, "node is not a live member of the job"
    if n.trusted == trusted:
        return
    self.nodes[jobId][node].trusted = trusted
    if trusted:
        self._insertSorted(jobId, n.position, True)
    else:
        self._removeSorted(jobId, n.position, True)
    log TrustedSet(jobId=jobId, node=node, trusted=trusted)


@internal
def _selectTrustedByDataSize(jobId: uint256, t: uint256):
    # The t largest declared data sizes become trusted; ties go to the lower ring position. The sizes are read
    # from storage once into memory, and the selection runs there by repeated extremum: picking the t largest,
    # or, when t > n/2, dropping the n - t smallest (ties: the higher position goes first), so that it costs
    # min(t, n - t) passes. (Reading each Node struct in every pass, as a first version did, cost ~100M gas.)
    for p: uint256 in self.trustedPositions[jobId]:
        a: address = self.positionOwner[jobId][p]
        self.nodes[jobId][a].trusted = False
        log TrustedSet(jobId=jobId, node=a, trusted=False)
    self.trustedPositions[jobId] = []
    positions: DynArray[uint256, MAX_NODES] = self.ringPositions[jobId]
    n: uint256 = len(positions)
    sizes: DynArray[uint256, MAX_NODES] = []
    for p: uint256 in positions:
        sizes.append(self.nodes[jobId][self.positionOwner[jobId][p]].dataSize)
    chosen: bool[MAX_NODES] = empty(bool[MAX_NODES])
    if 2 * t <= n:
        for _: uint256 in range(t, bound=MAX_NODES):
            best: uint256 = n
            bestSize: uint256 = 0
            for i: uint256 in range(n, bound=MAX_NODES):
                if not chosen[i] and (best == n or sizes[i] > bestSize):
                    best = i
                    bestSize = sizes[i]
            chosen[best] = True
    else:
        for i: uint256 in range(n, bound=MAX_NODES):
            chosen[i] = True
        for _: uint256 in range(n - min(t, n), bound=MAX_NODES):
            worst: uint256 = n
            worstSize: uint256 = 0
            for i: uint256 in range(n, bound=MAX_NODES):
                if chosen[i] and (worst == n or sizes[i] <= worstSize):
                    worst = i
                    worstSize = sizes[i]
            chosen[worst] = False
    # Walking the ring in order appends the trusted positions already sorted.
    for i: uint256 in range(n, bound=MAX_NODES):
        if chosen[i]:
            a: address = self.positionOwner[jobId][positions[i]]
            self.trustedPositions[jobId].append(positions[i])
            self.nodes[jobId][a].trusted = True
            log TrustedSet(jobId=jobId, node=a, trusted=True)


@internal
def _refillTrusted(jobId: uint256, t: uint256):
    # Only for jobs whose trusted nodes the Controller chose (trustedCount t > 0): a trusted node reported down
    # leaves fewer than t; when the round ends, the live untrusted nodes with the largest declared data size
    # (ties: the lower ring position) take the free places by the same rule as at start, so the next round again
    # distils and averages t models. An owner-chosen set is never refilled: the owner vetted those nodes, and the
    # data-size rule could promote one the owner left out on purpose. Nodes see the TrustedSet events in the
    # same transaction as the round's global model, so roles change only between rounds.
    have: uint256 = len(self.trustedPositions[jobId])
    if have >= t:
        return
    for _: uint256 in range(t - have, bound=MAX_NODES):
        best: address = empty(address)
        bestSize: uint256 = 0
        for p: uint256 in self.ringPositions[jobId]:
            a: address = self.positionOwner[jobId][p]
            if self.nodes[jobId][a].trusted:
                continue
            size: uint256 = self.nodes[jobId][a].dataSize
            if best == empty(address) or size > bestSize:
                best = a
                bestSize = size
        if best == empty(address):
            return
        self._setTrusted(jobId, best, True)


@internal
def _pickAggregator(jobId: uint256, round: uint256, attempt: uint256) -> address:
    candidates: DynArray[address, MAX_NODES] = []
    for p: uint256 in self.trustedPositions[jobId]:
        a: address = self.positionOwner[jobId][p]
        if not self.excluded[jobId][round][a]:
            candidates.append(a)
    assert len(candidates) > 0, "no live trusted node left to aggregate"
    seed: bytes32 = keccak256(abi_encode(block.prevrandao, jobId, round, attempt))
    chosen: address = candidates[convert(seed, uint256) % len(candidates)]
    self.aggregations[jobId][round] = Aggregation(aggregator=chosen, selectedBlock=block.number, attempt=attempt)
    log AggregatorSelected(jobId=jobId, round=round, aggregator=chosen, attempt=attempt)
    return chosen
