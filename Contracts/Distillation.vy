# pragma version 0.4.3
# @title GFL 1-bit compressed federated distillation with Peer Truth Serum rewards
# @notice One per chain, next to the Controller. The nodes of a job predict the labels of a public, unlabeled
#         reference set of `samples` items and submit each prediction compressed to one bit per class (the one-hot
#         of the argmax). The contract adds the votes up per sample and class on chain; the hard labels nodes
#         distil from are the argmax of those counts (ties: the lowest class). Rewards follow the Peer Truth Serum
#         for Crowdsourcing (PTSC, Radanovic, Faltings & Jurca 2016): every submitter i of a round is paired with a
#         peer p drawn from block.prevrandao, and scores
#             score_i = sum over samples s of [ 1(a_i(s) == a_p(s)) / R_-i(a_i(s)) - 1 ]
#         where R_-i(x) is the frequency of answer x among the other submitters' answers in that round (over all
#         samples). The job's reward pool (ETH, `fund`) pays each round's budget in shares of the positive scores;
#         negative scores get nothing. Payouts are credited and pulled with `withdraw`.
# @dev Vote encoding (what `submit` takes): sample s, class c is bit k = s * classes + c of the byte string, stored
#      in byte k // 8 at bit k % 8, least significant bit first ("little-endian bit order"). The string is exactly
#      ceil(samples * classes / 8) bytes; bits after the last sample must be zero. Sources/Learning/OneBitVotes.swift
#      packs and unpacks it.
#      Counter layout: 8-bit counters, one per (sample, class); a storage word holds 256 // (8 * classes) samples
#      (3 for 10 classes), sample s in word s // spw at bit offset 8 * (classes * (s % spw) + c). Hence at most 255
#      submissions per round. A submitter's answers (class indices) are kept 4 bits each, 64 samples per word, for
#      the PTSC, and its per-class answer histogram as 16-bit fields of one word.

interface IController:
    def isMember(jobId: uint256, node: address) -> bool: view
    def runningRound(jobId: uint256) -> uint256: view
    def memberList(jobId: uint256) -> DynArray[address, MAX_NODES]: view
    def jobs(jobId: uint256) -> Job: view

# The Controller's job record, as its `jobs` getter returns it.
struct Job:
    owner: address
    storage: address
    jobCid: String[64]
    description: String[256]
    rounds: uint256
    currentRound: uint256
    status: uint8
    maxNodes: uint256
    heartbeatTimeout: uint256
    roundTimeout: uint256
    aggregationTimeout: uint256
    trustedCount: uint256
    roundStartBlock: uint256
    nodeCount: uint256

struct Config:
    samples: uint256        # reference-set size R; 0 while the job is not configured
    classes: uint256        # bits per sample
    roundBudget: uint256    # wei paid per finalized round; 0: pool / rounds not yet finalized
    timeoutBlocks: uint256  # blocks after a round's first submission after which it may be finalized; 0: never
    pool: uint256           # unpaid wei of the job
    finalizedRounds: uint256

struct RoundState:
    submissions: uint256
    firstBlock: uint256
    closed: bool        # finalizing started: no more submissions
    finalized: bool     # every submitter scored and paid
    scored: uint256     # submitters scored so far (in submission order)
    positive: uint256   # sum of the positive scores so far
    budget: uint256     # wei to share, fixed when finalizing starts
    paid: uint256

