"""Twin of fib.inko: the same recursion, with Python's own conditional."""

import sys


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


n = int(sys.argv[1])
print(f"fib({n}) = {fib(n)}")
