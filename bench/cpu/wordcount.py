"""Twin of wordcount.inko: the same vocabulary, generator and text, counted
in dicts (words and word pairs), and the same summary."""

import sys

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "si"]
SYLLABLES += ["de", "pa", "gu", "he", "jo", "fi", "be", "zu"]


class Random:
    def __init__(self, seed):
        self.state = seed

    def below(self, limit):
        self.state = (self.state * 1103515245 + 12345) % 2147483648
        return (self.state // 65536) % limit


def vocabulary():
    words = [first + second for first in SYLLABLES for second in SYLLABLES]
    for first in SYLLABLES[:4]:
        for second in SYLLABLES:
            words.append(first + second + "n")
            words.append(first + second + "st")
    return words


class Counter:
    def __init__(self):
        self.words = {}
        self.pairs = {}
        self.total = 0

    def add(self, word, previous):
        self.total += 1
        self.words[word] = self.words.get(word, 0) + 1
        if previous:
            pair = previous + " " + word
            self.pairs[pair] = self.pairs.get(pair, 0) + 1

    def count(self, word):
        return self.words.get(word, 0)

    def seen(self, times):
        return sum(1 for count in self.words.values() if count == times)

    def busiest_pair(self):
        return max(self.pairs.values(), default=0)

    def top(self, amount, vocabulary):
        # Ties go to the earlier word of the vocabulary: sorted() is stable.
        ranked = sorted(vocabulary, key=lambda word: -self.count(word))
        return [f"{word} {self.count(word)}" for word in ranked[:amount]]


def main(n):
    words = vocabulary()
    size = len(words)
    random = Random(42)
    counter = Counter()
    previous = ""
    for _ in range(n):
        word = words[random.below(size) * random.below(size) // size]
        counter.add(word, previous)
        previous = word

    print(f"words: {counter.total}")
    print(f"distinct words: {len(counter.words)}")
    print(f"distinct pairs: {len(counter.pairs)}")
    print(f"seen once: {counter.seen(1)}")
    print(f"busiest pair: {counter.busiest_pair()}")
    print("top: " + ", ".join(counter.top(5, words)))
    print(f"kalo: {counter.count('kalo')}")
    print(f"zuzust: {counter.count('zuzust')}")


main(int(sys.argv[1]))
