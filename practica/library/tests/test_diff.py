from practica.library.diff import word_diff


def test_word_diff_marks_changed_words_only():
    diff = word_diff("Hand over at the bedside.", "Hand over at the bedside using ISBAR.")
    assert diff.html == "Hand over at the bedside<ins> using ISBAR</ins>."
    assert diff.added == 2 and diff.removed == 0


def test_word_diff_escapes_member_text():
    diff = word_diff("Plain text.", "Plain text. <script>alert(1)</script>")
    assert "<script>" not in diff.html
    assert diff.html == "Plain text.<ins> &lt;script&gt;alert(1)&lt;/script&gt;</ins>"


def test_identical_texts_have_no_changes():
    assert not word_diff("same text\n", "same text\n").changed


def test_long_unchanged_stretches_are_shortened_around_the_change():
    old = "Start. " + "Unchanged words here. " * 40 + "End."
    diff = word_diff(old, old.replace("End.", "The end."))
    assert "<ins>The </ins>" in diff.html or "<ins>" in diff.html
    assert 'class="diff-gap"' in diff.html
    assert len(diff.html) < len(old)
