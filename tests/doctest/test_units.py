"""Small pure parts: output matching, marker parsing, program line maps, annotation scopes."""

from pathlib import Path

from inko_mini.compile.annotations import nested_annotation_lines
from inko_mini.doctest.collect import Program
from inko_mini.doctest.markdown import Segment
from inko_mini.doctest.markers import Markers, parse_markers
from inko_mini.doctest.output import output_matches


def test_output_matching_rules():
    assert output_matches("a\nb\n", "a  \nb\n\n\n")
    assert not output_matches("a\nb\n", "a\nc\n")
    assert output_matches("a\n...\nd\n", "a\nb\nc\nd\n")
    assert output_matches("a\n...\nd\n", "a\nd\n")  # ... may match no line
    assert not output_matches("a\n...\nd\n", "a\nb\n")
    assert output_matches("...\n", "anything\nat all\n")
    assert not output_matches("a.c\n", "abc\n")  # only a line of its own is an ellipsis


def test_marker_parsing():
    markers = Markers()
    parsed = parse_markers('should_panic="a, b" timeout=2.5 ,continue no_run', 7, "here")
    parsed.apply(markers)
    assert (markers.should_panic, markers.panic_text, markers.timeout) == (True, "a, b", 2.5)
    assert markers.continue_ and markers.check and not markers.runs_normally
    assert parse_markers("server=8080", 1, "").settings == {"port": 8080, "server": True}
    problems = parse_markers("ignore=yes linenos", 3, "in the info string").problems
    assert [p.line for p in problems] == [3, 3]
    assert "unknown marker 'linenos' in the info string" in problems[1].message


def test_program_maps_lines_back_to_their_origin():
    page, side = Path("page.md"), Path("page.inko-test.toml")
    program = Program([Segment("a\n", 1, side), Segment("b\nc\n", 10), Segment("d\n", 20)], page)
    assert program.source == "a\nb\nc\nd\n"
    assert [program.position(n) for n in (1, 2, 3, 4, 5)] == [
        (side, 1),
        (page, 10),
        (page, 11),
        (page, 20),
        None,
    ]


def test_annotations_inside_braces_are_nested():
    source = (
        "object A {\n"
        "  def x { 1 } # => 1\n"
        "}\n"
        "A # => A\n"
        "let s = '{' # => '{'\n"
        "[1].each do (x) { x # => 1\n"
        "}\n"
    )
    assert nested_annotation_lines(source) == {2, 6}
