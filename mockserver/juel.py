"""JUEL's syntax as the engine reads it: text with ``${...}``/``#{...}`` parts, as a tree.

The scanner and the recursive-descent parser fail where the engine's JUEL fails, with its
wording: ``syntax error at position 5, encountered '}', expected <IDENTIFIER>|...`` or
``lexical error at position 4, encountered invalid character '=', expected expression token``.
``JuelSyntaxError`` carries that text; the engine wraps it in ``Error parsing '<text>': ...``.
Evaluation is ``expressions``' business; this module only builds the tree.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Token kinds, named as JUEL prints them in "expected ..." (a kind without quotes is <KIND>).
PLUS, MINUS, MUL, DIV, MOD = "'+'", "'-'", "'*'", "'/'|'div'", "'%'|'mod'"
LPAREN, RPAREN, LBRACK, RBRACK = "'('", "')'", "'['", "']'"
NOT, AND, OR, EMPTY, INSTANCEOF = "'!'|'not'", "'&&'|'and'", "'||'|'or'", "'empty'", "'instanceof'"
LE, LT, GE, GT, EQ, NE = "'<='|'le'", "'<'|'lt'", "'>='|'ge'", "'>'|'gt'", "'=='|'eq'", "'!='|'ne'"
QUESTION, COLON, DOT, COMMA = "'?'", "':'", "'.'", "','"
TRUE, FALSE, NULL = "'true'", "'false'", "'null'"
START_DEFERRED, START_DYNAMIC, END_EVAL = "'#{'", "'${'", "'}'"
IDENTIFIER, INTEGER, FLOAT, STRING, TEXT, EOF = (
    "<IDENTIFIER>",
    "<INTEGER>",
    "<FLOAT>",
    "<STRING>",
    "<TEXT>",
    "<EOF>",
)
# What may start an expression: the "expected" list of a missing operand.
EXPR_FIRST = "|".join(
    (IDENTIFIER, STRING, FLOAT, INTEGER, TRUE, FALSE, NULL, MINUS, NOT, EMPTY, LPAREN)
)

_KEYWORDS = {
    "null": NULL,
    "true": TRUE,
    "false": FALSE,
    "empty": EMPTY,
    "div": DIV,
    "mod": MOD,
    "not": NOT,
    "and": AND,
    "or": OR,
    "le": LE,
    "lt": LT,
    "eq": EQ,
    "ne": NE,
    "ge": GE,
    "gt": GT,
    "instanceof": INSTANCEOF,
}
_SINGLE = {
    "*": MUL,
    "/": DIV,
    "%": MOD,
    "+": PLUS,
    "-": MINUS,
    "?": QUESTION,
    ":": COLON,
    "[": LBRACK,
    "]": RBRACK,
    "(": LPAREN,
    ")": RPAREN,
    ",": COMMA,
}
_PAIRS = {"==": EQ, "&&": AND, "||": OR, "!=": NE, "<=": LE, ">=": GE}
_ALONE = {"!": NOT, "<": LT, ">": GT}
# Java's Character.isWhitespace, except the Unicode spaces it leaves out (no-break spaces).
_JAVA_SPACE_CONTROLS = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")
_NO_BREAK_SPACES = frozenset("\u00a0\u2007\u202f")
_IDENTIFIER_START_CATEGORIES = frozenset({"Sc", "Pc", "Nl"})
_IDENTIFIER_PART_CATEGORIES = frozenset({"Sc", "Pc", "Nl", "Nd", "Mn", "Mc", "Cf"})


class JuelSyntaxError(ValueError):
    """The text is no JUEL expression; the message is JUEL's (``syntax error at ...``)."""


def is_java_space(char: str) -> bool:
    """Java's ``Character.isWhitespace``."""
    if char in _JAVA_SPACE_CONTROLS:
        return True
    return unicodedata.category(char) in ("Zs", "Zl", "Zp") and char not in _NO_BREAK_SPACES


def _starts_identifier(char: str) -> bool:
    return char.isalpha() or unicodedata.category(char) in _IDENTIFIER_START_CATEGORIES


