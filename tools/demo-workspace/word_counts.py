"""Counts how often each word appears in a text file and prints the most common ones."""
from collections import Counter
import re
import sys


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def top_words(text: str, n: int = 10) -> list[tuple[str, int]]:
    return Counter(words(text)).most_common(n)


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        for word, count in top_words(f.read()):
            print(f"{count:6d}  {word}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "notes.md")
