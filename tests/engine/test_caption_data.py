import json

import pytest
import torch
from PIL import Image

from engine.__main__ import main
from engine.data.coco import load_caption_set, read_coco_json
from engine.scenes import scene_split


@pytest.fixture()
def coco_set(tmp_path):
    """Five listed images: three good (PNG, JPEG, palette GIF), one broken, one missing; plus one
    image without captions and one caption for an image that is not listed."""
    folder = tmp_path / "images"
    folder.mkdir()
    scenes = scene_split("test", 3, image_size=48)
    scenes[0].image.save(folder / "a.png")
    scenes[1].image.save(folder / "b.jpg", quality=95)
    scenes[2].image.convert("P").save(folder / "c.gif")
    (folder / "broken.jpg").write_bytes((folder / "b.jpg").read_bytes()[:200])
    Image.new("RGB", (8, 8)).save(folder / "silent.png")
    images = [{"id": 1, "file_name": "a.png"}, {"id": 2, "file_name": "b.jpg"}, {"id": 3, "file_name": "c.gif"},
              {"id": 4, "file_name": "broken.jpg"}, {"id": 5, "file_name": "missing.png"},
              {"id": 6, "file_name": "silent.png"}]
    annotations = [{"image_id": i, "caption": text} for i, scene in zip((1, 2, 3), scenes) for text in scene.captions]
    annotations += [{"image_id": 4, "caption": "a broken picture"}, {"image_id": 5, "caption": "a lost picture"},
                    {"image_id": 99, "caption": "nobody's picture"}]
    path = tmp_path / "captions.json"
    path.write_text(json.dumps({"images": images, "annotations": annotations}))
    return path, folder, scenes


def test_the_reader_loads_good_images_and_counts_the_rest(coco_set):
    path, folder, scenes = coco_set
    data = load_caption_set(path, folder, image_size=32)
    assert data.file_names == ["a.png", "b.jpg", "c.gif"]
    assert data.images.shape == (3, 3, 32, 32) and data.images.dtype == torch.uint8
    assert data.skipped == 2 and data.uncaptioned == 1 and len(data.problems) == 2
    assert any("broken.jpg" in problem for problem in data.problems)
    assert any("missing.png" in problem for problem in data.problems)
    assert [" ".join(c) for c in data.captions[0]] == list(scenes[0].captions)
    train, valid = data.split(valid_share=0.34)
    assert len(train) + len(valid) == 3 and len(valid) >= 1
    assert set(train.file_names).isdisjoint(valid.file_names)
    assert load_caption_set(path, folder, image_size=32, limit=2).file_names == ["a.png", "b.jpg"]


def test_malformed_caption_files_give_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not a JSON file"):
        read_coco_json(bad)
    bad.write_text(json.dumps({"images": [{"file_name": "x.png"}], "annotations": []}))
    with pytest.raises(ValueError, match="COCO-format"):
        read_coco_json(bad)
    with pytest.raises(ValueError, match="no such"):
        read_coco_json(tmp_path / "absent.json")


def test_train_and_eval_on_a_coco_set_from_the_command_line(coco_set, tmp_path, capsys):
    path, folder, _ = coco_set
    out = tmp_path / "mine.safetensors"
    assert main(["train", "caption", "--data", str(path), "--images", str(folder), "--out", str(out),
                 "--steps", "3", "--batch-size", "2", "--image-size", "32", "--hidden-size", "32",
                 "--min-count", "1", "--device", "cpu"]) == 0
    assert "skipped 2 unreadable" in capsys.readouterr().err
    assert main(["eval", "caption", "--model", str(out), "--data", str(path), "--images", str(folder),
                 "--json", "--device", "cpu"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["n_images"] == 3 and figures["skipped"] == 2 and 0 <= figures["bleu4"] <= 1
    assert main(["caption", str(folder / "a.png"), str(folder / "broken.jpg"), "--model", str(out),
                 "--device", "cpu"]) == 2  # one caption printed, one clear error
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{folder / 'a.png'}: ") and "broken.jpg" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_eval_on_generated_scenes_prints_every_figure(tmp_path, capsys):
    out = tmp_path / "scenes.safetensors"
    assert main(["train", "caption", "--out", str(out), "--steps", "2", "--batch-size", "2", "--image-size", "32",
                 "--hidden-size", "32", "--valid-every", "100", "--valid-images", "2", "--device", "cpu"]) == 0
    capsys.readouterr()
    assert main(["eval", "caption", "--model", str(out), "--n-test", "3", "--n-heldout", "2", "--beam-size", "2",
                 "--json", "--device", "cpu"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("bleu4", "truthfulness", "truthfulness_heldout", "grounding", "n_images"):
        assert 0 <= figures[key] <= (3 if key == "n_images" else 1)
    assert figures["n_images"] == 3 and figures["n_heldout"] == 2