MAX_NODES: constant(uint256) = 256
MAX_SUBMISSIONS: constant(uint256) = 255       # 8-bit counters
MAX_SAMPLES: constant(uint256) = 1000
MAX_CLASSES: constant(uint256) = 16            # answers are kept in 4 bits
MAX_VOTE_BYTES: constant(uint256) = 2000       # MAX_SAMPLES * MAX_CLASSES / 8
MAX_WORDS: constant(uint256) = 500             # counter words for MAX_SAMPLES at 2 samples per word
ANSWER_WORDS: constant(uint256) = 16           # ceil(MAX_SAMPLES / 64)
SCALE: constant(uint256) = 10 ** 18            # fixed point of scores
SCORE_BATCH: constant(uint256) = 96            # submitters scored per finalize call (keeps a call below 30M gas)
NIBBLE_ONES: constant(uint256) = max_value(uint256) // 15     # 0x1111...1
NIBBLE_LOW3: constant(uint256) = NIBBLE_ONES * 7
NIBBLE_HIGH: constant(uint256) = NIBBLE_ONES * 8
BYTE_ONES: constant(uint256) = max_value(uint256) // 255      # 0x0101...01
BYTE_LOW4: constant(uint256) = BYTE_ONES * 15
BYTE_EVEN: constant(uint256) = BYTE_ONES * 255 // 257                 # 0x00FF00FF...: bytes 0, 2, 4, ...
PAIR_EVEN: constant(uint256) = max_value(uint256) // (2 ** 32 - 1) * (2 ** 16 - 1)   # 0x0000FFFF...
QUAD_EVEN: constant(uint256) = max_value(uint256) // (2 ** 64 - 1) * (2 ** 32 - 1)
OCT_EVEN: constant(uint256) = max_value(uint256) // (2 ** 128 - 1) * (2 ** 64 - 1)

# Controller job status values.
FINISHED: constant(uint8) = 3
ABORTED: constant(uint8) = 4

event Configured:
    jobId: indexed(uint256)
    samples: uint256
    classes: uint256
    roundBudget: uint256
    timeoutBlocks: uint256

event Funded:
    jobId: indexed(uint256)
    sender: indexed(address)
    amount: uint256
    pool: uint256

event VotesSubmitted:
    jobId: indexed(uint256)
    round: indexed(uint256)
    node: indexed(address)
    samples: uint256

event RoundFinalized:
    jobId: indexed(uint256)
    round: indexed(uint256)
    submissions: uint256
    budget: uint256
    paid: uint256

event Scored:
    jobId: indexed(uint256)
    round: indexed(uint256)
    node: indexed(address)
    peer: address
    score: int256

event Rewarded:
    jobId: indexed(uint256)
    round: indexed(uint256)
    node: indexed(address)
    amount: uint256
    score: int256

event Withdrawn:
    node: indexed(address)
    amount: uint256

controller: public(immutable(address))
configs: public(HashMap[uint256, Config])
rounds: public(HashMap[uint256, HashMap[uint256, RoundState]])
# PTSC score of a node in a round (fixed point, SCALE = 1e18; negative when it agreed less than chance).
scoreOf: public(HashMap[uint256, HashMap[uint256, HashMap[address, int256]]])
# Wei a node earned in a job, over all rounds.
rewardOf: public(HashMap[uint256, HashMap[address, uint256]])
# Wei a node may withdraw (all jobs).
balanceOf: public(HashMap[address, uint256])

submitters: HashMap[uint256, HashMap[uint256, DynArray[address, MAX_SUBMISSIONS]]]
counts: HashMap[uint256, HashMap[uint256, uint256[MAX_WORDS]]]
answers: HashMap[uint256, HashMap[uint256, HashMap[address, uint256[ANSWER_WORDS]]]]
histograms: HashMap[uint256, HashMap[uint256, HashMap[address, uint256]]]


@deploy
def __init__(controller_: address):
    controller = controller_


# ---------------------------------------------------------------- jobs and funds

@external
def configure(jobId: uint256, samples: uint256, classes: uint256, roundBudget: uint256, timeoutBlocks: uint256):
    """
    @notice Sets a job's reference-set size and number of classes (once). Fund its reward pool with `fund`.
    @param roundBudget Wei paid out per finalized round; 0 splits the pool evenly over the rounds left.
    @param timeoutBlocks Blocks after a round's first submission after which anyone may finalize it even if some
           live members have not submitted; 0 waits for all of them (or for the Controller to leave the round).
    """
    job: Job = staticcall IController(controller).jobs(jobId)
    assert job.owner != empty(address), "no such job"
    assert job.owner == msg.sender, "only the job owner"
    assert job.status != FINISHED and job.status != ABORTED, "job already ended"
    assert self.configs[jobId].samples == 0, "already configured"
    assert samples > 0 and samples <= MAX_SAMPLES, "samples must be 1..1000"
    assert classes >= 2 and classes <= MAX_CLASSES, "classes must be 2..16"
    self.configs[jobId] = Config(samples=samples, classes=classes, roundBudget=roundBudget,
                                 timeoutBlocks=timeoutBlocks, pool=self.configs[jobId].pool, finalizedRounds=0)
    log Configured(jobId=jobId, samples=samples, classes=classes, roundBudget=roundBudget, timeoutBlocks=timeoutBlocks)


