"""Twin of loop.inko: a plain while loop over a local counter."""

import sys


def main(n):
    i = 0
    while i < n:
        i += 1
    print(f"i = {i}")


main(int(sys.argv[1]))
