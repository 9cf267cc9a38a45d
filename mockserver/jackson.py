"""Reading a request body exactly as the engine's Jersey and Jackson 2.19 read it.

The engine hands a JSON body to Jackson's UTF-8 parser and maps it onto the operation's DTO.
Where that fails decides the answer:

- a syntax error the parser meets on its own (the body's outline: the root value, the DTO's
  field names, colons, commas, the start of each value, anything inside a property the DTO does
  not have, what follows the root value) is a ``JsonParseException``, which JAX-RS answers with
  400 ``text/plain`` and Jackson's message, location included (:class:`JsonParseError`);
- an error while a property of the DTO reads its value (a wrong JSON type, or a syntax error
  inside the value), a root value that is no object, or a second value after the root is a
  mapping error: 400 ``InvalidRequestException`` with an empty message (:class:`MappingFailure`);
- a document deeper than 1000 levels, a number longer than 1000 digits or a field name longer
  than 50000 bytes outside such a property is a ``StreamConstraintsException``: 500
  (:class:`StreamConstraintError`);
- no value at all, or a literal ``null``, gives the resource a null DTO (``None``).

:func:`read` tries Python's own parser first: for a body it accepts, and that has nothing
Python accepts but Jackson refuses (``NaN``, a repeated key, a very long number or name, deep
nesting), Jackson reads the same values. Anything else is read again by :class:`_Scanner`,
which follows the parser's steps byte by byte, with its messages and line and column rules.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

from .engine_versions import DEFAULT_ENGINE_VERSION, at_least

VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
MAX_DEPTH = 1000
MAX_NUMBER_LENGTH = 1000
MAX_NAME_BYTES = 50000
MAX_ERROR_TOKEN = 256  # the longest token an "Unrecognized token" message quotes


@dataclass(frozen=True)
class Locations:
    """How the engine's Jackson release writes where in the body an error is."""

    source: str
    # Jackson before 2.16 puts the column of an unexpected character after it, not at it.
    column_after_unexpected: bool

    def at(self, line: int, column: int) -> str:
        """Jackson's description of a place in the body."""
        return f"[Source: {self.source}; line: {line}, column: {column}]"


# Jackson 2.16 and later (Camunda 7.22.0 and later), and the 2.15 of Camunda 7.20 and 7.21,
# as measured on those engines.
LOCATIONS = Locations("REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)", False)
LOCATIONS_BEFORE_2_16 = Locations(
    "(org.glassfish.jersey.message.internal.ReaderInterceptorExecutor$UnCloseableInputStream)", True
)


def locations_of(engine_version: str) -> Locations:
    """The location style of the Jackson that the Camunda release ``engine_version`` ships."""
    return LOCATIONS if at_least(engine_version, "7.22.0") else LOCATIONS_BEFORE_2_16


class JsonParseError(Exception):
    """Jackson's ``JsonParseException``: ``text`` is its message, the location appended."""

    def __init__(self, message: str, location: str) -> None:
        self.text = f"{message}\n at {location}"
        super().__init__(self.text)


class StreamConstraintError(Exception):
    """Jackson's ``StreamConstraintsException``: a document over one of the parser's limits."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EncodingError(Exception):
    """Jackson's ``CharConversionException``: the first bytes name no encoding it reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MappingFailure(Exception):
    """The body parsed, but Jackson cannot map it onto the DTO; ``detail`` says where."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Dto(Protocol):
    """What the reader needs to know of the DTO a body is mapped onto."""

    def reads(self, name: str) -> bool:
        """Whether the DTO has the property (its value is read inside the mapping)."""
        ...

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`MappingFailure` if the property cannot take ``value``."""
        ...


class JsonFloat(float):
    """A number with a fraction or an exponent, with the text it was sent as."""

    text: str


class JsonInt(int):
    """An integer whose text is not what Python writes for it (``-0``)."""

    text: str


def number_text(value: float) -> str:
    """A number as it was sent: Jackson writes a number into a text field as its JSON text."""
    return getattr(value, "text", None) or json.dumps(value)


def json_int(text: str) -> int:
    """An integer token's value (its text kept where Python would write another)."""
    if text != "-0":
        return int(text)
    value = JsonInt(0)
    value.text = text
    return value


def json_float(text: str) -> float:
    """A fraction or exponent token's value, with its text."""
    value = JsonFloat(text)
    value.text = text
    return value