@external
@payable
def fund(jobId: uint256):
    """@notice Adds the sent wei to a configured job's reward pool (anyone may fund)."""
    assert self.configs[jobId].samples != 0, "distillation is not configured for the job"
    assert msg.value > 0, "send some wei"
    pool: uint256 = self.configs[jobId].pool + msg.value
    self.configs[jobId].pool = pool
    log Funded(jobId=jobId, sender=msg.sender, amount=msg.value, pool=pool)


@external
def reclaim(jobId: uint256):
    """@notice After the job finished or was aborted, the owner takes back what is left of the pool (to withdraw)."""
    job: Job = staticcall IController(controller).jobs(jobId)
    assert job.owner == msg.sender, "only the job owner"
    assert job.status == FINISHED or job.status == ABORTED, "job has not ended"
    left: uint256 = self.configs[jobId].pool
    assert left > 0, "pool is empty"
    self.configs[jobId].pool = 0
    self.balanceOf[msg.sender] += left


@external
@nonreentrant
def withdraw():
    """@notice Sends the caller everything credited to it (rewards, reclaimed pools)."""
    amount: uint256 = self.balanceOf[msg.sender]
    assert amount > 0, "nothing to withdraw"
    self.balanceOf[msg.sender] = 0
    raw_call(msg.sender, b"", value=amount)
    log Withdrawn(node=msg.sender, amount=amount)


# ---------------------------------------------------------------- votes

@external
def submit(jobId: uint256, round: uint256, votes: Bytes[MAX_VOTE_BYTES]):
    """
    @notice A live member's one-hot votes for every reference sample in the running round (once per round).
    @param votes ceil(samples * classes / 8) bytes; sample s, class c is bit s * classes + c, LSB first in each
           byte; exactly one bit per sample; padding bits zero.
    """
    cfg: Config = self.configs[jobId]
    assert cfg.samples != 0, "distillation is not configured for the job"
    assert staticcall IController(controller).isMember(jobId, msg.sender), "not a member of the job"
    current: uint256 = staticcall IController(controller).runningRound(jobId)
    assert current != 0, "job is not running"
    assert round == current, "not the current round"
    rs: RoundState = self.rounds[jobId][round]
    assert not rs.closed, "round is closed (finalize has started)"
    assert self.histograms[jobId][round][msg.sender] == 0, "already submitted this round"
    assert rs.submissions < MAX_SUBMISSIONS, "round is full (255 submissions)"
    n: uint256 = cfg.samples
    c: uint256 = cfg.classes
    bits: uint256 = n * c
    assert len(votes) == (bits + 7) // 8, "votes must be ceil(samples * classes / 8) bytes"
    if bits % 8 != 0:
        last: uint256 = convert(slice(votes, len(votes) - 1, 1), uint256)
        assert last >> (bits % 8) == 0, "padding bits after the last sample must be zero"

    buf: Bytes[MAX_VOTE_BYTES + 32] = concat(votes, empty(bytes32))
    mask: uint256 = (1 << c) - 1
    spw: uint256 = 256 // (8 * c)   # samples per counter word
    k: uint256 = 0                  # bit index of the sample's first class
    j: uint256 = 0                  # the sample's place in the counter word
    offset: uint256 = 0             # 8 * c * j
    word: uint256 = 0
    acc: uint256 = self.counts[jobId][round][0]
    answer: uint256 = 0
    nibble: uint256 = 0             # 4 * (s % 64)
    answerWord: uint256 = 0
    histogram: uint256 = 0
    # `chunk` holds 32 vote bytes from byte `base >> 3` on, byte-reversed so that vote bit k is bit k - base.
    base: uint256 = 0
    chunk: uint256 = self._littleEndian(extract32(buf, 0, output_type=uint256))
    # Indices stay far below 2^256, and counters below 256 (at most 255 submissions), so the loop uses unchecked
    # arithmetic.
    for s: uint256 in range(n, bound=MAX_SAMPLES):
        if unsafe_add(unsafe_sub(k, base), c) > 256:
            base = (k >> 3) << 3
            chunk = self._littleEndian(extract32(buf, k >> 3, output_type=uint256))
        v: uint256 = (chunk >> unsafe_sub(k, base)) & mask
        assert v != 0, "a sample has no class bit set (one-hot required)"
        assert v & unsafe_sub(v, 1) == 0, "a sample has more than one class bit set (one-hot required)"
        cls: uint256 = 0
        if v >= 256:
            cls = 8
            v = v >> 8
        if v >= 16:
            cls = cls | 4
            v = v >> 4
        if v >= 4:
            cls = cls | 2
            v = v >> 2
        if v >= 2:
            cls = cls | 1
        if j == spw:
            self.counts[jobId][round][word] = acc
            word = unsafe_add(word, 1)
            acc = self.counts[jobId][round][word]
            j = 0
            offset = 0
        acc = unsafe_add(acc, 1 << unsafe_add(offset, cls << 3))
        answer = answer | (cls << nibble)
        nibble = unsafe_add(nibble, 4)
        if nibble == 256:
            self.answers[jobId][round][msg.sender][answerWord] = answer
            answerWord = unsafe_add(answerWord, 1)
            answer = 0
            nibble = 0
        histogram = unsafe_add(histogram, 1 << (cls << 4))
        j = unsafe_add(j, 1)
        offset = unsafe_add(offset, c << 3)
        k = unsafe_add(k, c)
    self.counts[jobId][round][word] = acc
    if nibble != 0:
        self.answers[jobId][round][msg.sender][answerWord] = answer
    self.histograms[jobId][round][msg.sender] = histogram
    self.submitters[jobId][round].append(msg.sender)
    if rs.submissions == 0:
        self.rounds[jobId][round].firstBlock = block.number
    self.rounds[jobId][round].submissions = rs.submissions + 1
    log VotesSubmitted(jobId=jobId, round=round, node=msg.sender, samples=n)


