"""Loaders read the three formats, tolerate their quirks and name the bad row's line."""

import pytest

from model import corpora, text

YOUTUBE_HEADER = "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n"


def test_clean_decodes_entities_breaks_markup_and_drops_the_trailing_bom():
    raw = 'I&#39;m &quot;in&quot;<br />love &amp;amp; <a href="http://x.y">2:19</a> here\ufeff'
    assert text.clean(raw) == 'I\'m "in"\nlove & 2:19 here'


def test_youtube_rows_keep_embedded_newlines_and_author(write):
    path = write(
        "video.csv",
        YOUTUBE_HEADER
        + 'a1,Ann,2014-01-01,"line one\nline two\ufeff",0\na2,Bob,2014-01-02,buy now,1\n',
    )
    dataset = corpora.load(path)
    assert dataset.labels == [0, 1]
    assert dataset.records[0]["content"] == "line one\nline two\ufeff"
    assert dataset.records[0]["author_name"] == "Ann"
    assert dataset.records[0]["author_email"] is None
    assert dataset.groups == ["video", "video"]
    assert dataset.sources[0]["format"] == "youtube" and dataset.sources[0]["rows"] == 2


@pytest.mark.parametrize(
    ("name", "content", "line", "problem"),
    [
        (
            "video.csv",
            YOUTUBE_HEADER + 'a1,Ann,d,"two\nlines",0\na2,Bob,d,text,maybe\n',
            4,
            "label 'maybe'",
        ),
        ("video.csv", YOUTUBE_HEADER + "a1,Ann,d,text,0\na2,Bob,d\n", 3, "expected 5 fields"),
        ("sms.txt", "ham\thello\nspam no tab here\n", 2, "no tab"),
        ("sms.txt", "ham\thello\nspa\tcall now\n", 2, "label 'spa'"),
        ("own.csv", "content,label\nhello,ham\nbuy,junk\n", 3, "label 'junk'"),
    ],
)
def test_a_bad_row_names_the_file_and_line(write, name, content, line, problem):
    path = write(name, content)
    with pytest.raises(corpora.CorpusError) as error:
        corpora.load(path)
    assert f"{path}:{line}:" in str(error.value)
    assert problem in str(error.value)


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "sms.txt"
    path.write_bytes(b"ham\thello\nham\tbad \xff byte\n")
    with pytest.raises(corpora.CorpusError, match=r"sms.txt:2: not valid UTF-8"):
        corpora.load(path)


def test_an_unknown_format_is_refused(write):
    with pytest.raises(corpora.CorpusError, match="unknown format"):
        corpora.load(write("x.csv", "a,b,c\n1,2,3\n"))


def test_sms_reads_label_and_text_split_on_the_first_tab(write):
    dataset = corpora.load(write("SMS", "ham\tsee you\tlater\nspam\tWIN &lt;cash&gt;\n"))
    assert dataset.labels == [0, 1]
    assert dataset.records[0]["content"] == "see you\tlater"
    assert dataset.sources[0]["format"] == "sms"


def test_project_csv_accepts_word_and_digit_labels_and_optional_columns(write):
    path = write(
        "own.csv",
        "content,label,author_name,author_email,author_url,post_id\n"
        "nice post,ham,Ann,ann@example.org,,p1\nbuy pills,1,Bot,,http://x.ru,p1\n",
    )
    dataset = corpora.load(path)
    assert dataset.labels == [0, 1]
    assert dataset.records[0] == {
        "content": "nice post",
        "author_name": "Ann",
        "author_email": "ann@example.org",
        "author_url": None,
        "post_id": "p1",
    }
    assert dataset.records[1]["author_url"] == "http://x.ru"


def test_labelled_records_carry_weights_and_refuse_bad_ones():
    dataset = corpora.labelled(
        [{"content": "hi", "label": "ham"}, {"content": "buy", "label": 1, "weight": 3}]
    )
    assert dataset.labels == [0, 1] and dataset.weights == [1.0, 3.0]
    with pytest.raises(corpora.CorpusError, match="record 0: weight must be positive"):
        corpora.labelled([{"content": "x", "label": "spam", "weight": 0}])


def test_the_shipped_corpora_have_the_documented_row_counts(videos):
    assert [source["rows"] for source in videos.sources] == [350, 350, 438]
    assert [source["spam"] for source in videos.sources] == [175, 175, 236]