def read(
    raw: bytes, dto: Dto, engine_version: str = DEFAULT_ENGINE_VERSION
) -> dict[str, Any] | None:
    """The body as Jackson maps it: its object, or None for a null DTO (empty or ``null``).
    Error locations are written as the Jackson of Camunda ``engine_version`` writes them.

    Raises :class:`JsonParseError`, :class:`MappingFailure`, :class:`StreamConstraintError` or
    :class:`EncodingError`. Properties of a returned object are not checked by ``dto`` yet;
    those of a body that had to be scanned are (in the order Jackson maps them, which decides
    which error comes first).
    """
    raw = _as_utf8(raw)
    try:
        value = _quick(raw)
    except _Unsure:
        return _Scanner(raw, dto, locations_of(engine_version)).body()
    if value is None or isinstance(value, dict):
        return value
    raise MappingFailure(f"the body must be a JSON object, not a JSON {type(value).__name__}")


def _as_utf8(raw: bytes) -> bytes:
    """The body in UTF-8, decoded from UTF-16 or UTF-32 where Jackson detects those.

    Java decodes a malformed sequence as U+FFFD. The engine parses such a body with its
    character-based parser, whose messages differ from the UTF-8 parser's in places (a string
    cut short, the column after an unrecognized word); the mock words them as for UTF-8.
    """
    if len(raw) < 2 or (raw[0] not in (0x00, 0xFE, 0xFF) and raw[1] != 0x00):
        return raw  # the usual start: only a zero or a UTF-16/32 mark could say otherwise
    encoding, skip = _detect(raw)
    if encoding == "utf-8":
        return raw
    return raw[skip:].decode(encoding, "replace").encode("utf-8", "surrogatepass")


def _detect(raw: bytes) -> tuple[str, int]:
    """Jackson's choice of encoding, and the length of the byte order mark it skips.

    A byte order mark decides; otherwise the zero bytes of the first characters do (JSON
    text starts with ASCII). A UTF-8 mark is left to the scanner: its bytes count in columns.
    """
    if len(raw) >= 4:
        quad = int.from_bytes(raw[:4], "big")
        if quad == 0x0000FEFF:
            return "utf-32-be", 4
        if quad == 0xFFFE0000:
            return "utf-32-le", 4
        if quad == 0x0000FFFE:
            raise EncodingError("Unsupported UCS-4 endianness (2143) detected")
        if quad == 0xFEFF0000:
            raise EncodingError("Unsupported UCS-4 endianness (3412) detected")
        if quad >> 16 == 0xFEFF:
            return "utf-16-be", 2
        if quad >> 16 == 0xFFFE:
            return "utf-16-le", 2
        if quad >> 8 == 0xEFBBBF:
            return "utf-8", 0
        if quad >> 8 == 0:
            return "utf-32-be", 0
        if quad & 0x00FFFFFF == 0:
            return "utf-32-le", 0
        if quad & 0xFF00FFFF == 0:
            raise EncodingError("Unsupported UCS-4 endianness (3412) detected")
        if quad & 0xFFFF00FF == 0:
            raise EncodingError("Unsupported UCS-4 endianness (2143) detected")
    if len(raw) >= 2 and raw[0] == 0:
        return "utf-16-be", 0
    if len(raw) >= 2 and raw[1] == 0:
        return "utf-16-le", 0
    return "utf-8", 0


# -- Python's parser, where it surely reads what Jackson reads ------------------------------