# ---------------------------------------------------------------- rewards

@external
def finalize(jobId: uint256, round: uint256):
    """
    @notice Closes a round and pays its PTSC rewards (anyone may call). The first call closes the round to
            submissions and fixes its budget; it is allowed when every live member of the job has submitted, when
            the Controller has moved past the round, or `timeoutBlocks` after the round's first submission. Each
            call scores up to 96 submitters (each against a peer drawn from block.prevrandao); the call that scores
            the last one pays everybody and emits RoundFinalized. Call again until `rounds(jobId, round).finalized`
            (once for up to 96 submitters).
    """
    cfg: Config = self.configs[jobId]
    assert cfg.samples != 0, "distillation is not configured for the job"
    rs: RoundState = self.rounds[jobId][round]
    assert not rs.finalized, "round already finalized"
    nodes: DynArray[address, MAX_SUBMISSIONS] = self.submitters[jobId][round]
    n: uint256 = len(nodes)
    if not rs.closed:
        assert rs.submissions > 0, "no submissions in this round"
        ready: bool = staticcall IController(controller).runningRound(jobId) != round
        if not ready and cfg.timeoutBlocks > 0:
            ready = block.number > rs.firstBlock + cfg.timeoutBlocks
        if not ready:
            live: uint256 = 0
            for a: address in staticcall IController(controller).memberList(jobId):
                if staticcall IController(controller).isMember(jobId, a):
                    live += 1
            ready = rs.submissions >= live
        assert ready, "round is open: live members have not all submitted and the timeout has not passed"
        budget: uint256 = 0
        if n >= 2:
            budget = cfg.roundBudget
            if budget == 0:
                jobRounds: uint256 = (staticcall IController(controller).jobs(jobId)).rounds
                left: uint256 = 1
                if jobRounds > cfg.finalizedRounds:
                    left = jobRounds - cfg.finalizedRounds
                budget = cfg.pool // left
            budget = min(budget, cfg.pool)
        rs.closed = True
        rs.budget = budget
        self.rounds[jobId][round].closed = True
        self.rounds[jobId][round].budget = budget

    if n >= 2 and rs.scored < n:
        end: uint256 = min(n, rs.scored + SCORE_BATCH)
        rs.positive += self._score(jobId, round, nodes, rs.scored, end, cfg.samples, cfg.classes)
        rs.scored = end
        self.rounds[jobId][round].positive = rs.positive
        self.rounds[jobId][round].scored = end
        if end < n:
            return

    paid: uint256 = 0
    if n >= 2:
        paid = self._pay(jobId, round, nodes, rs.budget, rs.positive)
    self.rounds[jobId][round].finalized = True
    self.rounds[jobId][round].paid = paid
    self.configs[jobId].pool = cfg.pool - paid
    self.configs[jobId].finalizedRounds = cfg.finalizedRounds + 1
    log RoundFinalized(jobId=jobId, round=round, submissions=n, budget=rs.budget, paid=paid)


