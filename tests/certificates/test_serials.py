"""Serials: random, readable, and a mistyped one is caught by its check symbol."""
import re

import pytest

from lms.certificates.serials import (ALPHABET, SerialMalformed, SerialMistyped, compact, new_serial,
                                      normalise_serial)

GROUPED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


def test_a_serial_is_five_groups_of_four_crockford_symbols():
    serial = new_serial()
    assert GROUPED.match(serial), serial
    assert len(serial) == 24  # the column's size
    assert normalise_serial(serial) == serial


def test_serials_are_random():
    serials = {new_serial() for _ in range(2000)}
    assert len(serials) == 2000
    # 19 random symbols (95 bits): every symbol turns up in every position that is not the check symbol.
    for position in range(19):
        assert len({compact(serial)[position] for serial in serials}) == len(ALPHABET)


def test_serials_are_read_in_any_case_with_or_without_separators():
    serial = new_serial()
    typed = compact(serial).lower()
    assert normalise_serial(typed) == serial
    assert normalise_serial(" " + " ".join(serial.split("-")) + " ") == serial
    # What people mean when they type O, I or L.
    with_lookalikes = serial.replace("0", "o").replace("1", "l")
    assert normalise_serial(with_lookalikes) == serial


@pytest.mark.parametrize("attempt", range(20))
def test_every_single_wrong_symbol_is_caught(attempt):
    symbols = compact(new_serial())
    for position, original in enumerate(symbols):
        for wrong in ALPHABET:
            if wrong != original:
                with pytest.raises(SerialMistyped):
                    normalise_serial(symbols[:position] + wrong + symbols[position + 1:])


@pytest.mark.parametrize("attempt", range(20))
def test_every_swap_of_two_neighbours_is_caught(attempt):
    symbols = compact(new_serial())
    for position in range(len(symbols) - 1):
        first, second = symbols[position], symbols[position + 1]
        if first != second:
            swapped = symbols[:position] + second + first + symbols[position + 2:]
            with pytest.raises(SerialMistyped):
                normalise_serial(swapped)


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKMN-PQRS-TVWX-YZ12", "UUUU-UUUU-UUUU-UUUU-UUUU",
                                   "<script>", "../../etc/passwd"])
def test_what_cannot_be_a_serial_is_malformed(typed):
    with pytest.raises(SerialMalformed):
        normalise_serial(typed)