class _Unsure(Exception):
    """Python's parser cannot tell what Jackson would make of this body."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Jackson maps every occurrence of a repeated key, so an earlier one may fail.
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Unsure
    return found


def _short_unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    for name, _ in pairs:
        # A name of more than MAX_NAME_BYTES UTF-8 bytes has more than a quarter as many chars.
        if len(name) * 4 > MAX_NAME_BYTES and _utf8_length(name) > MAX_NAME_BYTES:
            raise _Unsure
    return _unique_pairs(pairs)


def _no_constant(name: str) -> Any:
    raise _Unsure  # NaN, Infinity: Python reads them, Jackson refuses them


def _short_int(text: str) -> int:
    if len(text) > MAX_NUMBER_LENGTH:  # Jackson counts the digits only: maybe still fine
        raise _Unsure
    return json_int(text)


def _short_float(text: str) -> float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise _Unsure
    return json_float(text)


_HOOKS: dict[str, Any] = {
    "parse_constant": _no_constant,
    "parse_int": _short_int,
    "parse_float": _short_float,
}
_DECODE = json.JSONDecoder(object_pairs_hook=_unique_pairs, **_HOOKS).decode
_DECODE_LONG_NAMES = json.JSONDecoder(object_pairs_hook=_short_unique_pairs, **_HOOKS).decode


def _quick(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")  # strict: Jackson's lenient decoding is the scanner's
        value = (_DECODE_LONG_NAMES if len(raw) > MAX_NAME_BYTES else _DECODE)(text)
    except (ValueError, RecursionError):  # also empty or blank: Jackson reads no value
        raise _Unsure from None
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        raise _Unsure
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    level: list[Any] = [value]
    for _ in range(limit):
        level = [
            item
            for container in level
            for item in (container.values() if isinstance(container, dict) else container)
            if isinstance(item, dict | list)
        ]
        if not level:
            return False
    return True


def _utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


# -- the parser's own steps ------------------------------------------------------------------

START_OBJECT = "START_OBJECT"
END_OBJECT = "END_OBJECT"
START_ARRAY = "START_ARRAY"
END_ARRAY = "END_ARRAY"
FIELD_NAME = "FIELD_NAME"
VALUE_STRING = "VALUE_STRING"
VALUE_NUMBER_INT = "VALUE_NUMBER_INT"
VALUE_NUMBER_FLOAT = "VALUE_NUMBER_FLOAT"
VALUE_TRUE = "VALUE_TRUE"
VALUE_FALSE = "VALUE_FALSE"
VALUE_NULL = "VALUE_NULL"
_SCALARS = {VALUE_TRUE: True, VALUE_FALSE: False, VALUE_NULL: None}

ROOT, ARRAY, OBJECT = "root", "Array", "Object"  # as Jackson names a context in its messages

SPACE, TAB, LF, CR = 0x20, 0x09, 0x0A, 0x0D
QUOTE, BACKSLASH, SLASH, COMMA, COLON = 0x22, 0x5C, 0x2F, 0x2C, 0x3A
LBRACKET, RBRACKET, LCURLY, RCURLY = 0x5B, 0x5D, 0x7B, 0x7D
ZERO, NINE, MINUS, PLUS, PERIOD = 0x30, 0x39, 0x2D, 0x2B, 0x2E
RECORD_SEPARATOR = 0x1E
_ESCAPES = {ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("f"): 12, ord("r"): 13}
_ESCAPES.update({QUOTE: QUOTE, SLASH: SLASH, BACKSLASH: BACKSLASH})
# String content that needs no attention: no quote, backslash, control or non-ASCII byte.
_PLAIN = re.compile(rb'[^"\\\x00-\x1f\x80-\xff]*')
_DIGITS = re.compile(rb"[0-9]*")
_BLANK = re.compile(rb"[ \t]*")


class _Context:
    """An open array or object, or the root: Jackson's ``JsonReadContext``."""

    __slots__ = ("column", "index", "kind", "line")

    def __init__(self, kind: str, line: int, column: int) -> None:
        self.kind = kind
        self.line = line
        self.column = column
        self.index = -1

    def expect_comma(self) -> bool:
        """Counts one more entry; True when a comma must come before it."""
        self.index += 1
        return self.kind != ROOT and self.index > 0


