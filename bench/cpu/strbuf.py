"""Twin of strbuf.inko: a list of str, joined once (as StringBuffer.to_string)."""

import sys


def main(n):
    parts = []
    i = 0
    while i < n:
        parts.append(str(i))
        i += 1
    print(f"length = {len(''.join(parts))}")


main(int(sys.argv[1]))
