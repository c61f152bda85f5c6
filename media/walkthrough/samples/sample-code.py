# Attention Inspector sample: select all of it and run "Inspect Attention" (right-click).
# The second function repeats the first one, so the model can look back at what followed
# each token the first time: that is what an induction head does.
def tokenize(text, vocab, unknown):
    words = text.lower().split()
    return [vocab.get(word, unknown) for word in words]


def tokenize(text, vocab, unknown):
    words = text.lower().split()
    return [vocab.get(word, unknown) for word in words]