class _Scanner:
    """Jackson's ``UTF8StreamJsonParser`` and the steps of the mapping around it.

    Positions are byte offsets; a column counts bytes from the line start, 1-based. ``token``
    is the parser's current token: messages about a premature end name it.
    """

    def __init__(self, data: bytes, dto: Dto, locations: Locations = LOCATIONS) -> None:
        self.data = data
        self.end = len(data)
        self.dto = dto
        self.locations = locations
        # A UTF-8 byte order mark is skipped, but its bytes count in the columns.
        self.ptr = 3 if self.end >= 4 and data.startswith(b"\xef\xbb\xbf") else 0
        self.line = 1
        self.line_start = 0
        self.token: str | None = None
        self.pending = ""  # the value token read along with a field name
        self.incomplete = False  # a string token whose characters are not read yet
        self.token_line = 1
        self.token_column = 0
        self.contexts = [_Context(ROOT, 1, 0)]
        self.name = ""
        self.number = ""  # the text of the last number token

    # -- the mapping ---------------------------------------------------------------------

    def body(self) -> dict[str, Any] | None:
        """Read and map the whole body as the resource gets it (None: a null DTO)."""
        first = self.next_token()
        if first is None:
            return None  # no content: the JAX-RS provider hands the resource null
        body: dict[str, Any] | None = None
        if first == START_OBJECT:
            body = self._dto()
        elif first != VALUE_NULL:
            if first == VALUE_STRING:
                self.finish_string()  # read to be mapped (and refused)
            raise MappingFailure(f"the body must be a JSON object, not {first}")
        self.token = None  # the mapper clears it before it looks for trailing tokens
        trailing = self.next_token()
        if trailing is not None:
            raise MappingFailure(f"a second value ({trailing}) follows the body")
        return body

    def _dto(self) -> dict[str, Any]:
        """The DTO's fields; a property's own failures are mapping errors, in stream order."""
        body: dict[str, Any] = {}
        while self.next_token() == FIELD_NAME:
            name = self.name
            token = self.next_token()
            if not self.dto.reads(name):
                self.skip_children(token)  # ignored: anything wrong inside is the parser's
                continue
            try:
                value = self.value(token)
            except (JsonParseError, StreamConstraintError) as exc:
                raise MappingFailure(f"{name}: {exc}") from None
            self.dto.check(name, value)
            body[name] = value
        return body

    def value(self, token: str | None) -> Any:
        """The whole value that starts with ``token``, as a Python value.

        Built without recursion: Jackson takes 1000 levels, more than Python's stack.
        """
        containers: list[Any] = []  # the open arrays and objects, innermost last
        names: list[str] = []  # for each, the name the member being read goes under
        while True:
            if token in (START_OBJECT, START_ARRAY):
                containers.append({} if token == START_OBJECT else [])
                names.append("")
            else:
                if token in (END_OBJECT, END_ARRAY):
                    done = containers.pop()
                    names.pop()
                else:
                    done = self._scalar(token)
                if not containers:
                    return done
                if isinstance(containers[-1], dict):
                    containers[-1][names[-1]] = done
                else:
                    containers[-1].append(done)
            token = self.next_token()
            if token == FIELD_NAME:
                names[-1] = self.name
                token = self.next_token()

    def _scalar(self, token: str | None) -> Any:
        if token == VALUE_STRING:
            return self.finish_string()
        if token == VALUE_NUMBER_INT:
            return json_int(self.number)
        if token == VALUE_NUMBER_FLOAT:
            return json_float(self.number)
        return _SCALARS[token or VALUE_NULL]

    def skip_children(self, token: str | None) -> None:
        """Jackson's ``skipChildren``: pass over an array or object without mapping it."""
        if token not in (START_OBJECT, START_ARRAY):
            return
        open_ = 1
        while open_:
            found = self.next_token()
            if found in (START_OBJECT, START_ARRAY):
                open_ += 1
            elif found in (END_OBJECT, END_ARRAY):
                open_ -= 1

    # -- tokens --------------------------------------------------------------------------

    def next_token(self) -> str | None:
        """The next token (None at the end), as ``nextToken`` and ``nextFieldName`` read it."""
        if self.token == FIELD_NAME:
            return self._after_name()
        if self.incomplete:
            self.skip_string()
        i = self._skip_space_or_end()
        if i < 0:
            self.token = None
            return None
        if i == RBRACKET:
            self._close(ARRAY, i)
            return self._set(END_ARRAY)
        if i == RCURLY:
            self._close(OBJECT, i)
            return self._set(END_OBJECT)
        context = self.contexts[-1]
        if context.expect_comma():
            if i != COMMA:
                self._unexpected(i, f"was expecting comma to separate {context.kind} entries")
            i = self._skip_space()
        if context.kind != OBJECT:
            self._mark_token()
            return self._set(self._value_start(i, in_object=False))
        self.name = self._name(i)
        self.token = FIELD_NAME
        i = self._skip_colon()
        self._mark_token()
        self.pending = self._value_start(i, in_object=True)
        return FIELD_NAME

    def _set(self, token: str) -> str:
        self.token = token
        return token

    def _after_name(self) -> str:
        token = self.pending
        if token == START_ARRAY:
            self._open(ARRAY)
        elif token == START_OBJECT:
            self._open(OBJECT)
        return self._set(token)

    def _value_start(self, i: int, in_object: bool) -> str:
        """The token a value's first character ``i`` starts (numbers and words read whole)."""
        if i == QUOTE:
            self.incomplete = True
            return VALUE_STRING
        if i == LBRACKET:
            if not in_object:  # a value after a name opens its context when it is reached
                self._open(ARRAY)
            return START_ARRAY
        if i == LCURLY:
            if not in_object:
                self._open(OBJECT)
            return START_OBJECT
        if i == ord("t"):
            self._match("true", 1)
            return VALUE_TRUE
        if i == ord("f"):
            self._match("false", 1)
            return VALUE_FALSE
        if i == ord("n"):
            self._match("null", 1)
            return VALUE_NULL
        if i == MINUS:
            return self._signed_number()
        if ZERO <= i <= NINE:
            return self._unsigned_number(i)
        return self._unexpected_value(i)

    def _mark_token(self) -> None:
        self.token_line = self.line
        self.token_column = self.ptr - self.line_start

    def _open(self, kind: str) -> None:
        self.contexts.append(_Context(kind, self.token_line, self.token_column))
        depth = len(self.contexts) - 1
        if depth > MAX_DEPTH:
            raise StreamConstraintError(
                f"Document nesting depth ({depth}) exceeds the maximum allowed ({MAX_DEPTH}, "
                "from `StreamReadConstraints.getMaxNestingDepth()`)"
            )

    def _close(self, kind: str, closer: int) -> None:
        context = self.contexts[-1]
        if context.kind == kind:
            self.contexts.pop()
            return
        if context.kind == ROOT:
            self._fail_before(f"Unexpected close marker '{chr(closer)}': no open {kind} to close")
        expected = "}" if context.kind == OBJECT else "]"
        self._fail_before(
            f"Unexpected close marker '{chr(closer)}': expected '{expected}' (for "
            f"{context.kind} starting at {self.locations.at(context.line, context.column)})"
        )

    # -- white space ---------------------------------------------------------------------

    def _skip_space_or_end(self) -> int:
        """The next character that is no white space, or -1 at a legitimate end."""
        while self.ptr < self.end:
            i = self._next_space_or_char()
            if i >= 0:
                return i
        if self.contexts[-1].kind != ROOT:
            context = self.contexts[-1]
            self._eof(
                f": expected close marker for {context.kind} (start marker at "
                f"{self.locations.at(context.line, context.column)})"
            )
        return -1

    def _skip_space(self) -> int:
        """The next character that is no white space; the input must not end."""
        while self.ptr < self.end:
            i = self._next_space_or_char()
            if i >= 0:
                return i
        self._fail(f"Unexpected end-of-input within/between {self.contexts[-1].kind} entries")

    def _next_space_or_char(self) -> int:
        """Consume one character: -1 if it was white space, else the character."""
        self.ptr = _run_end(_BLANK, self.data, self.ptr)
        if self.ptr >= self.end:
            return -1
        i = self.data[self.ptr]
        self.ptr += 1
        if i > SPACE:
            if i == SLASH:
                self._comment()
            return i  # '#' too: YAML comments are not enabled either
        if i == LF:
            self._new_line()
        elif i == CR:
            self._carriage_return()
        else:
            self._invalid_space(i)
        return -1

    def _skip_colon(self) -> int:
        """Past the colon after a field name: the value's first character."""
        colon = False
        while self.ptr < self.end:
            i = self._next_space_or_char()
            if i < 0:
                continue
            if colon:
                return i
            if i != COLON:
                self._unexpected(i, "was expecting a colon to separate field name and value")
            colon = True
        self._eof(f" within/between {self.contexts[-1].kind} entries")

    def _new_line(self) -> None:
        self.line += 1
        self.line_start = self.ptr

    def _carriage_return(self) -> None:
        if self.ptr < self.end and self.data[self.ptr] == LF:
            self.ptr += 1
        self._new_line()

    def _comment(self) -> NoReturn:
        self._unexpected(
            SLASH,
            "maybe a (non-standard) comment? (not recognized as one since Feature "
            "'ALLOW_COMMENTS' not enabled for parser)",
        )

    # -- field names ---------------------------------------------------------------------

    def _name(self, i: int) -> str:
        if i != QUOTE:
            c = self._char_for_error(i) & 0xFFFF
            self._unexpected(c, "was expecting double-quote to start field name")
        if self.ptr >= self.end:
            self._eof(": was expecting closing '\"' for name")
        raw = bytearray()
        while True:
            c = self.data[self.ptr]
            self.ptr += 1
            if c == QUOTE:
                break
            if c == BACKSLASH:
                raw += _name_bytes(self._escape())
            elif c < SPACE:
                self._unquoted_space(c, "name")
            else:
                raw.append(c)
            if self.ptr >= self.end:
                self._eof(" in field name")
        return self._decode_name(bytes(raw))

    def _decode_name(self, raw: bytes) -> str:
        """The name's characters: Jackson decodes a name's UTF-8 only after its last quote."""
        if len(raw) > MAX_NAME_BYTES:
            raise StreamConstraintError(
                f"Name length ({len(raw)}) exceeds the maximum allowed ({MAX_NAME_BYTES}, from "
                "`StreamReadConstraints.getMaxNameLength()`)"
            )
        if raw.isascii():
            return raw.decode("ascii")
        units: list[int] = []
        ix = 0
        while ix < len(raw):
            ch = raw[ix]
            ix += 1
            if ch > 0x7F:
                needed = _continuations(ch)
                if needed < 0:
                    self._fail(f"Invalid UTF-8 start byte 0x{ch:x}")
                ch &= (0x1F, 0x0F, 0x07)[needed - 1]
                if ix + needed > len(raw):
                    self._eof(" in field name")
                for step in range(needed):
                    # Jackson reads the byte out of a 4-byte group without masking it, so the
                    # message shows the group's earlier bytes too (sign-extended).
                    got = _group_prefix(raw, ix) if step < 2 else raw[ix]
                    ix += 1
                    if got & 0xC0 != 0x80:
                        self._fail(f"Invalid UTF-8 middle byte 0x{got & 0xFFFFFFFF:x}")
                    ch = (ch << 6) | (got & 0x3F)
                if needed == 3:
                    ch -= 0x10000
                    units.append((0xD800 + (ch >> 10)) & 0xFFFF)
                    ch = 0xDC00 | (ch & 0x3FF)
            units.append(ch & 0xFFFF)
        return _text(units)

    # -- strings -------------------------------------------------------------------------

    def finish_string(self) -> str:
        """The characters of the current string token."""
        self.incomplete = False
        return _text(self._string(keep=True))

    def skip_string(self) -> None:
        """Pass over the characters of the current string token, checking them."""
        self.incomplete = False
        self._string(keep=False)

    def _string(self, keep: bool) -> list[int]:
        units: list[int] = []
        data = self.data
        while True:
            plain = _run_end(_PLAIN, data, self.ptr)
            if keep:
                units.extend(data[self.ptr : plain])
            self.ptr = plain
            self._more()
            c = data[self.ptr]
            self.ptr += 1
            if c == QUOTE:
                return units
            if c == BACKSLASH:
                unit = self._escape()
                units.append(unit)
                continue
            if c < SPACE:
                self._unquoted_space(c, "string value")
            needed = _continuations(c)
            if needed < 0:
                self._fail(f"Invalid UTF-8 start byte 0x{c:x}")
            code = c & (0x1F, 0x0F, 0x07)[needed - 1]
            for _ in range(needed):
                self._more()
                d = data[self.ptr]
                self.ptr += 1
                if d & 0xC0 != 0x80:
                    self._fail(f"Invalid UTF-8 middle byte 0x{d:x}")
                code = (code << 6) | (d & 0x3F)
            if needed == 3:
                code -= 0x10000
                units.append((0xD800 | (code >> 10)) & 0xFFFF)
                code = 0xDC00 | (code & 0x3FF)
            units.append(code & 0xFFFF)

    def _escape(self) -> int:
        """The character a backslash escape stands for (the backslash is read)."""
        if self.ptr >= self.end:
            self._eof(" in character escape sequence")
        c = self.data[self.ptr]
        self.ptr += 1
        if c in _ESCAPES:
            return _ESCAPES[c]
        if c != ord("u"):
            found = self._char_for_error(c) & 0xFFFF
            self._fail_before(f"Unrecognized character escape {_describe(found)}")
        value = 0
        for _ in range(4):
            if self.ptr >= self.end:
                self._eof(" in character escape sequence")
            ch = self.data[self.ptr]
            self.ptr += 1
            digit = _hex_digit(ch)
            if digit < 0:
                self._unexpected(ch, "expected a hex-digit for character escape sequence")
            value = (value << 4) | digit
        return value

    # -- numbers -------------------------------------------------------------------------

    def _unsigned_number(self, c: int) -> str:
        start = self.ptr - 1
        if c == ZERO:
            self._no_leading_zeroes()
        return self._number(start, negative=False)

    def _signed_number(self) -> str:
        start = self.ptr - 1
        self._more()
        c = self.data[self.ptr]
        self.ptr += 1
        if c <= ZERO:
            if c != ZERO:
                if c == PERIOD:  # a leading decimal point is not enabled
                    return self._unexpected_value(PERIOD)
                return self._invalid_number_start(c, negative=True, signed=True)
            self._no_leading_zeroes()
        elif c > NINE:
            return self._invalid_number_start(c, negative=True, signed=True)
        return self._number(start, negative=True)

    def _number(self, start: int, negative: bool) -> str:
        """The rest of a number whose first digit is read; ``start`` is where it begins."""
        self.ptr = _run_end(_DIGITS, self.data, self.ptr)
        int_length = self.ptr - start - negative
        if self.ptr < self.end and self.data[self.ptr] in b".eE":
            return self._float(start, int_length)
        self.number = self.data[start : self.ptr].decode("ascii")
        if self.ptr < self.end and self.contexts[-1].kind == ROOT:
            self._root_space(self.data[self.ptr])
        self._limit_length(int_length)
        return VALUE_NUMBER_INT

    def _float(self, start: int, int_length: int) -> str:
        data = self.data
        c = data[self.ptr]
        self.ptr += 1
        fraction = exponent = 0
        at_end = False
        if c == PERIOD:
            digits = _run_end(_DIGITS, data, self.ptr)
            fraction = digits - self.ptr
            self.ptr = digits
            if self.ptr >= self.end:
                at_end = True
            else:
                c = data[self.ptr]
                self.ptr += 1
            if fraction == 0:
                self._unexpected_number_char(c, "Decimal point not followed by a digit")
        if not at_end and c | 0x20 == ord("e"):
            self._more()
            c = data[self.ptr]
            self.ptr += 1
            if c in (MINUS, PLUS):
                self._more()
                c = data[self.ptr]
                self.ptr += 1
            while ZERO <= c <= NINE:
                exponent += 1
                if self.ptr >= self.end:
                    at_end = True
                    break
                c = data[self.ptr]
                self.ptr += 1
            if exponent == 0:
                self._unexpected_number_char(c, "Exponent indicator not followed by a digit")
        if not at_end:
            self.ptr -= 1  # the character after the number is read again
        self.number = data[start : self.ptr].decode("ascii")
        if not at_end and self.contexts[-1].kind == ROOT:
            self._root_space(c)
        self._limit_length(int_length + fraction + exponent)
        return VALUE_NUMBER_FLOAT

    def _no_leading_zeroes(self) -> None:
        if self.ptr < self.end and ZERO <= self.data[self.ptr] <= NINE:
            self._fail("Invalid numeric value: Leading zeroes not allowed")

    def _root_space(self, ch: int) -> None:
        """A root value must be followed by white space (the character at ``ptr``)."""
        self.ptr += 1
        if ch in (SPACE, TAB):
            return
        if ch == CR:
            self.ptr -= 1
            return
        if ch == LF:
            self._new_line()
            return
        self._unexpected(ch, "Expected space separating root-level values")

    def _limit_length(self, length: int) -> None:
        if length > MAX_NUMBER_LENGTH:
            raise StreamConstraintError(
                f"Number value length ({length}) exceeds the maximum allowed "
                f"({MAX_NUMBER_LENGTH}, from `StreamReadConstraints.getMaxNumberLength()`)"
            )

    def _invalid_number_start(self, ch: int, negative: bool, signed: bool) -> NoReturn:
        while ch == ord("I"):
            if self.ptr >= self.end:
                self._eof(" in a Number value")
            ch = _signed_byte(self.data[self.ptr])
            self.ptr += 1
            if ch == ord("N"):
                word = "-INF" if negative else "+INF"
            elif ch == ord("n"):
                word = "-Infinity" if negative else "+Infinity"
            else:
                break
            self._match(word, 3)
            self._non_numeric(word)
        if signed and not negative:
            self._unexpected_number_char(
                PLUS,
                "JSON spec does not allow numbers to have plus signs: enable "
                "`JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow",
            )
        self._unexpected_number_char(
            ch,
            "expected digit (0-9) to follow minus sign, for valid numeric value"
            if negative
            else "expected digit (0-9) for valid numeric value",
        )

    def _non_numeric(self, word: str) -> NoReturn:
        self._fail(
            f"Non-standard token '{word}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` "
            "to allow"
        )

    # -- words and other values ----------------------------------------------------------

    def _unexpected_value(self, c: int) -> NoReturn:
        """A value starts with a character no JSON value starts with."""
        if c in (COMMA, RCURLY) or (c == RBRACKET and self.contexts[-1].kind == ARRAY):
            self._unexpected(c, "expected a value")
        if c == ord("N"):
            self._match("NaN", 1)
            self._non_numeric("NaN")
        if c == ord("I"):
            self._match("Infinity", 1)
            self._non_numeric("Infinity")
        if c == PLUS:
            if self.ptr >= self.end:
                self._eof(" in a Number value")
            self.ptr += 1
            self._invalid_number_start(self.data[self.ptr - 1], negative=False, signed=True)
        if _java_identifier_start(c):
            self._invalid_token(chr(c))
        self._unexpected(c, f"expected a valid value {VALID_VALUES}")

    def _match(self, word: str, matched: int) -> None:
        """The rest of ``word`` (``matched`` characters are read), then no word character."""
        for expected in word[matched:]:
            if self.ptr >= self.end or self.data[self.ptr] != ord(expected):
                self._invalid_token(word[:matched])
            self.ptr += 1
            matched += 1
        if self.ptr >= self.end:
            return
        ch = self.data[self.ptr]
        # Jackson decodes the character where it stands, without stepping onto it first.
        if (
            ch >= ZERO
            and ch not in (RBRACKET, RCURLY)
            and _java_identifier_part(self._char_for_error(ch) & 0xFFFF)
        ):
            self._invalid_token(word)

    def _invalid_token(self, matched: str) -> NoReturn:
        """ "Unrecognized token": the word as far as it looks like a Java identifier."""
        token = matched
        while self.ptr < self.end:
            i = self.data[self.ptr]
            self.ptr += 1
            c = self._char_for_error(i) & 0xFFFF
            if not _java_identifier_part(c):
                break
            token += chr(c)
            if len(token) >= MAX_ERROR_TOKEN:
                token += "..."
                break
        self._fail(f"Unrecognized token '{token}': was expecting {VALID_VALUES}")

    def _char_for_error(self, first: int) -> int:
        """The character a byte starts, decoding a UTF-8 sequence for the message."""
        if first <= 0x7F:
            return first
        needed = _continuations(first)
        if needed < 0:
            self._fail(f"Invalid UTF-8 start byte 0x{first:x}")
        c = first & (0x1F, 0x0F, 0x07)[needed - 1]
        for _ in range(needed):
            self._more()
            d = self.data[self.ptr]
            self.ptr += 1
            if d & 0xC0 != 0x80:
                self._fail(f"Invalid UTF-8 middle byte 0x{d:x}")
            c = (c << 6) | (d & 0x3F)
        return c

    # -- errors --------------------------------------------------------------------------

    def _more(self) -> None:
        """Input must go on here; its end is reported with the current token's name."""
        if self.ptr >= self.end:
            self._eof(f" in {self.token or 'null'}")  # Java prints a missing token as null

    def _fail(self, message: str) -> NoReturn:
        """An error located after the characters read so far."""
        column = self.ptr - self.line_start + 1
        raise JsonParseError(message, self.locations.at(self.line, column))

    def _fail_before(self, message: str) -> NoReturn:
        """An error located at the character just read (after it, in Jackson before 2.16)."""
        if self.locations.column_after_unexpected:
            self._fail(message)
        column = self.ptr - self.line_start
        raise JsonParseError(message, self.locations.at(self.line, column))

    def _eof(self, detail: str) -> NoReturn:
        self._fail(f"Unexpected end-of-input{detail}")

    def _unexpected(self, ch: int, comment: str) -> NoReturn:
        self._fail_before(f"Unexpected character ({_describe(ch)}): {comment}")

    def _unexpected_number_char(self, ch: int, comment: str) -> NoReturn:
        self._fail_before(f"Unexpected character ({_describe(ch)}) in numeric value: {comment}")

    def _invalid_space(self, i: int) -> NoReturn:
        message = (
            f"Illegal character ({_describe(i)}): only regular white space (\\r, \\n, \\t) is "
            "allowed between tokens"
        )
        if i == RECORD_SEPARATOR:
            message += (
                " (consider enabling `JsonReadFeature.ALLOW_RS_CONTROL_CHAR` to allow use of "
                "Record Separators (\\u001E))"
            )
        self._fail(message)

    def _unquoted_space(self, i: int, where: str) -> NoReturn:
        self._fail_before(
            f"Illegal unquoted character ({_describe(i)}): has to be escaped using backslash "
            f"to be included in {where}"
        )


