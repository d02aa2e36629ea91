"""eth_subscribe over WebSocket with web3.py 8's WebSocketProvider against a running `gfl node`
(run by Tests/RPCTests/InteropTests.swift).

Usage: python web3_subscribe.py WS_URL TOKEN_VY

Subscribes to newHeads, deploys the ERC-20 token over the same socket, subscribes to its logs, makes a transfer,
and checks that the new heads arrive in order with the mined blocks' hashes and that the Transfer log arrives with
the right topics and data. Also checks eth_unsubscribe and the error for an unknown subscription type.
Exits non-zero with a message on the first mismatch.
"""
import asyncio
import json
import os
import sys

from eth_account import Account
from web3 import AsyncWeb3, WebSocketProvider
from websockets.asyncio.client import connect

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web3_interop import KEY0, KEY1, check, compile_vyper  # noqa: E402


async def send(w3, acct, tx):
    tx.setdefault("nonce", await w3.eth.get_transaction_count(acct.address, "pending"))
    tx.setdefault("chainId", await w3.eth.chain_id)
    signed = acct.sign_transaction(tx)
    h = await w3.eth.send_raw_transaction(signed.raw_transaction)
    return await w3.eth.wait_for_transaction_receipt(h, timeout=30)


async def collect(w3, want, seconds=20):
    """Reads subscription messages until `want(messages)` holds; returns them."""
    got = []
    stream = w3.socket.process_subscriptions()
    deadline = asyncio.get_running_loop().time() + seconds
    while not want(got):
        left = deadline - asyncio.get_running_loop().time()
        check(left > 0, f"subscription messages in time (got {len(got)}: {got})")
        got.append(await asyncio.wait_for(stream.__anext__(), timeout=left))
    return got


async def main():
    url, token_vy = sys.argv[1:3]
    async with AsyncWeb3(WebSocketProvider(url)) as w3:
        check(await w3.is_connected(), "node answers over WebSocket")
        check(await w3.eth.chain_id == 31337, "chain id over WebSocket")
        a0, a1 = Account.from_key(KEY0), Account.from_key(KEY1)
        heads = await w3.eth.subscribe("newHeads")
        check(isinstance(heads, str) and heads.startswith("0x"), f"subscription id {heads}")

        abi, bytecode = compile_vyper(token_vy)
        Token = w3.eth.contract(abi=abi, bytecode=bytecode)
        base = (await w3.eth.get_block("latest"))["baseFeePerGas"]
        fees = {"maxPriorityFeePerGas": 10**9, "maxFeePerGas": 2 * base + 10**9}
        deploy = await Token.constructor(10**24).build_transaction({"from": a0.address, **fees})
        r = await send(w3, a0, deploy)
        check(r["status"] == 1, "deploy succeeded")
        token = w3.eth.contract(address=r["contractAddress"], abi=abi)
        logs = await w3.eth.subscribe("logs", {"address": token.address})

        tx = await token.functions.transfer(a1.address, 12345).build_transaction({"from": a0.address, **fees})
        r2 = await send(w3, a0, tx)
        check(r2["status"] == 1, "transfer succeeded")

        def done(msgs):
            return (any(m["subscription"] == heads and m["result"]["number"] == r2["blockNumber"] for m in msgs)
                    and any(m["subscription"] == logs for m in msgs))
        msgs = await collect(w3, done)
        head_msgs = [m["result"] for m in msgs if m["subscription"] == heads]
        numbers = [h["number"] for h in head_msgs]
        check(numbers == list(range(r["blockNumber"], r2["blockNumber"] + 1)), f"newHeads in order: {numbers}")
        last = head_msgs[-1]
        check(last["hash"] == r2["blockHash"], "newHeads hash is the mined block's")
        check("transactions" not in last, "newHeads carries a header, not a block")
        log = [m["result"] for m in msgs if m["subscription"] == logs][0]
        check(log["address"] == token.address, "log address")
        check(log["transactionHash"] == r2["transactionHash"], "log transaction")
        ev = token.events.Transfer().process_log(log)
        check(ev["args"]["receiver"] == a1.address or list(ev["args"].values())[1] == a1.address, f"Transfer to a1: {ev}")
        check(list(ev["args"].values())[2] == 12345, f"Transfer amount: {ev}")

        check(await w3.eth.unsubscribe(logs), "eth_unsubscribe answers true")
    # Bad requests answered with errors, checked on a raw socket (web3.py would raise them out of band).
    async with connect(url) as ws:
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 7, "method": "eth_subscribe", "params": ["bogus"]}))
        resp = json.loads(await ws.recv())
        check(resp.get("id") == 7 and resp["error"]["code"] == -32602
              and "unsupported subscription type" in resp["error"]["message"], f"unknown subscription type: {resp}")
        await ws.send("{not json")
        resp = json.loads(await ws.recv())
        check(resp["error"]["code"] == -32700, f"malformed JSON over WebSocket: {resp}")
    print("web3.py subscriptions: ok")


if __name__ == "__main__":
    asyncio.run(main())
