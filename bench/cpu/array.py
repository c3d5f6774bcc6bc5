"""Twin of array.inko: list appends, then a for loop calling a closure that
adds to a nonlocal accumulator (as Array#each calls its block)."""

import sys


def main(n):
    numbers = []
    i = 0
    while i < n:
        numbers.append(i)
        i += 1

    total = 0

    def add(number):
        nonlocal total
        total += number

    for number in numbers:
        add(number)
    print(f"sum = {total}")


main(int(sys.argv[1]))