# -- characters as Java sees them -------------------------------------------------------------


def _run_end(pattern: re.Pattern[bytes], data: bytes, pos: int) -> int:
    """Where the run of ``pattern`` (which may be empty) that starts at ``pos`` ends."""
    found = pattern.match(data, pos)
    return pos if found is None else found.end()


def _continuations(lead: int) -> int:
    """How many bytes follow a UTF-8 lead byte (-1: it leads no sequence)."""
    if lead & 0xE0 == 0xC0:
        return 1
    if lead & 0xF0 == 0xE0:
        return 2
    if lead & 0xF8 == 0xF0:
        return 3
    return -1


def _group_prefix(raw: bytes, ix: int) -> int:
    """The bytes of ``ix``'s 4-byte group up to ``ix``, as a signed int (Jackson's quads)."""
    group = ix - ix % 4
    return int.from_bytes(raw[group : ix + 1], "big", signed=True)


def _name_bytes(unit: int) -> bytes:
    """How Jackson stores an escaped character of a name: as UTF-8, surrogates included."""
    if unit <= 0x7F:
        return bytes([unit])
    if unit < 0x800:
        return bytes([0xC0 | unit >> 6, 0x80 | unit & 0x3F])
    return bytes([0xE0 | unit >> 12, 0x80 | (unit >> 6) & 0x3F, 0x80 | unit & 0x3F])


