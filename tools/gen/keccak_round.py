#!/usr/bin/env python3
"""Generates the unrolled Keccak-f[1600] round body in Sources/Primitives/KeccakPermutation.swift.
Lane (x, y) is local variable a<x+5y>; the output is plain Swift on locals, so the permutation runs in registers."""
R = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]

def rot(v, n):
    return v if n == 0 else f"(({v} << {n}) | ({v} >> {64 - n}))"

lines = []
for x in range(5):
    lines.append(f"let c{x} = a{x} ^ a{x+5} ^ a{x+10} ^ a{x+15} ^ a{x+20}")
for x in range(5):
    lines.append(f"let d{x} = c{(x-1)%5} ^ {rot(f'c{(x+1)%5}', 1)}")
# rho + pi into b
for x in range(5):
    for y in range(5):
        nx, ny = y, (2 * x + 3 * y) % 5
        lines.append(f"let b{nx + 5*ny} = {rot(f'(a{x+5*y} ^ d{x})', R[x][y])}")
for y in range(5):
    for x in range(5):
        lines.append(f"a{x+5*y} = b{x+5*y} ^ (~b{(x+1)%5+5*y} & b{(x+2)%5+5*y})")
lines.append("a0 ^= roundConstants[round]")
print("\n".join("            " + l for l in lines))
