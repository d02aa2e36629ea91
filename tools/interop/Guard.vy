# pragma version ~=0.4.3
"""
@title Interop fixture: a function that reverts with a reason string (Error(string)).
"""

stored: public(uint256)


@external
def store(amount: uint256):
    assert amount > 0, "amount must be positive"
    self.stored = amount