def _continues_identifier(char: str) -> bool:
    if char.isalpha() or unicodedata.category(char) in _IDENTIFIER_PART_CATEGORIES:
        return True
    code = ord(char)  # the controls Java counts as ignorable identifier parts
    return code <= 0x08 or 0x0E <= code <= 0x1B or 0x7F <= code <= 0x9F


@dataclass(frozen=True)
class Token:
    """A scanned token: its kind, its image (None for the end) and its length in the text."""

    kind: str
    image: str | None
    size: int


# -- the tree -------------------------------------------------------------------------------
# ``str()`` of a node is what JUEL prints for it in "base expression '...' resolved to null".


@dataclass(frozen=True)
class Node:
    """A node of the tree."""


@dataclass(frozen=True)
class Text(Node):
    value: str

    def __str__(self) -> str:
        return f'"{self.value}"'


@dataclass(frozen=True)
class Composite(Node):
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Eval(Node):
    child: Node
    deferred: bool

    def __str__(self) -> str:
        return ("#" if self.deferred else "$") + "{...}"


@dataclass(frozen=True)
class Literal(Node):
    kind: str  # TRUE, FALSE, NULL, STRING, INTEGER or FLOAT
    value: bool | str | int | float | None

    def __str__(self) -> str:
        if self.kind == STRING:
            return f'"{self.value}"'
        if self.kind in (TRUE, FALSE, NULL):
            return self.kind.strip("'")
        return str(self.value)


@dataclass(frozen=True)
class Identifier(Node):
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Function(Node):
    name: str
    params: tuple[Node, ...]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Dot(Node):
    prefix: Node
    name: str

    def __str__(self) -> str:
        return f". {self.name}"


@dataclass(frozen=True)
class Bracket(Node):
    prefix: Node
    property: Node

    def __str__(self) -> str:
        return "[...]"


@dataclass(frozen=True)
class Method(Node):
    target: Dot | Bracket  # the base and the method's name
    params: tuple[Node, ...]

    def __str__(self) -> str:
        return "<method>"


@dataclass(frozen=True)
class Nested(Node):
    child: Node

    def __str__(self) -> str:
        return "(...)"


@dataclass(frozen=True)
class Unary(Node):
    operator: str  # NOT, MINUS or EMPTY
    child: Node

    def __str__(self) -> str:
        return "'" + {NOT: "!", MINUS: "-", EMPTY: "empty"}[self.operator] + "'"


@dataclass(frozen=True)
class Binary(Node):
    operator: str  # a token kind: PLUS, AND, LE, ...
    left: Node
    right: Node

    def __str__(self) -> str:
        return "'" + self.operator.split("|")[0].strip("'") + "'"


@dataclass(frozen=True)
class Choice(Node):
    question: Node
    yes: Node
    no: Node

    def __str__(self) -> str:
        return "?"


# -- scanning -------------------------------------------------------------------------------


