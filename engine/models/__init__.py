"""The networks: seq2seq chat model, sentiment classifier, image captioner."""
