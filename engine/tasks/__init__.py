"""One module per model kind, each giving the command line its train/eval/bench entry points."""
