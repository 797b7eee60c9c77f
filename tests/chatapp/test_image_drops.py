"""Images dropped, pasted or chosen: a copy is kept and the caption comes back as a message."""
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QColor, QImage

from fakes import FakeEngine


def test_dropped_png_is_copied_and_captioned(make_app, tmp_png):
    app = make_app()
    app.drop_files([tmp_png])
    app.qtbot.waitUntil(lambda: len(app.store.conversations()) == 1 and
                        len(app.store.messages(app.store.conversations()[0].id)) == 2, timeout=5000)
    image, caption = app.store.messages(app.window.current)
    attachment = image.attachments[0]
    assert attachment.file_name == "shapes.png" and attachment.path.read_bytes() == tmp_png.read_bytes()
    assert attachment.path.is_relative_to(app.data_dir) and attachment.size == tmp_png.stat().st_size
    assert caption.role == "bot" and caption.text == "a picture 64 by 48"
    attention = app.store.attention(caption.id)
    assert attention["kind"] == "caption" and len(attention["maps"]) == 5
    app.wait_idle()
    bubble = app.window.chat.bubbles[image.id]
    assert bubble.findChild(type(bubble.text_label), "thumbnail").pixmap().width() == 64
    # The caption's attention: hovering a word or moving the slider shows its map.
    app.window.show_attention(caption.id)
    app.wait_stored()
    view = app.window.dialog.view
    assert view.image.overlay is not None
    view.slider.setValue(3)
    # The attended cell is left clear; the rest is darkened.
    assert view.image.overlay.pixelColor(3, 0).alpha() == 0 and view.image.overlay.pixelColor(0, 0).alpha() > 150


def test_a_broken_file_gives_a_message_and_stores_nothing(make_app, tmp_path):
    app = make_app()
    conversation = app.new_conversation()
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really an image" * 10)
    app.drop_files([broken])
    app.wait_idle()
    assert "broken.png could not be read as an image" in app.window.chat.banner.label.text()
    assert app.store.messages(conversation) == []
    assert not (app.data_dir / "attachments").exists() or not any((app.data_dir / "attachments").rglob("*.png"))


def test_pasted_image_is_attached(make_app):
    app = make_app()
    image = QImage(20, 10, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    mime = QMimeData()
    mime.setImageData(image)
    app.window.chat.input.insertFromMimeData(mime)
    app.qtbot.waitUntil(lambda: app.window.current is not None and
                        len(app.store.messages(app.window.current)) == 2, timeout=5000)
    assert app.store.messages(app.window.current)[1].text == "a picture 20 by 10"


def test_without_a_captioner_the_image_is_kept_and_the_window_says_so(make_app, tmp_png):
    app = make_app(FakeEngine(missing=("caption",)))
    app.drop_files([tmp_png])
    app.qtbot.waitUntil(lambda: "captioner is not available" in app.window.chat.banner.label.text(),
                        timeout=5000)
    assert [m.role for m in app.store.messages(app.window.current)] == ["user"]
