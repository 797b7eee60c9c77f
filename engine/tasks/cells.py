"""``python -m engine cells``: a character model's interpretable cells, gate saturation and
gradient flow over a text (``engine.inspect``)."""
from __future__ import annotations

import argparse
import json


from engine.char_service import load_char_model
from engine.data.chars import read_text
from engine.inspect import gate_saturation, gradient_flow, rank_cells, record_char_model
from engine.text_features import char_features

SETTLE = 100  # characters read before the correlations count (the state leaves zero)


def add_cells_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="character checkpoint (default: the shipped Shakespeare model)")
    parser.add_argument("--text", required=True, help="a UTF-8 text, held out from the model's training")
    parser.add_argument("--compare", default=None, help="a second character model for the gradient-flow curve "
                                                        "(e.g. the plain RNN trained beside the LSTM)")
    parser.add_argument("--max-chars", type=int, default=20_000, help="characters of the text read")
    parser.add_argument("--top", type=int, default=5, help="cells listed per feature")
    parser.add_argument("--distance", type=int, default=100, help="gradient-flow distances 0..N")
    parser.add_argument("--json", action="store_true", help="print one JSON object on the last line")


def _saturation_summary(table: list[dict]) -> list[dict]:
    """Per layer and gate: the mean share of left- and right-saturated steps over the cells, and
    how many cells are right-saturated more than half the time (always open)."""
    summary = []
    for layer in table:
        summary.append({gate: {"mean_left": round(sum(v["left"]) / len(v["left"]), 4),
                               "mean_right": round(sum(v["right"]) / len(v["right"]), 4),
                               "cells_right_over_half": sum(x > 0.5 for x in v["right"])}
                        for gate, v in layer.items()})
    return summary


def inspect_model(path, text: str, top: int, distance: int) -> dict:
    char_model = load_char_model(path)
    ids = char_model.vocab.encode(text)
    records = record_char_model(char_model.model, ids)
    ranked = rank_cells(records, char_features(text), top=top, skip=min(SETTLE, len(text) // 4))
    table = gate_saturation(records)
    return {"cell": char_model.model.config.cell, "ranked": ranked,
            "best_r": {name: cells[0]["r"] for name, cells in ranked.items() if cells},
            "saturation_summary": _saturation_summary(table),
            "saturation": [{gate: {side: [round(x, 3) for x in values] for side, values in sides.items()}
                            for gate, sides in layer.items()} for layer in table],
            "gradient_flow": gradient_flow(char_model.model, ids, distance)}


def run_cells(args: argparse.Namespace) -> int:
    text = read_text(args.text, args.max_chars)
    result = {"text": args.text.split("/")[-1], "chars": len(text)}
    result.update(inspect_model(args.model, text, args.top, args.distance))
    if args.compare:
        other = load_char_model(args.compare)
        result["compare"] = {"cell": other.model.config.cell,
                             "gradient_flow": gradient_flow(other.model, other.vocab.encode(text), args.distance)}
    if args.json:
        print(json.dumps(result))
        return 0
    for name, cells in result["ranked"].items():
        listed = ", ".join(f"L{c['layer']}.{c['kind']}{c['unit']} r={c['r']:+.2f}" for c in cells) or "(constant here)"
        print(f"{name:14s} {listed}")
    for layer, gates in enumerate(result["saturation_summary"]):
        print(f"layer {layer} saturation: {json.dumps(gates)}")
    flow = result["gradient_flow"]["grad_h"]
    print("grad norm by distance:", " ".join(f"{d}:{flow[d]:.2e}" for d in range(0, len(flow), 10)))
    return 0