def _text(units: list[int]) -> str:
    """Java's UTF-16 code units as a Python string (pairs joined, lone surrogates kept)."""
    text = "".join(map(chr, units))
    if text.isascii():
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _hex_digit(ch: int) -> int:
    if ZERO <= ch <= NINE:
        return ch - ZERO
    if ord("a") <= ch | 0x20 <= ord("f"):
        return (ch | 0x20) - ord("a") + 10
    return -1


def _signed_byte(b: int) -> int:
    return b - 256 if b > 0x7F else b


def _describe(ch: int) -> str:
    """Jackson's ``_getCharDesc``: how a message shows a character."""
    c = chr(ch & 0xFFFF)
    if _iso_control(ch & 0xFFFF):
        return f"(CTRL-CHAR, code {ch})"
    if ch > 255:
        return f"'{c}' (code {ch} / 0x{ch:x})"
    return f"'{c}' (code {ch})"


def _iso_control(c: int) -> bool:
    return c <= 0x1F or 0x7F <= c <= 0x9F


_IDENTIFIER_START = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Sc", "Pc"})
_IDENTIFIER_PART = _IDENTIFIER_START | {"Nd", "Mn", "Mc", "Cf"}


def _java_identifier_start(c: int) -> bool:
    """``Character.isJavaIdentifierStart`` of a UTF-16 code unit."""
    return unicodedata.category(chr(c)) in _IDENTIFIER_START


def _java_identifier_part(c: int) -> bool:
    """``Character.isJavaIdentifierPart``: identifier characters, and the ignorable controls."""
    if c <= 0x08 or 0x0E <= c <= 0x1B or 0x7F <= c <= 0x9F:
        return True
    return unicodedata.category(chr(c)) in _IDENTIFIER_PART