@internal
def _score(jobId: uint256, round: uint256, nodes: DynArray[address, MAX_SUBMISSIONS], start: uint256, end: uint256,
           samples: uint256, classes: uint256) -> uint256:
    # Scores nodes[start:end]; returns the sum of their positive scores.
    n: uint256 = len(nodes)
    # Answer totals per class over all submitters.
    total: uint256[MAX_CLASSES] = empty(uint256[MAX_CLASSES])
    for a: address in nodes:
        h: uint256 = self.histograms[jobId][round][a]
        for cls: uint256 in range(classes, bound=MAX_CLASSES):
            total[cls] += (h >> (16 * cls)) & 65535
    # 1 / R_-i(x) = (n - 1) * samples / (answers x among the others).
    inverse: uint256 = (n - 1) * samples * SCALE
    positive: uint256 = 0
    for i: uint256 in range(start, end, bound=SCORE_BATCH):
        seed: uint256 = convert(keccak256(abi_encode(block.prevrandao, jobId, round, i)), uint256)
        p: uint256 = (i + 1 + seed % (n - 1)) % n
        agree: uint256[MAX_CLASSES] = empty(uint256[MAX_CLASSES])
        for w: uint256 in range((samples + 63) // 64, bound=ANSWER_WORDS):
            mine: uint256 = self.answers[jobId][round][nodes[i]][w]
            # Bit 4k+3 of `same` is set where sample 64w+k has the same answer from both (padding masked off).
            same: uint256 = self._zeroNibbles(mine ^ self.answers[jobId][round][nodes[p]][w])
            if samples - 64 * w < 64:
                same &= (1 << (4 * (samples - 64 * w))) - 1
            for cls: uint256 in range(classes, bound=MAX_CLASSES):
                agree[cls] += self._countFlags(same & self._zeroNibbles(mine ^ unsafe_mul(cls, NIBBLE_ONES)))
        mineHist: uint256 = self.histograms[jobId][round][nodes[i]]
        gain: uint256 = 0
        for cls: uint256 in range(classes, bound=MAX_CLASSES):
            if agree[cls] > 0:
                # The peer gave this answer too, so the others' count is at least 1.
                others: uint256 = total[cls] - ((mineHist >> (16 * cls)) & 65535)
                gain += agree[cls] * inverse // others
        score: int256 = convert(gain, int256) - convert(samples * SCALE, int256)
        self.scoreOf[jobId][round][nodes[i]] = score
        if score > 0:
            positive += convert(score, uint256)
        log Scored(jobId=jobId, round=round, node=nodes[i], peer=nodes[p], score=score)
    return positive


@internal
def _pay(jobId: uint256, round: uint256, nodes: DynArray[address, MAX_SUBMISSIONS], budget: uint256,
         positive: uint256) -> uint256:
    # Shares the budget in proportion to the positive scores; returns what was credited (at most the budget).
    paid: uint256 = 0
    for a: address in nodes:
        score: int256 = self.scoreOf[jobId][round][a]
        amount: uint256 = 0
        if positive > 0 and score > 0:
            amount = budget * convert(score, uint256) // positive
        if amount > 0:
            self.balanceOf[a] += amount
            self.rewardOf[jobId][a] += amount
            paid += amount
        log Rewarded(jobId=jobId, round=round, node=a, amount=amount, score=score)
    return paid


@pure
@internal
def _littleEndian(x: uint256) -> uint256:
    # Reverses the byte order of a word (swaps bytes, then 2-, 4-, 8- and 16-byte halves).
    y: uint256 = ((x >> 8) & BYTE_EVEN) | ((x & BYTE_EVEN) << 8)
    y = ((y >> 16) & PAIR_EVEN) | ((y & PAIR_EVEN) << 16)
    y = ((y >> 32) & QUAD_EVEN) | ((y & QUAD_EVEN) << 32)
    y = ((y >> 64) & OCT_EVEN) | ((y & OCT_EVEN) << 64)
    return (y >> 128) | (y << 128)


@pure
@internal
def _zeroNibbles(z: uint256) -> uint256:
    # Bit 4k+3 set exactly where nibble k of z is 0: (v & 7) + 7 reaches bit 3 iff v & 7 != 0 (no carry out of
    # the nibble, at most 14), OR-ing v adds v's own bit 3.
    return ~(unsafe_add(z & NIBBLE_LOW3, NIBBLE_LOW3) | z) & NIBBLE_HIGH


@pure
@internal
def _countFlags(flags: uint256) -> uint256:
    # Number of set bits of a word whose bits are only at positions 4k+3 (at most 64).
    v: uint256 = flags >> 3
    v = (v & BYTE_LOW4) + ((v >> 4) & BYTE_LOW4)
    return unsafe_mul(v, BYTE_ONES) >> 248


# ---------------------------------------------------------------- views

@view
@external
def hardLabels(jobId: uint256, round: uint256) -> DynArray[uint8, MAX_SAMPLES]:
    """
    @notice The aggregated label of every reference sample: the class with most votes (ties: the lowest; a round
            without submissions gives class 0 everywhere).
    """
    cfg: Config = self.configs[jobId]
    assert cfg.samples != 0, "distillation is not configured for the job"
    spw: uint256 = 256 // (8 * cfg.classes)
    out: DynArray[uint8, MAX_SAMPLES] = []
    word: uint256 = 0
    for s: uint256 in range(cfg.samples, bound=MAX_SAMPLES):
        if s % spw == 0:
            word = self.counts[jobId][round][s // spw]
        best: uint256 = 0
        bestCount: uint256 = 0
        for cls: uint256 in range(cfg.classes, bound=MAX_CLASSES):
            count: uint256 = word & 255
            word = word >> 8
            if count > bestCount:
                best = cls
                bestCount = count
        out.append(convert(best, uint8))
    return out


@view
@external
def votes(jobId: uint256, round: uint256, sample: uint256) -> DynArray[uint256, MAX_CLASSES]:
    """@notice The vote count of each class for one reference sample."""
    cfg: Config = self.configs[jobId]
    assert sample < cfg.samples, "sample out of range"
    spw: uint256 = 256 // (8 * cfg.classes)
    word: uint256 = self.counts[jobId][round][sample // spw] >> (8 * cfg.classes * (sample % spw))
    out: DynArray[uint256, MAX_CLASSES] = []
    for cls: uint256 in range(cfg.classes, bound=MAX_CLASSES):
        out.append((word >> (8 * cls)) & 255)
    return out


@view
@external
def counterWords(jobId: uint256, round: uint256) -> DynArray[uint256, MAX_WORDS]:
    """@notice The raw counter words of a round (layout in the contract's header), for reading all counts at once."""
    cfg: Config = self.configs[jobId]
    assert cfg.samples != 0, "distillation is not configured for the job"
    spw: uint256 = 256 // (8 * cfg.classes)
    out: DynArray[uint256, MAX_WORDS] = []
    for w: uint256 in range((cfg.samples + spw - 1) // spw, bound=MAX_WORDS):
        out.append(self.counts[jobId][round][w])
    return out


@view
@external
def submissionCount(jobId: uint256, round: uint256) -> uint256:
    return self.rounds[jobId][round].submissions


@view
@external
def submitterList(jobId: uint256, round: uint256) -> DynArray[address, MAX_SUBMISSIONS]:
    """@notice The round's submitters in submission order."""
    return self.submitters[jobId][round]


@view
@external
def hasSubmitted(jobId: uint256, round: uint256, node: address) -> bool:
    return self.histograms[jobId][round][node] != 0


@view
@external
def heldBalance() -> uint256:
    """@notice Wei the contract holds: unpaid pools plus credited, unwithdrawn rewards."""
    return self.balance
