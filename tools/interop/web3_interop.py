"""web3.py interoperability check against a running `gfl node` (run by Tests/RPCTests/InteropTests.swift).

Usage: python web3_interop.py RPC_URL TOKEN_VY GUARD_VY

Deploys the ERC-20 token (compiled here with the venv's vyper, --evm-version cancun) with a locally signed
EIP-1559 transaction, calls and transacts, waits for receipts, reads Transfer events with get_logs and with
filters, and checks that reverts surface as ContractLogicError (with the reason when the contract gives one).
Exits non-zero with a message on the first mismatch.
"""
import json
import os
import subprocess
import sys

from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractLogicError

# Accounts 0 and 1 of the test mnemonic (anvil's / hardhat's well-known dev keys).
KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
KEY1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)


def compile_vyper(path):
    vyper = os.path.join(os.path.dirname(sys.executable), "vyper")
    out = subprocess.run([vyper, "-f", "abi,bytecode", "--evm-version", "cancun", path],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()
    return json.loads(out[0]), out[1]


def send_signed(w3, acct, tx):
    tx.setdefault("nonce", w3.eth.get_transaction_count(acct.address, "pending"))
    tx.setdefault("chainId", w3.eth.chain_id)
    signed = acct.sign_transaction(tx)
    h = w3.eth.send_raw_transaction(signed.raw_transaction)
    return w3.eth.wait_for_transaction_receipt(h, timeout=30)


def main():
    url, token_vy, guard_vy = sys.argv[1:4]
    w3 = Web3(Web3.HTTPProvider(url))
    check(w3.is_connected(), "node answers")
    check(w3.eth.chain_id == 31337, "chain id 31337")
    a0, a1 = Account.from_key(KEY0), Account.from_key(KEY1)
    check(a0.address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "dev account 0")
    check(a0.address in w3.eth.accounts, "eth_accounts lists the dev accounts")

    abi, bytecode = compile_vyper(token_vy)
    Token = w3.eth.contract(abi=abi, bytecode=bytecode)
    supply = 10**24
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    deploy = Token.constructor(supply).build_transaction({
        "from": a0.address, "maxPriorityFeePerGas": 10**9, "maxFeePerGas": 2 * base + 10**9,
    })
    check(deploy.get("type") in (2, "0x2") or "maxFeePerGas" in deploy, "deploy transaction is EIP-1559")
    r = send_signed(w3, a0, deploy)
    check(r["status"] == 1, "deploy succeeded")
    check(r["type"] == 2, "receipt type 2")
    token = w3.eth.contract(address=r["contractAddress"], abi=abi)
    check(token.functions.name().call() == "Bench Token", "name()")
    check(token.functions.balanceOf(a0.address).call() == supply, "initial balance")
    deploy_block = r["blockNumber"]

    log_filter = token.events.Transfer.create_filter(from_block="latest")
    block_filter = w3.eth.filter("latest")

    tx = token.functions.transfer(a1.address, 12345).build_transaction({"from": a0.address})
    r2 = send_signed(w3, a0, tx)
    check(r2["status"] == 1, "transfer succeeded")
    events = token.events.Transfer().process_receipt(r2)
    check(len(events) == 1 and events[0]["args"]["value"] == 12345, "Transfer event in receipt")
    check(token.functions.balanceOf(a1.address).call() == 12345, "balance after transfer")
    check(w3.eth.get_transaction(r2["transactionHash"])["blockHash"] == r2["blockHash"], "tx lookup")

    logs = token.events.Transfer.get_logs(from_block=deploy_block)
    check(len(logs) == 2, f"get_logs finds mint and transfer, got {len(logs)}")
    to_a1 = token.events.Transfer.get_logs(from_block=0, argument_filters={"receiver": a1.address})
    check(len(to_a1) == 1 and to_a1[0]["args"]["sender"] == a0.address, "get_logs with a topic filter")
    raw = w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": [token.address],
                           "topics": [None, None, Web3.to_hex(Web3.to_bytes(hexstr=a1.address).rjust(32, b"\0"))]})
    check(len(raw) == 1, "eth_getLogs with a null topic wildcard")
    new = log_filter.get_new_entries()
    check(len(new) == 1 and new[0]["args"]["receiver"] == a1.address, f"log filter changes, got {len(new)}")
    check(len(log_filter.get_new_entries()) == 0, "log filter drained")
    check(len(block_filter.get_new_entries()) >= 1, "block filter reports the new block")

    # A revert without a reason (checked arithmetic) and with one (assert … , "reason").
    try:
        token.functions.transfer(a0.address, 10**30).call({"from": a1.address})
        check(False, "overdrawn transfer must revert")
    except ContractLogicError as e:
        check("execution reverted" in str(e), f"revert message: {e}")
    gabi, gbin = compile_vyper(guard_vy)
    rg = send_signed(w3, a0, w3.eth.contract(abi=gabi, bytecode=gbin).constructor().build_transaction({"from": a0.address}))
    guard = w3.eth.contract(address=rg["contractAddress"], abi=gabi)
    try:
        guard.functions.store(0).call()
        check(False, "store(0) must revert")
    except ContractLogicError as e:
        check("amount must be positive" in str(e), f"revert reason in ContractLogicError: {e}")
    try:
        guard.functions.store(0).build_transaction({"from": a0.address})
        check(False, "estimating store(0) must revert")
    except ContractLogicError as e:
        check("amount must be positive" in str(e), f"revert reason from eth_estimateGas: {e}")
    h = guard.functions.store(7).transact({"from": a1.address})  # eth_sendTransaction, signed by the node
    check(w3.eth.wait_for_transaction_receipt(h)["status"] == 1, "eth_sendTransaction")
    check(guard.functions.stored().call() == 7, "state after eth_sendTransaction")
    print("web3.py interop: ok")


if __name__ == "__main__":
    main()
