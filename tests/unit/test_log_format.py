"""A text line is one line, whatever text its message carries: no client can forge another."""

from __future__ import annotations

import logging

from tests.logs import logged

SENT = "GET /x\r\n2026-01-01 INFO forged \x1b[2J\x85\u2028\t."  # a client's text in a message


def test_control_characters_of_a_message_are_escaped_and_a_traceback_kept() -> None:
    with logged("text") as text:
        logging.getLogger("taskhub.http").info(SENT)
        try:
            raise ValueError("ours")
        except ValueError:
            logging.getLogger("taskhub").exception("failed")
    first, second, *traceback = text().splitlines()
    assert first.endswith(r"GET /x\r\n2026-01-01 INFO forged \x1b[2J\x85\u2028\t.")
    assert second.endswith("ERROR taskhub failed")
    assert traceback[0] == "Traceback (most recent call last):"
    assert traceback[-1] == "ValueError: ours"


def test_json_lines_escape_them_already() -> None:
    with logged("json") as text:
        logging.getLogger("taskhub.http").info(SENT)
    assert len(text().splitlines()) == 1