class _Scanner:
    """JUEL's scanner: text outside ``${``/``#{``, expression tokens inside."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.token: Token | None = None

    def _in_eval(self) -> bool:
        return self.token is not None and self.token.kind not in (TEXT, END_EVAL)

    def next(self) -> tuple[Token, int]:
        """The next token and where it starts."""
        if self.token is not None:
            self.position += self.token.size
        text = self.text
        if self._in_eval():
            while self.position < len(text) and is_java_space(text[self.position]):
                self.position += 1
        if self.position == len(text):
            self.token = Token(EOF, None, 0)
        else:
            self.token = self._token()
        return self.token, self.position

    def _error(self, encountered: str, expected: str) -> JuelSyntaxError:
        return JuelSyntaxError(
            f"lexical error at position {self.position}, encountered {encountered}, "
            f"expected {expected}"
        )

    def _token(self) -> Token:
        text, at = self.text, self.position
        if self._in_eval():
            return Token(END_EVAL, "}", 1) if text[at] == "}" else self._eval_token()
        if text[at] in "$#" and text[at + 1 : at + 2] == "{":
            return Token(START_DYNAMIC if text[at] == "$" else START_DEFERRED, text[at : at + 2], 2)
        return self._text_token()

    def _text_token(self) -> Token:
        """Literal text up to the next unescaped ``${``/``#{``; ``\\`` escapes only those."""
        text, start = self.text, self.position
        out: list[str] = []
        escaped = False
        at = start
        while at < len(text):
            char = text[at]
            if char == "\\":
                if escaped:
                    out.append("\\")
                escaped = not escaped
            elif char in "$#" and text[at + 1 : at + 2] == "{":
                if not escaped:
                    return Token(TEXT, "".join(out), at - start)
                out.append(char)
                escaped = False
            else:
                if escaped:
                    out.append("\\")
                out.append(char)
                escaped = False
            at += 1
        if escaped:
            out.append("\\")
        return Token(TEXT, "".join(out), at - start)

    def _eval_token(self) -> Token:
        text, at = self.text, self.position
        first, second = text[at], text[at + 1 : at + 2]
        if first in _SINGLE:
            return Token(_SINGLE[first], first, 1)
        if first + second in _PAIRS:
            return Token(_PAIRS[first + second], first + second, 2)
        if first in _ALONE:
            return Token(_ALONE[first], first, 1)
        if first == "." and not "0" <= second <= "9":
            return Token(DOT, ".", 1)
        if first in "'\"":
            return self._string()
        if "0" <= first <= "9" or first == ".":
            return self._number()
        if _starts_identifier(first):
            end = at + 1
            while end < len(text) and _continues_identifier(text[end]):
                end += 1
            name = text[at:end]
            return Token(_KEYWORDS.get(name, IDENTIFIER), name, end - at)
        raise self._error(f"invalid character '{first}'", "expression token")

    def _string(self) -> Token:
        text, start = self.text, self.position
        quote = text[start]
        out: list[str] = []
        at = start + 1
        while at < len(text):
            char = text[at]
            at += 1
            if char == "\\":
                if at == len(text):
                    raise self._error("unterminated string", f"{quote} or \\")
                char = text[at]
                at += 1
                if char not in ("\\", quote):
                    raise self._error(f"invalid escape sequence \\{char}", f"\\{quote} or \\\\")
                out.append(char)
            elif char == quote:
                return Token(STRING, "".join(out), at - start)
            else:
                out.append(char)
        raise self._error("unterminated string", quote)

    def _number(self) -> Token:
        text, start = self.text, self.position

        def digits(at: int) -> int:
            while at < len(text) and "0" <= text[at] <= "9":
                at += 1
            return at

        at = digits(start)
        kind = INTEGER
        if at < len(text) and text[at] == ".":
            at = digits(at + 1)
            kind = FLOAT
        if at < len(text) and text[at] in "eE":
            exponent = at + 1
            if exponent < len(text) and text[exponent] in "+-":
                exponent += 1
            if exponent < len(text) and "0" <= text[exponent] <= "9":
                at = digits(exponent)
                kind = FLOAT
        return Token(kind, text[start:at], at - start)


# -- parsing --------------------------------------------------------------------------------

_COMPARISONS = (LT, LE, GE, GT)
_LONG_MAX = 2**63 - 1


class _Parser:
    """JUEL's grammar, failing at the same places with the same "expected" lists."""

    def __init__(self, text: str) -> None:
        self.scanner = _Scanner(text)
        self.lookahead: list[tuple[Token, int]] = []
        self.token = Token(EOF, None, 0)
        self.position = 0

    def fail(self, expected: str) -> JuelSyntaxError:
        image = "null" if self.token.image is None else self.token.image  # Java's null text
        return JuelSyntaxError(
            f"syntax error at position {self.position}, encountered '{image}', expected {expected}"
        )

    def peek(self, index: int) -> Token:
        while index >= len(self.lookahead):
            self.lookahead.append(self.scanner.next())
        return self.lookahead[index][0]

    def consume(self, expected: str | None = None) -> Token:
        if expected is not None and self.token.kind != expected:
            raise self.fail(expected)
        current = self.token
        self.token, self.position = self.lookahead.pop(0) if self.lookahead else self.scanner.next()
        return current

    def tree(self) -> Node:
        self.consume()
        text = self.text()
        if self.token.kind == EOF:
            return text or Text("")
        first = self.eval_first()
        if self.token.kind == EOF and text is None:
            return first
        parts: list[Node] = [text] if text is not None else []
        parts.append(first)
        start = START_DEFERRED if first.deferred else START_DYNAMIC
        while True:
            text = self.text()
            if text is not None:
                parts.append(text)
            if self.token.kind == EOF:
                return Composite(tuple(parts))
            if self.token.kind != start:
                raise self.fail(start)
            parts.append(self.eval(start == START_DEFERRED))

    def text(self) -> Text | None:
        if self.token.kind != TEXT:
            return None
        return Text(self.consume().image or "")

    def eval_first(self) -> Eval:
        if self.token.kind in (START_DYNAMIC, START_DEFERRED):
            return self.eval(self.token.kind == START_DEFERRED)
        raise self.fail(f"{START_DEFERRED}|{START_DYNAMIC}")

    def eval(self, deferred: bool) -> Eval:
        self.consume()
        node = Eval(self.expr(), deferred)
        self.consume(END_EVAL)
        return node

    def expr(self) -> Node:
        node = self.optional_expr()
        if node is None:
            raise self.fail(EXPR_FIRST)
        return node

    def optional_expr(self) -> Node | None:
        node = self.binary(0)
        if node is not None and self.token.kind == QUESTION:
            self.consume()
            yes = self.expr()
            self.consume(COLON)
            node = Choice(node, yes, self.expr())
        return node

    # Binary levels, loosest first; each level's operands are the next level's.
    LEVELS: tuple[tuple[str, ...], ...] = (
        (OR,),
        (AND,),
        (EQ, NE),
        _COMPARISONS,
        (PLUS, MINUS),
        (MUL, DIV, MOD),
    )

    def binary(self, level: int) -> Node | None:
        if level == len(self.LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        if node is None:
            return None
        while self.token.kind in self.LEVELS[level]:
            operator = self.consume().kind
            right = self.binary(level + 1)
            if right is None:
                raise self.fail(EXPR_FIRST)
            node = Binary(operator, node, right)
        return node

    def unary(self) -> Node | None:
        if self.token.kind in (NOT, MINUS, EMPTY):
            operator = self.consume().kind
            child = self.unary()
            if child is None:
                raise self.fail(EXPR_FIRST)
            return Unary(operator, child)
        return self.value()

    def value(self) -> Node | None:
        node = self.nonliteral() or self.literal()
        if node is None:
            return None
        while self.token.kind in (DOT, LBRACK):
            target: Dot | Bracket
            if self.consume().kind == DOT:
                target = Dot(node, self.consume(IDENTIFIER).image or "")
            else:
                target = Bracket(node, self.expr())
                self.consume(RBRACK)
            node = Method(target, self.params()) if self.token.kind == LPAREN else target
        return node

    def nonliteral(self) -> Node | None:
        if self.token.kind == IDENTIFIER:
            name = self.consume().image or ""
            if (
                self.token.kind == COLON
                and self.peek(0).kind == IDENTIFIER
                and self.peek(1).kind == LPAREN
            ):
                self.consume()
                name += ":" + (self.consume().image or "")
            if self.token.kind == LPAREN:
                return Function(name, self.params())
            return Identifier(name)
        if self.token.kind == LPAREN:
            self.consume()
            node = self.expr()
            self.consume(RPAREN)
            return Nested(node)
        return None

    def params(self) -> tuple[Node, ...]:
        self.consume(LPAREN)
        params: list[Node] = []
        first = self.optional_expr()
        if first is not None:
            params.append(first)
            while self.token.kind == COMMA:
                self.consume()
                params.append(self.expr())
        self.consume(RPAREN)
        return tuple(params)

    def literal(self) -> Node | None:
        kind, image = self.token.kind, self.token.image or ""
        value: bool | str | int | float | None
        if kind in (TRUE, FALSE):
            value = kind == TRUE
        elif kind == STRING:
            value = image
        elif kind == INTEGER:
            value = int(image)
            if value > _LONG_MAX:  # Long.valueOf fails on it
                raise self.fail(INTEGER)
        elif kind == FLOAT:
            value = float(image)
        elif kind == NULL:
            value = None
        else:
            return None
        self.consume()
        return Literal(kind, value)


def parse(text: str) -> Node:
    """The tree of an expression text, or ``JuelSyntaxError`` with JUEL's message."""
    return _Parser(text).tree()
