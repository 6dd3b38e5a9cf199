"""Bot API limits kept in one place: message splitting, HTML escaping, callback data grammar."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from bot.conversation import callbacks as cb
from bot.tg.fakeapi import Refused, parse_html, utf16_len
from bot.conversation.replies import Button, CallbackDataTooLong, Reply, esc, split_text


def test_short_text_is_one_message():
    assert split_text("hello") == ["hello"]


def test_long_text_is_split_on_paragraphs_within_limits():
    paras = [f"<b>{i}</b> " + esc("ពលករចំណាកស្រុក & <rights> " * 30) for i in range(40)]
    text = "\n\n".join(paras)
    parts = split_text(text)
    assert len(parts) > 1
    for p in parts:
        assert utf16_len(parse_html(p)) <= 4096  # valid HTML and within Telegram's limit
    assert "\n\n".join(parts) == text


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=12000))
def test_any_escaped_text_splits_into_valid_messages(raw):
    parts = Reply(esc(raw)).chunks()
    for p in parts:
        assert utf16_len(parse_html(p.text)) <= 4096


def test_buttons_go_on_the_last_part():
    reply = Reply("\n\n".join(["x" * 3000] * 3), ((Button("ok", "m"),),))
    parts = reply.chunks()
    assert [bool(p.buttons) for p in parts] == [False] * (len(parts) - 1) + [True]


def test_callback_data_over_64_bytes_is_refused_when_built():
    with pytest.raises(CallbackDataTooLong):
        Button("x", "t:" + "a" * 63)


@pytest.mark.parametrize("data", ["m", "t:passport", "s:costs-fees", "l:km", "L", "g", "f:checklist", "a:Ab12Cd:passport:0",
                                  "x", "r", "fb:passport:1", "p", "fg:yes", "c:thailand"])
def test_every_kind_round_trips(data):
    assert cb.parse(data).pack() == data


@pytest.mark.parametrize("data", ["", "t:", "t:Passport", "t:../x", "l:fr", "a:ab:step:1", "fb:passport:2", "zz", "m:extra",
                                  "t:" + "a" * 70, "ពលករ", "a:Ab12Cd:passport:100"])
def test_forged_data_is_rejected(data):
    with pytest.raises(cb.ForgedCallback):
        cb.parse(data)


def test_fake_api_refuses_bad_html_like_telegram():
    with pytest.raises(Refused):
        parse_html("<b>unclosed")
    with pytest.raises(Refused):
        parse_html("<script>x</script>")
    with pytest.raises(Refused):
        parse_html("fish & chips &nbsp;")
    assert parse_html("<b>a</b> &lt;b&gt; &amp;") == "a <b> &"
