#!/usr/bin/env python3
"""Writes genesis/dev.json: the local development chain (chain id 31337 like anvil, every fork through Cancun
active from genesis, 30M gas limit, 1 gwei initial base fee) with the ten accounts m/44'/60'/0'/0/0…9 of the
standard test mnemonic pre-funded with 10,000 ETH each, derived by eth-account's Account.from_mnemonic.
Usage: tools/.venv/bin/python tools/gen/dev_genesis.py genesis/dev.json"""
import json, sys
from eth_account import Account

Account.enable_unaudited_hdwallet_features()
MNEMONIC = "test test test test test test test test test test test junk"
accounts = [Account.from_mnemonic(MNEMONIC, account_path="m/44'/60'/0'/0/%d" % i).address for i in range(10)]
assert accounts[0] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

blocks = ["homesteadBlock", "eip150Block", "eip155Block", "eip158Block", "byzantiumBlock", "constantinopleBlock",
          "petersburgBlock", "istanbulBlock", "muirGlacierBlock", "berlinBlock", "londonBlock", "arrowGlacierBlock",
          "grayGlacierBlock", "mergeNetsplitBlock"]
config = {"chainId": 31337}
config.update({b: 0 for b in blocks})
config.update({"shanghaiTime": 0, "cancunTime": 0, "terminalTotalDifficulty": 0,
               "terminalTotalDifficultyPassed": True})
genesis = {
    "config": config,
    "nonce": "0x0",
    "timestamp": "0x0",
    "extraData": "0x",
    "gasLimit": hex(30_000_000),
    "difficulty": "0x0",
    "mixHash": "0x" + "00" * 32,
    "coinbase": "0x" + "00" * 20,
    "baseFeePerGas": hex(10**9),
    "number": "0x0",
    "gasUsed": "0x0",
    "parentHash": "0x" + "00" * 32,
    "alloc": {a: {"balance": hex(10_000 * 10**18)} for a in accounts},
}
with open(sys.argv[1], "w") as f:
    json.dump(genesis, f, indent=2)
    f.write("\n")
