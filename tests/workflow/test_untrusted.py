"""Reading text from outside within limits: each limit holds at its value and refuses one past
it, with the Swedish message and the line people are shown (the file-level cases, with real
files, are in tests/definitions/test_untrusted_files.py)."""

from __future__ import annotations

import pytest
import yaml

from lofte.kernel import untrusted
from lofte.kernel.untrusted import (
    Limits,
    UntrustedInputError,
    canonical_json,
    check_shape,
    compose_yaml,
    load_json,
    load_yaml,
    size_text,
)


def refused(call: object, *args: object) -> UntrustedInputError:
    with pytest.raises(UntrustedInputError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 byte"),
        (999, "999 byte"),
        (1000, "1 kB"),
        (1499, "1 kB"),
        (1500, "2 kB"),
        (999_999, "1000 kB"),
        (1_000_000, "1.0 MB"),
        (1_050_000, "1.1 MB"),
        (5_250_000, "5.2 MB"),
    ],
)
def test_sizes_are_shown_as_people_read_them(count: int, text: str) -> None:
    assert size_text(count) == text


def test_a_yaml_text_up_to_its_size_limit_is_read_and_one_byte_more_is_refused() -> None:
    limits = Limits(max_bytes=12)
    assert load_yaml("a: 1234567\n", limits) == {"a": 1234567}  # 11 bytes
    assert load_yaml("a: 12345678\n", limits) == {"a": 12345678}  # 12 bytes
    problem = refused(load_yaml, "a: 123456789\n", limits)
    assert str(problem) == "filen är för stor (13 byte; högst 12 byte)"
    # bytes, not characters: "ä" is two
    assert str(refused(load_yaml, "a: ääääää\n", Limits(max_bytes=14))) == (
        "filen är för stor (16 byte; högst 14 byte)"
    )


def test_an_empty_yaml_text_is_nothing() -> None:
    assert load_yaml("") is None
    assert load_yaml("# only a comment\n") is None
    assert compose_yaml("") is None


def test_yaml_that_does_not_parse_names_its_line() -> None:
    problem = refused(load_yaml, "a: 1\nb: [1, 2\nc: 3\n")
    assert str(problem) == "inte giltig YAML: did not find expected ',' or ']'"
    assert problem.line == 3
    assert refused(load_yaml, "a: 1\n\tb: 2\n").line == 2


def test_a_character_yaml_does_not_take_is_named() -> None:
    problem = refused(load_yaml, "a: \x07\n")
    assert str(problem) == (
        "inte giltig YAML: unacceptable character #x0007: control characters are not allowed"
    )
    assert problem.line is None


def test_without_libyaml_a_file_nested_too_deep_for_python_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(untrusted, "_LOADER", yaml.SafeLoader)  # PyYAML without its C part
    problem = refused(load_yaml, "[" * 100_000 + "]" * 100_000)
    assert str(problem) == "inte giltig YAML: för djupt nästlad"


def test_nesting_up_to_the_limit_is_read_and_deeper_is_refused_with_its_line() -> None:
    limits = Limits(max_depth=3)
    assert load_yaml("a:\n  b: 1\n", limits) == {"a": {"b": 1}}  # mapping, mapping, scalar
    problem = refused(load_yaml, "a:\n  b:\n    c: 1\n", limits)
    assert str(problem) == "för djupt nästlad (mer än 3 nivåer)"
    assert problem.line == 3


def test_aliases_up_to_the_limit_are_read_and_one_more_is_refused() -> None:
    text = "base: &b [1]\n" + "".join(f"k{n}: *b\n" for n in range(3))
    assert load_yaml(text, Limits(max_aliases=3))["k2"] == [1]
    problem = refused(load_yaml, text, Limits(max_aliases=2))
    assert str(problem) == "för många alias (högst 2)"
    assert problem.line == 1  # where the anchored value is (an alias is that node again)


def test_values_up_to_the_limit_are_read_and_more_are_refused() -> None:
    text = "[1, 2, 3]"  # the list and its three values
    assert load_yaml(text, Limits(max_nodes=4)) == [1, 2, 3]
    problem = refused(load_yaml, text, Limits(max_nodes=3))
    assert str(problem) == "för många värden (mer än 3; kontrollera ankare och alias)"
    assert problem.line == 1
    # an alias counts as everything it stands for
    expanded = "a: &a [1, 2, 3]\nb: *a\n"
    assert load_yaml(expanded, Limits(max_nodes=11)) == {"a": [1, 2, 3], "b": [1, 2, 3]}
    assert str(refused(load_yaml, expanded, Limits(max_nodes=10))).startswith("för många värden")


def test_a_value_that_contains_itself_is_refused() -> None:
    problem = refused(load_yaml, "a: &a\n  b: *a\n")
    assert str(problem) == "ett alias pekar på sig självt"
    assert problem.line == 1


def test_a_yaml_value_that_cannot_be_built_is_refused() -> None:
    problem = refused(load_yaml, "when: 2027-02-30\n")  # a date that does not exist
    assert str(problem) == "inte giltig YAML: ValueError"
    assert str(refused(load_yaml, "? [a, b]\n: 1\n")).startswith("inte giltig YAML")


def test_json_up_to_its_limits_is_read_and_past_them_refused() -> None:
    assert load_json('{"a": [1, 2]}') == {"a": [1, 2]}
    assert load_json(b'{"a": 1}', Limits(max_bytes=8)) == {"a": 1}
    assert str(refused(load_json, b'{"a": 12}', Limits(max_bytes=8))) == (
        "för stort (9 byte; högst 8 byte)"
    )
    assert str(refused(load_json, "{")).startswith("inte giltig JSON: ")
    assert str(refused(load_json, b"\xff")).startswith("inte giltig JSON: ")
    deep = "[" * 41 + "]" * 41  # parsed by the json module, refused by the limit
    assert str(refused(load_json, deep)) == "för djupt nästlad (mer än 40 nivåer)"
    assert load_json("[" * 40 + "]" * 40) is not None
    assert str(refused(load_json, "[1, 2]", Limits(max_nodes=2))) == "för många värden (högst 2)"
    assert str(refused(load_json, "[" * 100_000 + "]" * 100_000)) in (
        "för djupt nästlad",
        f"för djupt nästlad (mer än {Limits().max_depth} nivåer)",
    )


def test_a_shape_up_to_its_limits_passes_and_past_them_is_refused() -> None:
    check_shape({"a": [1, {"b": 2}]}, Limits(max_depth=4, max_nodes=5))
    assert str(refused(check_shape, {"a": [1, {"b": 2}]}, Limits(max_depth=3))) == (
        "för djupt nästlad (mer än 3 nivåer)"
    )
    assert str(refused(check_shape, {"a": [1, {"b": 2}]}, Limits(max_nodes=4))) == (
        "för många värden (högst 4)"
    )
    check_shape((1, 2), Limits(max_nodes=3))
    assert str(refused(check_shape, (1, 2), Limits(max_nodes=2))) == "för många värden (högst 2)"


def test_one_text_for_one_value() -> None:
    assert canonical_json({"b": 1, "a": ["å", 2.5]}) == '{"a":["å",2.5],"b":1}'
    assert canonical_json({"a": 1, "b": 1}) == canonical_json({"b": 1, "a": 1})
