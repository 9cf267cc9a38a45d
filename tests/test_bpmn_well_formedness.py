"""What ``POST /deployment/create`` answers for a file that is not well-formed XML, for one
in another encoding, and for one whose root is not BPMN's ``<definitions>``.

Every answer here was measured on Camunda 7.24.0 (its XML parser is the JDK's Xerces): a file
the parser refuses is a 500 ``ProcessEngineException`` with the parser's message and nothing
deployed; a file it reads in any encoding deploys; a foreign root is the schema's
``ParseException``.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.assertions import PEE, assert_error
from tests.conftest import BASE
from tests.test_deployments import count, upload

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
BPMN = b'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
OPEN = DECLARATION + b"<bpmn:definitions " + BPMN + b">"  # a root element left open


def doc(body: bytes, declaration: bytes = DECLARATION) -> bytes:
    """A ``<bpmn:definitions>`` root around ``body``."""
    return declaration + b"<bpmn:definitions " + BPMN + b">" + body + b"</bpmn:definitions>"


def declared(declaration: bytes) -> bytes:
    """An empty root after this XML declaration."""
    return doc(b"", declaration + b"\n")


ELEMENT_CONTENT = "The content of elements must consist of well-formed character data or markup."
SAME_ENTITY = "XML document structures must start and end within the same entity."
UNTERMINATED_PROCESS = (
    'Element type "bpmn:process" must be followed by either attribute specifications, ">" or "/>".'
)
PROCESS_END_TAG = (
    'The element type "bpmn:process" must be terminated by the matching end-tag "</bpmn:process>".'
)
DOCTYPE = (
    'DOCTYPE is disallowed when the feature "http://apache.org/xml/features/'
    'disallow-doctype-decl" set to true.'
)
RESERVED_TARGET = 'The processing instruction target matching "[xX][mM][lL]" is not allowed.'

# The file, and the message the engine's parser gives for it (after "Could not parse '...'. ").
NOT_WELL_FORMED = {
    # the end of the file
    "empty": (b"", "Premature end of file."),
    "only-spaces": (b"  \n ", "Premature end of file."),
    "only-a-comment": (b"<!-- c -->", "Premature end of file."),
    "text": (b"hello", "Content is not allowed in prolog."),
    "truncated-in-an-element": (OPEN + b'<bpmn:process id="x">', SAME_ENTITY),
    "truncated-in-a-tag": (OPEN + b'<bpmn:process id="x', SAME_ENTITY),
    "truncated-in-the-root-tag": (DECLARATION + b"<bpmn:defin", SAME_ENTITY),
    "truncated-in-an-end-tag": (
        OPEN + b"</bpmn:defin",
        'The element type "bpmn:definitions" must be terminated by the matching end-tag '
        '"</bpmn:definitions>".',
    ),
    "unclosed-comment": (OPEN + b"<!-- hello", SAME_ENTITY),
    "unclosed-comment-before-the-root": (b"<!-- x", SAME_ENTITY),
    "unclosed-cdata": (OPEN + b"<![CDATA[ abc", SAME_ENTITY),
    "unclosed-declaration-value": (b'<?xml version="1.0', "Premature end of file."),
    # tags
    "wrong-end-tag": (doc(b'<bpmn:process id="x"></bpmn:proces>'), PROCESS_END_TAG),
    "crossed-tags": (
        OPEN + b'<bpmn:process id="a"></bpmn:definitions></bpmn:process>',
        PROCESS_END_TAG,
    ),
    "missing-end-tag": (doc(b'<bpmn:process id="x">'), PROCESS_END_TAG),
    "missing-gt": (doc(b'<bpmn:process id="x"</bpmn:process>'), UNTERMINATED_PROCESS),
    "missing-gt-before-a-child": (
        doc(b'<bpmn:process id="x" <bpmn:startEvent id="s"/></bpmn:process>'),
        UNTERMINATED_PROCESS,
    ),
    "missing-gt-of-an-end-tag": (
        doc(b'<bpmn:process id="x"></bpmn:process'),
        "The end-tag for element type \"bpmn:process\" must end with a '>' delimiter.",
    ),
    "no-space-between-attributes": (doc(b'<bpmn:process id="a"name="b"/>'), UNTERMINATED_PROCESS),
    "second-colon-in-a-name": (
        doc(b"<bpmn:pro:cess/>"),
        'Element type "bpmn:pro" must be followed by either attribute specifications, ">" or "/>".',
    ),
    "space-after-lt": (doc(b"< bpmn:process/>"), ELEMENT_CONTENT),
    "junk-after-the-root": (
        doc(b"") + b"<x/>",
        "The markup in the document following the root element must be well-formed.",
    ),
    "text-after-the-root": (doc(b"") + b"hello", "Content is not allowed in trailing section."),
    "end-tag-before-the-root": (
        b"</x>",
        "The markup in the document preceding the root element must be well-formed.",
    ),
    # attributes
    "unquoted-attribute": (
        doc(b"<bpmn:process id=x/>"),
        'Open quote is expected for attribute "id" associated with an  element type  '
        '"bpmn:process".',
    ),
    "attribute-without-value": (
        doc(b"<bpmn:process id/>"),
        'Attribute name "id" associated with an element type "bpmn:process" must be followed '
        "by the ' = ' character.",
    ),
    "duplicate-attribute": (
        doc(b'<bpmn:process id="a" id="b"/>'),
        'Attribute "id" was already specified for element "bpmn:process".',
    ),
    "duplicate-attribute-by-namespace": (
        doc(b'<bpmn:process xmlns:a="u" xmlns:b="u" a:x="1" b:x="2"/>'),
        'Attribute "x" bound to namespace "u" was already specified for element "bpmn:process".',
    ),
    "lt-in-an-attribute": (
        doc(b'<bpmn:process id="a<b"/>'),
        'The value of attribute "id" associated with an element type "bpmn:process" must not '
        "contain the '<' character.",
    ),
    "unclosed-quote": (
        doc(b'<a b="x/><c/>'),
        'The value of attribute "b" associated with an element type "a" must not contain the '
        "'<' character.",
    ),
    "control-character-in-an-attribute": (
        doc(b'<bpmn:process id="a\x01"/>'),
        'An invalid XML character (Unicode: 0x1) was found in the value of attribute "id" and '
        'element is "bpmn:process".',
    ),
    # namespaces
    "unbound-prefix": (
        DECLARATION + b"<bpmn:definitions></bpmn:definitions>",
        'The prefix "bpmn" for element "bpmn:definitions" is not bound.',
    ),
    "unbound-attribute-prefix": (
        doc(b'<bpmn:process foo:id="x"/>'),
        'The prefix "foo" for attribute "foo:id" associated with an element type "bpmn:process" '
        "is not bound.",
    ),
    "empty-prefixed-namespace": (
        doc(b'<bpmn:process xmlns:p=""/>'),
        'The value of the attribute "prefix="xmlns",localpart="p",rawname="xmlns:p"" is '
        "invalid. Prefixed namespace bindings may not be empty.",
    ),
    "xml-prefix-rebound": (
        doc(b'<a xmlns:xml="u"/>'),
        'The prefix "xml" cannot be bound to any namespace other than its usual namespace; '
        'neither can the namespace for "xml" be bound to any prefix other than "xml".',
    ),
    "xmlns-element-prefix": (
        doc(b"<xmlns:a/>"),
        'Element "xmlns:a" cannot have "xmlns" as its prefix.',
    ),
    # references and characters
    "undeclared-entity": (doc(b"&foo;"), 'The entity "foo" was referenced, but not declared.'),
    "amp-in-an-attribute": (
        doc(b'<bpmn:process id="a&b"/>'),
        "The reference to entity \"b\" must end with the ';' delimiter.",
    ),
    "lone-amp": (
        doc(b"a & b"),
        "The entity name must immediately follow the '&' in the entity reference.",
    ),
    "lt-in-text": (doc(b"a < b"), ELEMENT_CONTENT),
    "cdata-end-in-text": (
        doc(b"a ]]> b"),
        'The character sequence "]]>" must not appear in content unless used to mark the end '
        "of a CDATA section.",
    ),
    "control-character": (
        doc(b'<bpmn:process id="a"/>\x01'),
        "An invalid XML character (Unicode: 0x1) was found in the element content of the document.",
    ),
    "nul-character": (
        doc(b"\x00"),
        "An invalid XML character (Unicode: 0x0) was found in the element content of the document.",
    ),
    "noncharacter": (
        doc("\ufffe".encode()),
        "An invalid XML character (Unicode: 0xfffe) was found in the element content of the "
        "document.",
    ),
    "invalid-character-reference": (
        doc(b"&#x1;"),
        'Character reference "&#x1" is an invalid XML character.',
    ),
    "empty-character-reference": (
        doc(b"&#;"),
        'A decimal representation must immediately follow the "&#" in a character reference.',
    ),
    "character-reference-without-semicolon": (
        doc(b"&#12a;"),
        "The character reference must end with the ';' delimiter.",
    ),
    # comments, processing instructions, DOCTYPE
    "dashes-in-a-comment": (
        doc(b"<!-- a -- b -->"),
        'The string "--" is not permitted within comments.',
    ),
    "bad-comment-start": (doc(b"<!- a -->"), 'Comment must start with "<!--".'),
    "control-character-in-a-comment": (
        doc(b"<!-- \x01 -->"),
        "An invalid XML character (Unicode: 0x1) was found in the comment.",
    ),
    "spaces-before-the-declaration": (b"   " + doc(b""), RESERVED_TARGET),
    "declaration-in-the-content": (doc(b'<?xml version="1.0"?>'), RESERVED_TARGET),
    "processing-instruction-without-target": (
        doc(b"<? x?>"),
        "The processing instruction must begin with the name of the target.",
    ),
    "doctype": (b'<?xml version="1.0"?>\n<!DOCTYPE x>\n' + doc(b"", b""), DOCTYPE),
    "doctype-with-an-entity": (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "v">]>\n' + doc(b"&e;", b""),
        DOCTYPE,
    ),
    "broken-doctype": (b"<!DOCTYPE x [ <!ENTITY" + doc(b"", b""), DOCTYPE),
    "doctype-in-the-content": (doc(b"<!DOCTYPE x>"), "Scanner State 24 not Recognized "),
    "doctype-after-the-root": (doc(b"") + b"<!DOCTYPE x>", 'Comment must start with "<!--".'),
    # the XML declaration
    "declaration-without-version": (
        declared(b'<?xml encoding="UTF-8"?>'),
        "The version is required in the XML declaration.",
    ),
    "unsupported-version": (
        declared(b'<?xml version="2.0"?>'),
        'XML version "2.0" is not supported, only XML 1.0 is supported.',
    ),
    "unquoted-version": (
        declared(b"<?xml version=1.0?>"),
        'The value following "version" in the XML declaration must be a quoted string.',
    ),
    "no-space-before-encoding": (
        declared(b'<?xml version="1.0"encoding="UTF-8"?>'),
        "White space is required before the encoding pseudo attribute in the XML declaration.",
    ),
    "unknown-pseudo-attribute": (
        declared(b'<?xml version="1.0" foo="bar"?>'),
        "A pseudo attribute name is expected.",
    ),
    "bad-standalone": (
        declared(b'<?xml version="1.0" standalone="maybe"?>'),
        'The standalone document declaration value must be "yes" or "no", not "maybe".',
    ),
    # encodings
    "unknown-encoding": (declared(b'<?xml version="1.0" encoding="FOO"?>'), "FOO"),
    "invalid-encoding-name": (
        declared(b'<?xml version="1.0" encoding=""?>'),
        'Invalid encoding name "".',
    ),
    "latin-1-bytes-declared-utf-8": (
        doc('<bpmn:process id="x" name="caf\xe9"/>'.encode("latin-1")),
        "Invalid byte 2 of 3-byte UTF-8 sequence.",
    ),
    "invalid-utf-8-byte": (
        doc(b'<bpmn:process id="x" name="\xff"/>'),
        "Invalid byte 1 of 1-byte UTF-8 sequence.",
    ),
    "utf-8-sequence-cut-by-the-end": (
        doc(b"") + b"\xc3",
        "Expected byte 2 of 2-byte UTF-8 sequence.",
    ),
    "utf-8-beyond-unicode": (
        doc(b"\xf4\x90\x80\x80"),
        "High surrogate bits in UTF-8 sequence must not exceed 0x10 but found 0x11.",
    ),
    "an-earlier-error-before-invalid-utf-8": (
        doc(b"<a></b>" + b"x" * 100 + b"\xff"),
        'The element type "a" must be terminated by the matching end-tag "</a>".',
    ),
    "non-ascii-byte-declared-us-ascii": (
        doc('<a n="\xe9"/>'.encode("latin-1"), b'<?xml version="1.0" encoding="US-ASCII"?>\n'),
        'Byte "233" is not a member of the (7-bit) ASCII character set.',
    ),
    "utf-16-declared-utf-8": (
        doc(b"").decode().encode("utf-16"),
        "Content is not allowed in prolog.",
    ),
    "utf-8-declared-utf-16": (
        declared(b'<?xml version="1.0" encoding="UTF-16"?>'),
        "Content is not allowed in prolog.",
    ),
    # where the error is: before the root, in an end tag, after the root
    "reference-before-the-root": (b"&amp;" + doc(b"", b""), "Reference is not allowed in prolog."),
    "text-before-the-root": (
        DECLARATION + b"x" + doc(b"", b""),
        "Content is not allowed in prolog.",
    ),
    "bad-comment-start-before-the-root": (
        b"<!- x -->" + doc(b"", b""),
        'Comment must start with "<!--".',
    ),
    "cdata-before-the-root": (
        b"<![CDATA[x]]>" + doc(b"", b""),
        "The markup in the document preceding the root element must be well-formed.",
    ),
    "doctype-typo": (
        b"<!DOCTYP x>" + doc(b"", b""),
        "The markup in the document preceding the root element must be well-formed.",
    ),
    "doctype-after-a-comment": (b"<!-- c --><!DOCTYPE x>" + doc(b"", b""), DOCTYPE),
    "lt-at-the-end": (doc(b"") + b"<", SAME_ENTITY),
    "unclosed-comment-after-the-root": (doc(b"") + b"<!-- x", SAME_ENTITY),
    "end-tag-after-the-root": (
        doc(b"") + b"</x>",
        "The markup in the document following the root element must be well-formed.",
    ),
    "reference-after-the-root": (
        doc(b"") + b"&amp;",
        "Content is not allowed in trailing section.",
    ),
    "end-tag-with-more": (
        doc(b"<a></a x>"),
        "The end-tag for element type \"a\" must end with a '>' delimiter.",
    ),
    "longer-end-tag": (
        doc(b"<a></ab>"),
        "The end-tag for element type \"a\" must end with a '>' delimiter.",
    ),
    "empty-end-tag": (
        doc(b"<a></>"),
        'The element type "a" must be terminated by the matching end-tag "</a>".',
    ),
    "end-tag-cut-after-the-slash": (
        OPEN + b"</",
        'The element type "bpmn:definitions" must be terminated by the matching end-tag '
        '"</bpmn:definitions>".',
    ),
    "slash-then-space": (
        doc(b"<a/ >"),
        'Element type "a" must be followed by either attribute specifications, ">" or "/>".',
    ),
    "control-character-in-a-name": (
        doc(b"<a\x01/>"),
        'Element type "a" must be followed by either attribute specifications, ">" or "/>".',
    ),
    "control-character-in-an-attribute-name": (
        doc(b'<a b\x01="1"/>'),
        'Attribute name "b" associated with an element type "a" must be followed by the \' = \' '
        "character.",
    ),
    "unknown-markup": (doc(b"<!FOO>"), ELEMENT_CONTENT),
    "lower-case-cdata": (doc(b"<![cdata[x]]>"), ELEMENT_CONTENT),
    # namespaces and duplicates, in the engine's order
    "duplicate-namespace-declaration": (
        doc(b'<a xmlns:p="u" xmlns:p="v"/>'),
        'Attribute "xmlns:p" was already specified for element "a".',
    ),
    "same-prefixed-attribute-twice": (
        doc(b'<a xmlns:p="u" p:x="1" p:x="2"/>'),
        'Attribute "x" bound to namespace "u" was already specified for element "a".',
    ),
    "xmlns-prefix-declared": (
        doc(b'<a xmlns:xmlns="u"/>'),
        'The prefix "xmlns" cannot be bound to any namespace explicitly; neither can the '
        'namespace for "xmlns" be bound to any prefix explicitly.',
    ),
    "xmlns-namespace-as-default": (
        doc(b'<a xmlns="http://www.w3.org/2000/xmlns/"/>'),
        'The prefix "xmlns" cannot be bound to any namespace explicitly; neither can the '
        'namespace for "xmlns" be bound to any prefix explicitly.',
    ),
    "unbound-element-before-its-attributes": (
        doc(b'<p:a q:y="2"/>'),
        'The prefix "p" for element "p:a" is not bound.',
    ),
    "unbound-prefix-before-a-duplicate": (
        doc(b'<a x="1" x="2" p:y="3"/>'),
        'The prefix "p" for attribute "p:y" associated with an element type "a" is not bound.',
    ),
    "attribute-error-before-the-prefix": (
        doc(b"<p:a x=1/>"),
        'Open quote is expected for attribute "x" associated with an  element type  "p:a".',
    ),
    "lt-before-a-duplicate": (
        doc(b'<a x="1" x="2" y="<"/>'),
        'The value of attribute "y" associated with an element type "a" must not contain the '
        "'<' character.",
    ),
    "prefix-bound-in-an-inner-element-only": (
        doc(b'<a xmlns:p="u"><p:b/></a><p:c/>'),
        'The prefix "p" for element "p:c" is not bound.',
    ),
    # references and characters
    "undeclared-entity-in-an-attribute": (
        doc(b'<a b="&amp;&foo;"/>'),
        'The entity "foo" was referenced, but not declared.',
    ),
    "amp-semicolon": (
        doc(b"&;"),
        "The entity name must immediately follow the '&' in the entity reference.",
    ),
    "empty-hex-character-reference": (
        doc(b"&#x;"),
        'A hexadecimal representation must immediately follow the "&#x" in a character reference.',
    ),
    "character-reference-beyond-unicode": (
        doc(b"&#x110000;"),
        'Character reference "&#x110000" is an invalid XML character.',
    ),
    "surrogate-character-reference": (
        doc(b'<a b="&#xD800;"/>'),
        'Character reference "&#xD800" is an invalid XML character.',
    ),
    "huge-character-reference": (
        doc(b"&#99999999999;"),
        'Character reference "&#99999999999" is an invalid XML character.',
    ),
    "three-brackets": (
        doc(b"<a>]]]></a>"),
        'The character sequence "]]>" must not appear in content unless used to mark the end '
        "of a CDATA section.",
    ),
    "three-dashes-ending-a-comment": (
        doc(b"<!-- a --->"),
        'The string "--" is not permitted within comments.',
    ),
    "control-character-in-a-processing-instruction": (
        doc(b"<?pi \x01?>"),
        "An invalid XML character (Unicode: 0x1) was found in the processing instruction.",
    ),
    "control-character-in-cdata": (
        doc(b"<![CDATA[\x01]]>"),
        "An invalid XML character (Unicode: 0x1) was found in the CDATA section.",
    ),
    "no-space-after-a-target": (
        doc(b'<?pi"x"?>'),
        "White space is required between the processing instruction target and data.",
    ),
    "reserved-target-in-mixed-case": (doc(b"<?XmL abc?>"), RESERVED_TARGET),
    "xml-target-without-declaration": (b"<?xml?>" + doc(b"", b""), RESERVED_TARGET),
    "bom-then-spaces-before-the-declaration": (b"\xef\xbb\xbf  " + doc(b""), RESERVED_TARGET),
    # the XML declaration, read as Xerces' state machine does
    "empty-declaration": (declared(b"<?xml ?>"), "The version is required in the XML declaration."),
    "encoding-before-version": (
        declared(b'<?xml encoding="UTF-8" version="1.0"?>'),
        "The version is required in the XML declaration.",
    ),
    "version-twice": (
        declared(b'<?xml version="1.0" version="1.0"?>'),
        "The encoding declaration is required in the text declaration.",
    ),
    "version-after-encoding": (
        declared(b'<?xml version="1.0" encoding="UTF-8" version="1.0"?>'),
        "The standalone name in XML declaration may be misspelled.",
    ),
    "standalone-before-encoding": (
        declared(b'<?xml version="1.0" standalone="yes" encoding="UTF-8"?>'),
        "No more pseudo attributes are allowed.",
    ),
    "no-space-before-standalone": (
        declared(b'<?xml version="1.0" encoding="UTF-8"standalone="yes"?>'),
        "White space is required before the encoding pseudo attribute in the XML declaration.",
    ),
    "declaration-without-eq": (
        declared(b'<?xml version "1.0"?>'),
        "The ' = ' character must follow \"version\" in the XML declaration.",
    ),
    "declaration-without-gt": (
        declared(b'<?xml version="1.0"?x'),
        'The XML declaration must end with "?>".',
    ),
    "declaration-ending-with-gt": (
        declared(b'<?xml version="1.0">'),
        "A pseudo attribute name is expected.",
    ),
    "control-character-in-the-declaration": (
        declared(b'<?xml version="1.\x010"?>'),
        "An invalid XML character (Unicode: 0x1) was found in the XML declaration.",
    ),
    "declaration-cut-in-a-pseudo-attribute": (b"<?xml version", "Premature end of file."),
    "declaration-cut-after-a-value": (b'<?xml version="1.0"', SAME_ENTITY),
    # encodings: a problem of the declaration comes first, a decoding problem where it is met
    "unknown-encoding-after-a-bad-declaration": (
        declared(b'<?xml version="1.0" encoding="FOO" standalone="x"?>'),
        'The standalone document declaration value must be "yes" or "no", not "x".',
    ),
    "encoding-name-starting-with-a-digit": (
        declared(b'<?xml version="1.0" encoding="8bit"?>'),
        'Invalid encoding name "8bit".',
    ),
    "invalid-utf-8-before-an-error": (
        doc(b"\xff<a></b>"),
        "Invalid byte 1 of 1-byte UTF-8 sequence.",
    ),
    "invalid-utf-8-in-a-comment": (
        doc(b"<!-- \xff -->"),
        "Invalid byte 1 of 1-byte UTF-8 sequence.",
    ),
    "overlong-utf-8": (doc(b"\xc0\xaf"), "Invalid byte 1 of 1-byte UTF-8 sequence."),
    "utf-8-encoded-surrogate": (doc(b"\xed\xa0\x80"), "Invalid byte 2 of 3-byte UTF-8 sequence."),
    "utf-16-declared-iso-8859-1": (
        declared(b'<?xml version="1.0" encoding="ISO-8859-1"?>').decode().encode("utf-16"),
        "Content is not allowed in prolog.",
    ),
    "utf-16-with-an-odd-byte": (
        declared(b'<?xml version="1.0" encoding="UTF-16"?>').decode().encode("utf-16") + b"\x00",
        "Expected byte 2 of 2-byte UTF-8 sequence.",  # sic: Xerces' UTF-16 reader
    ),
}


@pytest.mark.parametrize(
    ("content", "message"), NOT_WELL_FORMED.values(), ids=NOT_WELL_FORMED.keys()
)
def test_a_file_that_is_not_well_formed_is_the_parsers_500_and_deploys_nothing(
    client: FlaskClient, content: bytes, message: str
) -> None:
    response = upload(client, {"broken.bpmn": content})

    assert_error(response, 500, PEE, f"ENGINE-09003 Could not parse 'broken.bpmn'. {message}", 0)
    assert count(client, "/deployment") == 0


def named(name: str, declaration: str) -> str:
    """An executable process with this name, after this XML declaration."""
    return (
        f"{declaration}<bpmn:definitions {BPMN.decode()} "
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://x">'
        f'<bpmn:process id="enc" name="{name}" isExecutable="true" '
        'camunda:historyTimeToLive="1"><bpmn:startEvent id="s"/></bpmn:process>'
        "</bpmn:definitions>"
    )


UTF_8 = '<?xml version="1.0" encoding="UTF-8"?>'
UTF_16 = '<?xml version="1.0" encoding="UTF-16"?>'


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"\xef\xbb\xbf" + named("caf\u00e9", UTF_8).encode(), "caf\u00e9"),
        (named("caf\u00e9", UTF_16).encode("utf-16"), "caf\u00e9"),
        (named("caf\u00e9", UTF_16).encode("utf-16-le"), "caf\u00e9"),
        (
            named("caf\u00e9", '<?xml version="1.0" encoding="ISO-8859-1"?>').encode("latin-1"),
            "caf\u00e9",
        ),
        (
            named("\u65e5\u672c", '<?xml version="1.0" encoding="Shift_JIS"?>').encode("shift_jis"),
            "\u65e5\u672c",
        ),
        (
            named("\u20ac", '<?xml version="1.0" encoding="windows-1252"?>').encode("cp1252"),
            "\u20ac",
        ),
    ],
    ids=[
        "utf-8-bom",
        "utf-16-bom",
        "utf-16-without-bom",
        "iso-8859-1",
        "shift-jis",
        "windows-1252",
    ],
)
def test_a_file_in_another_encoding_deploys_with_its_text(
    client: FlaskClient, content: bytes, name: str
) -> None:
    response = upload(client, {"encoded.bpmn": content})

    assert response.status_code == 200, response.get_json()
    (definition,) = response.get_json()["deployedProcessDefinitions"].values()
    assert definition["name"] == name


@pytest.mark.parametrize(
    ("content", "element", "line", "column"),
    [
        (b"<definitions/>", "definitions", 1, 15),
        (b'\n\n  <foo\n   a="1"/>', "foo", 4, 11),
        (b'<definitions xmlns="http://example.com/x"/>', "definitions", 1, 44),
        (
            b'<bpmn:foo xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>',
            "bpmn:foo",
            1,
            69,
        ),
        (
            b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL/"/>',
            "bpmn:definitions",
            1,
            78,
        ),
        (
            "<?xml version='1.0' encoding='UTF-16'?>\n  <foo a='\u00e9'/>".encode("utf-16"),
            "foo",
            2,
            15,
        ),
    ],
    ids=[
        "no-namespace",
        "lines",
        "other-namespace",
        "unknown-bpmn-element",
        "namespace-typo",
        "utf-16",
    ],
)
def test_a_root_that_is_not_bpmn_definitions_is_the_schemas_parse_exception(
    client: FlaskClient, content: bytes, element: str, line: int, column: int
) -> None:
    response = upload(client, {"nonbpmn.bpmn": content})

    problem = f"cvc-elt.1.a: Cannot find the declaration of element '{element}'."
    assert response.status_code == 400
    assert response.get_json() == {
        "type": "ParseException",
        "message": "ENGINE-09005 Could not parse BPMN process. Errors: \n* "
        f"{problem} | resource nonbpmn.bpmn | line {line} | column {column}",
        "code": 0,
        "details": {
            "nonbpmn.bpmn": {
                "errors": [
                    {
                        "message": problem,
                        "line": line,
                        "column": column,
                        "mainElementId": None,
                        "\u0435lementIds": [],  # the engine's key starts with a Cyrillic ie
                    }
                ],
                "warnings": [],
            }
        },
    }
    assert client.get(f"{BASE}/deployment").get_json() == []
