"""Every text colour the themes draw on one of their backgrounds reaches WCAG AA (4.5:1)."""
import re

import pytest
from PySide6.QtGui import QColor

from chatapp.views.attention_dialog import mix
from chatapp.views.theme import AA_CONTRAST, TEXT_PAIRS, THEMES, Theme, contrast, readable_on, stylesheet


def test_contrast_matches_the_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#7b93ff") == pytest.approx(2.82, abs=0.01)  # the old dark accent


@pytest.mark.parametrize("theme", THEMES.values(), ids=THEMES.keys())
@pytest.mark.parametrize("pair", TEXT_PAIRS, ids=lambda pair: "-on-".join(pair))
def test_each_text_pair_reaches_aa(theme: Theme, pair):
    foreground, background = (getattr(theme, name) for name in pair)
    assert contrast(foreground, background) >= AA_CONTRAST, (theme.name, pair)


@pytest.mark.parametrize("theme", THEMES.values(), ids=THEMES.keys())
def test_the_stylesheet_takes_every_colour_from_the_theme(theme: Theme):
    """A literal colour in the stylesheet would be a pair the test above never sees."""
    css = stylesheet(theme)
    for field, value in vars(theme).items():
        css = css.replace(value, f"<{field}>")
    assert re.findall(r"#[0-9a-fA-F]{6}\b|rgba?\(", css) == []


@pytest.mark.parametrize("theme", THEMES.values(), ids=THEMES.keys())
def test_heatmap_numbers_are_readable_on_every_cell(theme: Theme):
    low, high = QColor(theme.heat_low), QColor(theme.heat_high)
    for step in range(20, 101):  # numbers are drawn from weight 0.2 up
        cell = mix(low, high, (step / 100) ** 0.7).name()
        assert contrast(readable_on(theme, cell), cell) >= AA_CONTRAST, (theme.name, step, cell)
