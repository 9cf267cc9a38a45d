"""Reading a file as the engine's XML parser (the JDK's Xerces) reads it, and its first error.

The engine answers a file that is not well-formed XML with Xerces' message for the first
fatal error. The mock decodes the bytes as Xerces does (``decode``: the byte order mark, the
declared encoding, Java's strict UTF-8 reader) and parses the text with expat; when expat
refuses it, ``first_error`` scans the text the way Xerces' scanner does (the XML declaration,
the prolog, each tag, reference and end tag, the content, what follows the root element) and
names the first problem in Xerces' words. Only well-formedness is modelled here: the
engine's schema validation of a well-formed file is the BPMN reader's business.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

XML_URI = "http://www.w3.org/XML/1998/namespace"
XMLNS_URI = "http://www.w3.org/2000/xmlns/"
_SPACES = " \t\n\r"
_PREDEFINED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ENCODING_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")  # EncName of XML 1.0
# The encoding pseudo-attribute of an XML declaration, read before the declaration is checked.
_DECLARED_ENCODING = re.compile(r"""\sencoding\s*=\s*(["'])(.*?)\1""", re.DOTALL)
_NAME_START = (
    ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_REST = _NAME_START + r"\-.0-9\u00b7\u0300-\u036f\u203f\u2040"
_NAME = re.compile(f"[{_NAME_START}][{_NAME_REST}]*")
_NCNAME = re.compile(f"[{_NAME_START.replace(':', '')}][{_NAME_REST.replace(':', '')}]*")

_HEX_DIGITS = re.compile("[0-9a-fA-F]*")
_DIGITS = re.compile("[0-9]*")
_CDATA_END = re.compile(r"\]{2,}>")  # Xerces reads any run of brackets before the ">"

_PREMATURE_END = "Premature end of file."
_UNBALANCED_END = "XML document structures must start and end within the same entity."
_MARKUP_IN_PROLOG = "The markup in the document preceding the root element must be well-formed."
_MARKUP_IN_CONTENT = "The content of elements must consist of well-formed character data or markup."
_COMMENT_START = 'Comment must start with "<!--".'
DOCTYPE_NOT_ALLOWED = (
    'DOCTYPE is disallowed when the feature "http://apache.org/xml/features/'
    'disallow-doctype-decl" set to true.'
)


class NotWellFormed(ValueError):
    """The file is not XML the engine can read; the message is the engine's (Xerces')."""


@dataclass
class Decoded:
    """A file's text as Xerces reads it.

    ``problem`` is the decoding error the reader meets where ``text`` ends (Xerces reports it
    only if the scanner finds no earlier error); None when the whole file decoded.
    """

    text: str
    problem: str | None = None


# -- decoding -------------------------------------------------------------------------------


def decode(content: bytes) -> Decoded:
    """The file's characters: the encoding from its first bytes, then from its declaration.

    As Xerces, the declared encoding takes over after the declaration: a UTF-16 file that
    declares UTF-8 reads as UTF-8 from there (and then holds content in the prolog).
    """
    family, bom = _sniff(content)
    head = content[bom:].decode(family, errors="replace")
    declaration = re.match(r"<\?xml[ \t\r\n][^>]*?\?>", head)
    if declaration is None:
        return _decoded(content[bom:], family, "")
    end = bom + len(declaration.group().encode(family))
    found = _DECLARED_ENCODING.search(declaration.group())
    before = declaration.group()
    if found is None:
        return _decoded(content[end:], family, before)
    name = found.group(2)
    if not _ENCODING_NAME.fullmatch(name):
        return Decoded(before, f'Invalid encoding name "{name}".')
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return Decoded(before, name)  # Java's UnsupportedEncodingException names the encoding
    if family.startswith("utf-16") and codec == "utf-16":
        codec = family  # the byte order is known; Xerces keeps its reader
    elif codec == "utf-16":
        codec = "utf-16-be"  # Java's UTF-16 without a byte order mark
    return _decoded(content[end:], codec, before)


def _sniff(content: bytes) -> tuple[str, int]:
    """The encoding family from the first bytes (XML 1.0 appendix F) and the BOM's length."""
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if content.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if content.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if content.startswith(b"<\x00?\x00"):
        return "utf-16-le", 0
    if content.startswith(b"\x00<\x00?"):
        return "utf-16-be", 0
    return "utf-8", 0


def _decoded(rest: bytes, codec: str, before: str) -> Decoded:
    """``rest`` read with Xerces' reader for the codec: its own strict ones for UTF-8,
    US-ASCII and UTF-16, Java's (which replace what they cannot read) for the others."""
    if codec == "utf-8":
        try:
            return Decoded(before + rest.decode("utf-8"))
        except UnicodeDecodeError as error:
            valid = rest[: error.start].decode("utf-8")
            return Decoded(before + valid, _utf8_problem(rest, error.start))
    if codec == "ascii":
        high = re.search(rb"[\x80-\xff]", rest)
        if high is not None:
            return Decoded(
                before + rest[: high.start()].decode("ascii"),
                f'Byte "{rest[high.start()]}" is not a member of the (7-bit) ASCII character set.',
            )
    if codec.startswith("utf-16") and len(rest) % 2:  # Xerces' UTF-16 reader says "UTF-8"
        return Decoded(
            before + rest[:-1].decode(codec, errors="replace"),
            "Expected byte 2 of 2-byte UTF-8 sequence.",
        )
    return Decoded(before + rest.decode(codec, errors="replace"))


def _utf8_problem(raw: bytes, at: int) -> str:
    """What Xerces' UTF8Reader says about the invalid sequence that starts at ``at``."""
    lead = raw[at]
    if 0xC2 <= lead <= 0xDF:
        size = 2
    elif 0xE0 <= lead <= 0xEF:
        size = 3
    elif 0xF0 <= lead <= 0xF7:
        size = 4
    else:
        return "Invalid byte 1 of 1-byte UTF-8 sequence."
    for index in range(1, size):
        if at + index >= len(raw):
            return f"Expected byte {index + 1} of {size}-byte UTF-8 sequence."
        byte = raw[at + index]
        invalid = byte & 0xC0 != 0x80
        if index == 1 and size == 3:  # an overlong form or a surrogate
            invalid |= (lead == 0xED and byte >= 0xA0) or (lead & 0x0F == 0 and byte & 0x20 == 0)
        if index == 1 and size == 4:  # an overlong form
            invalid |= byte & 0x30 == 0 and lead & 0x07 == 0
        if invalid:
            return f"Invalid byte {index + 1} of {size}-byte UTF-8 sequence."
    plane = ((lead & 0x07) << 2) | ((raw[at + 1] & 0x30) >> 4)
    return f"High surrogate bits in UTF-8 sequence must not exceed 0x10 but found 0x{plane:x}."


# -- scanning -------------------------------------------------------------------------------


def first_error(text: str, complete: bool = True) -> str | None:
    """Xerces' message for the first fatal error in ``text``; None if it finds none.

    ``complete=False``: the text stops where the file could not be decoded, so running out
    of text is not an error of its own.
    """
    scanner = _Scanner(text)
    try:
        scanner.document()
    except _Fatal as fatal:
        return str(fatal)
    except _EndOfText:
        if not complete:
            return None
        if scanner.in_markup or scanner.elements:
            return _UNBALANCED_END
        return None if scanner.root_seen else _PREMATURE_END
    return None


class _Fatal(Exception):
    """A fatal error; the message is Xerces'."""


class _EndOfText(Exception):
    """The scanner needs a character after the end of the text."""


def _invalid(char: str) -> bool:
    """Not a Char of XML 1.0."""
    code = ord(char)
    return not (
        char in "\t\n\r" or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000
    )


def _hex(char: str) -> str:
    return format(ord(char), "x")


class _Scanner:
    """Xerces' scanner over a text, stopping at its first fatal error."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.in_markup = False
        self.root_seen = False
        self.elements: list[str] = []  # the open elements' names, as written
        self.scopes: list[dict[str, str | None]] = []  # namespace declarations per element

    # low-level reading

    def peek(self) -> str:
        if self.at >= len(self.text):
            raise _EndOfText
        return self.text[self.at]

    def take(self) -> str:
        char = self.peek()
        self.at += 1
        return char

    def skip(self, literal: str) -> bool:
        """Consume ``literal`` if the text goes on with it (a text ending inside it needs more)."""
        rest = self.text[self.at : self.at + len(literal)]
        if rest == literal:
            self.at += len(literal)
            return True
        if literal.startswith(rest):
            raise _EndOfText
        return False

    def skip_spaces(self) -> bool:
        start = self.at
        while self.at < len(self.text) and self.text[self.at] in _SPACES:
            self.at += 1
        return self.at > start

    def name(self, pattern: re.Pattern[str] = _NAME) -> str | None:
        self.peek()
        match = pattern.match(self.text, self.at)
        if match is None:
            return None
        self.at = match.end()
        return match.group()

    def qname(self) -> str:
        """A name with at most one colon: a second colon ends it, as Xerces' scanQName."""
        prefix = self.name(_NCNAME) or ""
        if self.at < len(self.text) and self.text[self.at] == ":":
            self.at += 1
            return f"{prefix}:{self.name(_NCNAME) or ''}"
        return prefix

    # the document

    def document(self) -> None:
        if self.text.startswith("<?xml") and self.text[5:6] in tuple(_SPACES):
            self.at = 5
            self.in_markup = True
            self.declaration()
            self.in_markup = False
        self.prolog()
        while self.elements:
            self.content()
        self.trailing()

    def declaration(self) -> None:
        """``<?xml version="1.0" encoding="..." standalone="..."?>`` (scanXMLDeclOrTextDecl)."""
        saw_space = self.skip_spaces()
        expected = ["version", "encoding", "standalone"]
        version = None
        while self.peek() != "?":
            name, value = self.pseudo_attribute()
            if not expected:
                raise _Fatal("No more pseudo attributes are allowed.")
            if expected[0] == "version":
                if name != "version":
                    raise _Fatal("The version is required in the XML declaration.")
                version = value
                if value not in ("1.0", "1.1"):
                    raise _Fatal(
                        f'XML version "{value}" is not supported, only XML 1.0 is supported.'
                    )
                expected = ["encoding", "standalone"]
            elif name == "encoding" and expected[0] == "encoding":
                if not saw_space:
                    raise _Fatal(
                        "White space is required before the encoding pseudo attribute in the "
                        "XML declaration."
                    )
                expected = ["standalone"]
            elif name == "standalone":
                if not saw_space:  # Xerces' text for this names the encoding attribute
                    raise _Fatal(
                        "White space is required before the encoding pseudo attribute in the "
                        "XML declaration."
                    )
                if value not in ("yes", "no"):
                    raise _Fatal(
                        'The standalone document declaration value must be "yes" or "no", '
                        f'not "{value}".'
                    )
                expected = []
            elif expected[0] == "encoding":
                raise _Fatal("The encoding declaration is required in the text declaration.")
            else:
                raise _Fatal("The standalone name in XML declaration may be misspelled.")
            saw_space = self.skip_spaces()
        if version is None:
            raise _Fatal("The version is required in the XML declaration.")
        self.take()
        if self.take() != ">":
            raise _Fatal('The XML declaration must end with "?>".')

    def pseudo_attribute(self) -> tuple[str, str]:
        """``name="value"`` in the XML declaration: the name and the value."""
        try:
            return self.pseudo_attribute_parts()
        except _EndOfText:  # Xerces reads a pseudo-attribute outside the markup's bookkeeping
            raise _Fatal(_PREMATURE_END) from None

    def pseudo_attribute_parts(self) -> tuple[str, str]:
        for name in ("version", "encoding", "standalone"):
            if self.skip(name):
                break
        else:
            raise _Fatal("A pseudo attribute name is expected.")
        self.skip_spaces()
        if self.take() != "=":
            raise _Fatal(f"The ' = ' character must follow \"{name}\" in the XML declaration.")
        self.skip_spaces()
        quote = self.take()
        if quote not in "'\"":
            raise _Fatal(
                f'The value following "{name}" in the XML declaration must be a quoted string.'
            )
        start = self.at
        while (char := self.take()) != quote:
            if _invalid(char):
                raise _Fatal(
                    f"An invalid XML character (Unicode: 0x{_hex(char)}) was found in the XML "
                    "declaration."
                )
        return name, self.text[start : self.at - 1]

    def prolog(self) -> None:
        while True:
            self.skip_spaces()
            char = self.take()
            if char == "&":
                raise _Fatal("Reference is not allowed in prolog.")
            if char != "<":
                raise _Fatal("Content is not allowed in prolog.")
            self.in_markup = True
            if _NAME.match(self.peek()):
                self.root_seen = True
                self.start_tag()
                self.in_markup = False
                return
            if self.skip("!"):
                if self.skip("-"):
                    if not self.skip("-"):
                        raise _Fatal(_COMMENT_START)
                    self.comment()
                elif self.skip("DOCTYPE"):
                    raise _Fatal(DOCTYPE_NOT_ALLOWED)
                else:
                    raise _Fatal(_MARKUP_IN_PROLOG)
            elif self.skip("?"):
                self.processing_instruction()
            else:
                raise _Fatal(_MARKUP_IN_PROLOG)
            self.in_markup = False

    def trailing(self) -> None:
        while True:
            self.skip_spaces()
            if self.at >= len(self.text):
                return
            if self.take() != "<":
                raise _Fatal("Content is not allowed in trailing section.")
            self.in_markup = True
            if self.skip("?"):
                self.processing_instruction()
            elif self.skip("!"):
                if not self.skip("--"):
                    raise _Fatal(_COMMENT_START)
                self.comment()
            else:
                raise _Fatal(
                    "The markup in the document following the root element must be well-formed."
                )
            self.in_markup = False

    def content(self) -> None:
        """One piece of an element's content: markup, a reference or character data."""
        char = self.peek()
        if char == "&":
            self.at += 1
            self.reference()
        elif char != "<":
            self.character_data()
        else:
            self.at += 1
            self.in_markup = True
            if _NAME.match(self.peek()):
                self.start_tag()
            elif self.skip("?"):
                self.processing_instruction()
            elif self.skip("!"):
                if self.skip("-"):
                    if not self.skip("-"):
                        raise _Fatal(_COMMENT_START)
                    self.comment()
                elif self.skip("[CDATA["):
                    self.cdata_section()
                elif self.skip("DOCTYPE"):
                    raise _Fatal("Scanner State 24 not Recognized ")  # Xerces' own wording
                else:
                    raise _Fatal(_MARKUP_IN_CONTENT)
            elif self.skip("/"):
                self.end_tag()
            else:
                raise _Fatal(_MARKUP_IN_CONTENT)
            self.in_markup = False

    def character_data(self) -> None:
        while self.at < len(self.text) and self.text[self.at] not in "<&":
            char = self.text[self.at]
            if _invalid(char):
                raise _Fatal(
                    f"An invalid XML character (Unicode: 0x{_hex(char)}) was found in the "
                    "element content of the document."
                )
            if char == "]" and _CDATA_END.match(self.text, self.at):
                raise _Fatal(
                    'The character sequence "]]>" must not appear in content unless used to '
                    "mark the end of a CDATA section."
                )
            self.at += 1
        self.peek()  # an element still open needs more text

    # markup

    def start_tag(self) -> None:
        """``<name attributes>`` or ``<name attributes/>``, then its namespaces' checks."""
        element = self.qname()
        attributes: list[tuple[str, str]] = []
        declared: dict[str, str | None] = {}
        self.scopes.append(declared)
        while (end := self.end_of_start_tag(element)) is None:
            attributes.append(self.attribute(element, declared))
        self.bind(element, attributes)
        if end == ">":
            self.elements.append(element)
        else:
            self.scopes.pop()

    def end_of_start_tag(self, element: str) -> str | None:
        """``>`` or ``/>`` when the start tag ends here; None when an attribute follows."""
        saw_space = self.skip_spaces()
        char = self.peek()
        if char == ">":
            self.at += 1
            return ">"
        if char == "/":
            self.at += 1
            if self.take() != ">":
                raise self.unterminated(element)
            return "/>"
        if not saw_space or not _NAME.match(char):
            raise self.unterminated(element)
        return None

    def unterminated(self, element: str) -> _Fatal:
        return _Fatal(
            f'Element type "{element}" must be followed by either attribute specifications, '
            '">" or "/>".'
        )

    def attribute(self, element: str, declared: dict[str, str | None]) -> tuple[str, str]:
        """``name="value"``; a namespace declaration is checked and declared at once."""
        name = self.qname()
        self.skip_spaces()
        if self.take() != "=":
            raise _Fatal(
                f'Attribute name "{name}" associated with an element type "{element}" must be '
                "followed by the ' = ' character."
            )
        self.skip_spaces()
        value = self.attribute_value(element, name)
        if name == "xmlns" or name.startswith("xmlns:"):
            self.declare(element, name, value, declared)
        return name, value

    def attribute_value(self, element: str, name: str) -> str:
        quote = self.take()
        if quote not in "'\"":
            raise _Fatal(
                f'Open quote is expected for attribute "{name}" associated with an  element '
                f'type  "{element}".'
            )
        value = []
        while (char := self.take()) != quote:
            if char == "&":
                value.append(self.reference())
            elif char == "<":
                raise _Fatal(
                    f'The value of attribute "{name}" associated with an element type '
                    f"\"{element}\" must not contain the '<' character."
                )
            elif _invalid(char):
                raise _Fatal(
                    f"An invalid XML character (Unicode: 0x{_hex(char)}) was found in the value "
                    f'of attribute "{name}" and element is "{element}".'
                )
            else:
                value.append(" " if char in "\t\n\r" else char)
        return "".join(value)

    def declare(self, element: str, name: str, uri: str, declared: dict[str, str | None]) -> None:
        """A namespace declaration, checked as XMLNSDocumentScannerImpl.scanAttribute does."""
        prefix, _, local = name.rpartition(":")
        if (prefix == "xmlns" and local == "xmlns") or uri == XMLNS_URI:
            raise _Fatal(
                'The prefix "xmlns" cannot be bound to any namespace explicitly; neither can the '
                'namespace for "xmlns" be bound to any prefix explicitly.'
            )
        if (local == "xml") != (uri == XML_URI):
            raise _Fatal(
                'The prefix "xml" cannot be bound to any namespace other than its usual '
                'namespace; neither can the namespace for "xml" be bound to any prefix other '
                'than "xml".'
            )
        if uri == "" and local != "xmlns":
            raise _Fatal(
                f'The value of the attribute "prefix="{prefix}",localpart="{local}",'
                f'rawname="{name}"" is invalid. Prefixed namespace bindings may not be empty.'
            )
        bound = "" if local == "xmlns" else local
        if bound in declared:
            raise _Fatal(f'Attribute "{name}" was already specified for element "{element}".')
        declared[bound] = uri or None

    def uri(self, prefix: str) -> str | None:
        """The namespace a prefix is bound to where the scanner is."""
        if prefix == "xml":
            return XML_URI
        if prefix == "xmlns":
            return XMLNS_URI
        for scope in reversed(self.scopes):
            if prefix in scope:
                return scope[prefix]
        return None

    def bind(self, element: str, attributes: list[tuple[str, str]]) -> None:
        """The element's prefix, its attributes' prefixes, then duplicates (by namespace)."""
        if element.startswith("xmlns:"):
            raise _Fatal(f'Element "{element}" cannot have "xmlns" as its prefix.')
        prefix, _, _ = element.rpartition(":")
        if prefix and self.uri(prefix) is None:
            raise _Fatal(f'The prefix "{prefix}" for element "{element}" is not bound.')
        expanded: list[tuple[str, str, str | None]] = []  # raw name, local name, namespace
        for name, _ in attributes:
            prefix, _, local = name.rpartition(":")
            if name == "xmlns":
                expanded.append((name, "xmlns", XMLNS_URI))
            elif prefix:
                uri = self.uri(prefix)
                if uri is None:
                    raise _Fatal(
                        f'The prefix "{prefix}" for attribute "{name}" associated with an '
                        f'element type "{element}" is not bound.'
                    )
                expanded.append((name, local, uri))
            else:
                expanded.append((name, name, None))
        for index, (_, local, uri) in enumerate(expanded):
            for later, later_local, later_uri in expanded[index + 1 :]:
                if (later_local, later_uri) != (local, uri):
                    continue
                if uri is None:
                    raise _Fatal(
                        f'Attribute "{later}" was already specified for element "{element}".'
                    )
                raise _Fatal(
                    f'Attribute "{local}" bound to namespace "{uri}" was already specified for '
                    f'element "{element}".'
                )

    def end_tag(self) -> None:
        element = self.elements[-1]
        rest = self.text[self.at : self.at + len(element)]
        if rest != element:  # Xerces compares with the open element's name
            raise _Fatal(
                f'The element type "{element}" must be terminated by the matching end-tag '
                f'"</{element}>".'
            )
        self.at += len(element)
        self.skip_spaces()
        if self.take() != ">":
            raise _Fatal(
                f"The end-tag for element type \"{element}\" must end with a '>' delimiter."
            )
        self.elements.pop()
        self.scopes.pop()

    def reference(self) -> str:
        """After ``&``: a character or entity reference; returns the character it stands for."""
        if self.skip("#"):
            return self.character_reference()
        name = self.name()
        if name is None:
            raise _Fatal("The entity name must immediately follow the '&' in the entity reference.")
        if self.take() != ";":
            raise _Fatal(f"The reference to entity \"{name}\" must end with the ';' delimiter.")
        if name not in _PREDEFINED:
            raise _Fatal(f'The entity "{name}" was referenced, but not declared.')
        return _PREDEFINED[name]

    def character_reference(self) -> str:
        hexadecimal = self.skip("x")
        digits = (_HEX_DIGITS if hexadecimal else _DIGITS).match(self.text, self.at)
        written = digits.group() if digits else ""  # the patterns match the empty string too
        self.at += len(written)
        if not written:
            raise _Fatal(
                'A hexadecimal representation must immediately follow the "&#x" in a '
                "character reference."
                if hexadecimal
                else 'A decimal representation must immediately follow the "&#" in a '
                "character reference."
            )
        if self.take() != ";":
            raise _Fatal("The character reference must end with the ';' delimiter.")
        code = int(written, 16 if hexadecimal else 10)
        if code > 0x10FFFF or _invalid(chr(code)):
            reference = f"x{written}" if hexadecimal else written
            raise _Fatal(f'Character reference "&#{reference}" is an invalid XML character.')
        return chr(code)

    def comment(self) -> None:
        """After ``<!--``: until ``-->``; ``--`` may not appear inside."""
        while True:
            char = self.take()
            if char == "-" and self.skip("-"):
                if self.take() != ">":
                    raise _Fatal('The string "--" is not permitted within comments.')
                return
            if _invalid(char):
                raise _Fatal(
                    f"An invalid XML character (Unicode: 0x{_hex(char)}) was found in the comment."
                )

    def processing_instruction(self) -> None:
        """After ``<?``: a target other than xml, white space, data until ``?>``."""
        target = self.name()
        if target is None:
            raise _Fatal("The processing instruction must begin with the name of the target.")
        if target.lower() == "xml":
            raise _Fatal(
                'The processing instruction target matching "[xX][mM][lL]" is not allowed.'
            )
        if not self.skip_spaces():
            if self.skip("?>"):
                return
            raise _Fatal(
                "White space is required between the processing instruction target and data."
            )
        while not self.skip("?>"):
            char = self.take()
            if _invalid(char):
                raise _Fatal(
                    f"An invalid XML character (Unicode: 0x{_hex(char)}) was found in the "
                    "processing instruction."
                )

    def cdata_section(self) -> None:
        while not self.skip("]]>"):
            char = self.take()
            if _invalid(char):
                raise _Fatal(
                    f"An invalid XML character (Unicode: 0x{_hex(char)}) was found in the CDATA "
                    "section."
                )
