#!/usr/bin/env python3
"""List `public`/`open` declarations of each library module that nothing outside the module uses.

A library module is every `.target(name: "X")` of Package.swift whose sources are in Sources/X
(system libraries, executables and targets under Tests/ are not). For each one the script finds
its `public`/`open` declarations (types, protocols, typealiases, funcs, inits, subscripts,
vars/lets, static members, extensions' members; the cases of a public enum are public with it
and are not listed) and searches the Swift sources of every OTHER target for the declared name as
a whole word: the other Sources/ modules and executables, Tests/** (a module's own tests count:
they are users too) and Benchmarks/** (a package of its own that links the library products).
Comments are left out of that search.

A declaration nobody else names is still counted as used, because the compiler needs it public,
when one of these rules holds (rules, not a list of names, so that new code is judged alike):
  1. init, subscript and operator functions (`==`, `<`, ...) are used when their type is:
     other modules call them through the type's name, or through literals and operators.
  2. Protocol witnesses: a member of a type (or of one of its extensions in the module) that
     conforms to a protocol, whose name is a requirement of that protocol. Requirements are read
     from every protocol declared in Sources/ (any module), and for the standard library,
     Foundation, swift-log and SwiftNIO from the table STANDARD_REQUIREMENTS below.
  3. `override` declarations (an override is as visible as what it overrides).
  4. Signatures: a name that appears in the declaration of something used (its parameter and
     result types, default arguments, generic constraints, inheritance clause, a property's type
     and initial value, the cases of a public enum, the body of a public protocol, the whole body
     of an @inlinable function) is used too, since a public declaration cannot mention an
     internal one. Applied until nothing changes.
Members of protocols have no access modifier of their own and are not listed.

Prints each declaration nobody uses as `Module/File.swift:LINE name` and exits 1 if there is any;
otherwise prints one summary line and exits 0. Standard library only; run by `make test`.
`--root DIR` checks the package in DIR instead of this repository (Tests/interop/test_public_surface.py).
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Requirements of protocols declared outside this repository that the library modules conform to.
STANDARD_REQUIREMENTS: dict[str, set[str]] = {
    "CustomStringConvertible": {"description"},
    "CustomDebugStringConvertible": {"debugDescription"},
    "LosslessStringConvertible": {"description", "init"},
    "LocalizedError": {"errorDescription", "failureReason", "recoverySuggestion", "helpAnchor"},
    "Equatable": {"=="},
    "Hashable": {"hash", "hashValue", "=="},
    "Comparable": {"<", "<=", ">", ">=", "=="},
    "Encodable": {"encode"},
    "Decodable": {"init"},
    "Codable": {"encode", "init"},
    "Identifiable": {"id"},
    "RawRepresentable": {"rawValue", "init"},
    "CaseIterable": {"allCases"},
    "Sequence": {"makeIterator", "underestimatedCount", "Element", "Iterator"},
    "IteratorProtocol": {"next", "Element"},
    "AsyncSequence": {"makeAsyncIterator", "Element", "AsyncIterator"},
    "AsyncIteratorProtocol": {"next", "Element"},
    "Collection": {"startIndex", "endIndex", "index", "subscript", "Element", "Index"},
    "BidirectionalCollection": {"index"},
    "RandomAccessCollection": {"index"},
    "TextOutputStream": {"write"},
    "ExpressibleByStringLiteral": {"init"},
    "ExpressibleByIntegerLiteral": {"init"},
    "ExpressibleByArrayLiteral": {"init"},
    "ExpressibleByDictionaryLiteral": {"init"},
    "Error": set(),
    "Sendable": set(),
    # swift-log
    "LogHandler": {"log", "subscript", "metadata", "logLevel", "metadataProvider"},
    # SwiftNIO channel handlers
    "ChannelInboundHandler": {"InboundIn", "InboundOut", "OutboundOut", "channelRead", "channelReadComplete",
                              "channelActive", "channelInactive", "errorCaught", "userInboundEventTriggered",
                              "handlerAdded", "handlerRemoved"},
    "ChannelOutboundHandler": {"OutboundIn", "OutboundOut", "write", "flush", "close"},
    "ChannelDuplexHandler": {"InboundIn", "InboundOut", "OutboundIn", "OutboundOut"},
}

DECL_KEYWORDS = ("struct", "class", "enum", "actor", "protocol", "extension", "func", "init",
                 "var", "let", "typealias", "subscript", "case", "associatedtype")
TYPE_KEYWORDS = ("struct", "class", "enum", "actor", "protocol", "extension")
MODIFIERS = (r"(?:(?:static|class|final|override|mutating|nonmutating|convenience|required|indirect|"
             r"nonisolated|lazy|weak|unowned|dynamic|(?:private|fileprivate|internal|package|public)\(set\)|"
             r"@\w+(?:\([^)]*\))?)\s+)*")
PUBLIC_DECL = re.compile(r"\b(public|open)\s+" + MODIFIERS + r"(" + "|".join(DECL_KEYWORDS) + r")\b")
ANY_TYPE_DECL = re.compile(r"(?:^|[\s;{}])(?:(?:public|open|internal|private|fileprivate|package|final|indirect|"
                           r"@\w+(?:\([^)]*\))?)\s+)*(struct|class|enum|actor|protocol|extension)\s+"
                           r"([A-Za-z_][\w.]*)")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
OPERATOR_NAME = re.compile(r"[-+*/%<>=!&|^~?.]+")


def blank(text: str, keep_strings: bool) -> str:
    """The text with comments (and, unless keep_strings, string literals) replaced by spaces;
    newlines stay, so offsets and line numbers are those of the file."""
    out = list(text)
    i, n = 0, len(text)
    # Stack of contexts: "code" with a paren depth (interpolations end at depth 0), or strings.
    stack: list[list] = [["code", 0]]

    def erase(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        top = stack[-1]
        c = text[i]
        if top[0] == "code":
            if text.startswith("//", i):
                j = text.find("\n", i)
                j = n if j < 0 else j
                erase(i, j)
                i = j
                continue
            if text.startswith("/*", i):
                depth, j = 1, i + 2
                while j < n and depth:
                    if text.startswith("/*", j):
                        depth, j = depth + 1, j + 2
                    elif text.startswith("*/", j):
                        depth, j = depth - 1, j + 2
                    else:
                        j += 1
                erase(i, j)
                i = j
                continue
            m = re.match(r'(#*)("""|")', text[i:i + 12]) if c in '#"' else None
            if m:
                hashes, quote = len(m.group(1)), m.group(2)
                stack.append(["string", quote, hashes, i + len(m.group(0))])
                i += len(m.group(0))
                continue
            if c == "(":
                top[1] += 1
            elif c == ")":
                if top[1] == 0 and len(stack) > 1:
                    stack.pop()  # end of an interpolation: back in the string
                    stack[-1][3] = i + 1
                    i += 1
                    continue
                top[1] -= 1
            i += 1
            continue
        # inside a string literal
        _, quote, hashes, start = top
        close = quote + "#" * hashes
        if text.startswith(close, i):
            if not keep_strings:
                erase(start, i)
            stack.pop()
            i += len(close)
            continue
        escape = "\\" + "#" * hashes
        if text.startswith(escape, i):
            j = i + len(escape)
            if j < n and text[j] == "(":
                if not keep_strings:
                    erase(start, i)
                stack.append(["code", 0])
                i = j + 1
                continue
            i = j + 1
            continue
        if quote == '"' and c == "\n":  # unterminated single-line string: give up on it
            stack.pop()
        i += 1
    return "".join(out)


@dataclass
class Decl:
    module: str
    path: str
    line: int
    name: str
    kind: str
    owner: str | None          # enclosing type's name (or extended type), None at file scope
    signature: str             # text whose names the declaration exposes
    is_override: bool
    owner_public: bool | None  # whether the enclosing type is public; None inside an extension
    used: bool = False


@dataclass
class Scope:
    kind: str | None           # struct/class/enum/actor/protocol/extension, None for other braces
    name: str | None
    is_public: bool = False
    start: int = 0


@dataclass
class ModuleInfo:
    decls: list[Decl] = field(default_factory=list)
    conformances: dict[str, set[str]] = field(default_factory=dict)
    type_access: dict[str, set[bool]] = field(default_factory=dict)  # type name -> public or not, per declaration
    extra_signatures: list[tuple[str, str]] = field(default_factory=list)  # (owner, text) of enum cases / protocol bodies


def header_end(code: str, start: int, include_body: bool) -> int:
    """End of a declaration's header: the `{` that opens its body (or the body's end when
    include_body), or the end of the line when the header does not continue on the next one."""
    depth, i, n = 0, start, len(code)
    while i < n:
        c = code[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "{" and depth == 0:
            if not include_body:
                return i
            braces = 0
            while i < n:
                if code[i] == "{":
                    braces += 1
                elif code[i] == "}":
                    braces -= 1
                    if braces == 0:
                        return i + 1
                i += 1
            return n
        elif c == "\n" and depth == 0:
            rest = code[i + 1:i + 200].lstrip()
            if not re.match(r"(->|where\b|throws\b|async\b|rethrows\b|[:,&=.]|\{)", rest):
                return i
        i += 1
    return n


def top_level(text: str) -> str:
    """The text with whatever is inside brackets blanked, so commas of a list stand out."""
    out, depth = [], 0
    for c in text:
        if c in "([<":
            depth += 1
        elif c in ")]>" and depth:
            depth -= 1
            out.append(" ")
            continue
        out.append(c if depth == 0 else " ")
    return "".join(out)


def library_modules() -> list[str]:
    text = blank(open(os.path.join(ROOT, "Package.swift"), encoding="utf-8").read(), keep_strings=True)
    names = []
    for m in re.finditer(r"\.target\(\s*name:\s*\"([^\"]+)\"([^)]*)", text):
        if "path:" in m.group(2) and 'path: "Sources/' not in m.group(2):
            continue
        if os.path.isdir(os.path.join(ROOT, "Sources", m.group(1))):
            names.append(m.group(1))
    return names


def swift_files(folder: str) -> list[str]:
    found = []
    for base, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [os.path.join(base, f) for f in files if f.endswith(".swift")]
    return sorted(found)


def parse_module(module: str) -> ModuleInfo:
    info = ModuleInfo()
    for path in swift_files(os.path.join(ROOT, "Sources", module)):
        code = blank(open(path, encoding="utf-8").read(), keep_strings=False)
        rel = os.path.relpath(path, os.path.join(ROOT, "Sources"))
        line_starts = [0] + [m.end() for m in re.finditer("\n", code)]

        def line_of(offset: int) -> int:
            lo, hi = 0, len(line_starts) - 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if line_starts[mid] <= offset:
                    lo = mid
                else:
                    hi = mid - 1
            return lo + 1

        # Type headers: where each one's body opens, with its conformances.
        pending: dict[int, tuple[str, str, bool]] = {}
        for m in ANY_TYPE_DECL.finditer(code):
            kw, name = m.group(1), m.group(2)
            if kw == "class" and name in ("func", "var", "let", "subscript", "init"):
                continue
            kw_start = m.start(1)
            end = header_end(code, kw_start, include_body=False)
            if end >= len(code) or code[end] != "{":
                continue
            header = code[kw_start:end]
            before = code[max(0, code.rfind("\n", 0, kw_start)):kw_start]
            is_public = bool(re.search(r"\b(public|open)\b", before))
            simple = name.split(".")[-1]
            inherit = re.search(r"^[^:]*?:\s*(.*?)(\bwhere\b|$)", header[len(kw) + 1 + len(name):], re.S)
            if inherit:
                conf = {p.strip().split(".")[-1] for p in re.split(r"[,&]", inherit.group(1)) if p.strip()}
                info.conformances.setdefault(simple, set()).update(conf)
            pending[end] = (kw, simple, is_public)
            if kw != "extension":
                info.type_access.setdefault(simple, set()).add(is_public)

        # Walk the braces to know each declaration's owner.
        stack: list[Scope] = []
        decl_starts = {m.start(): m for m in PUBLIC_DECL.finditer(code)}
        for i, c in enumerate(code):
            if i in decl_starts:
                m = decl_starts[i]
                kw = m.group(2)
                owner_scope = next((s for s in reversed(stack) if s.kind), None)
                owner = owner_scope.name if owner_scope else None
                owner_public = None if owner_scope is None or owner_scope.kind == "extension" else owner_scope.is_public
                if kw == "case" or kw == "associatedtype":
                    continue
                after = code[m.end():m.end() + 200]
                if kw in ("init", "subscript"):
                    name = kw
                elif kw == "func":
                    nm = re.match(r"\s*([A-Za-z_]\w*|`\w+`|[-+*/%<>=!&|^~?.]+)", after)
                    name = nm.group(1).strip("`") if nm else "?"
                elif kw in ("var", "let"):
                    # `public static let a = 1, b = 2` declares every name of the list at once.
                    first = header_end(code, m.end(), include_body=False)
                    names = re.findall(r"(?:^|,)\s*\(?\s*`?([A-Za-z_]\w*)`?\s*[:=,{]",
                                       top_level(code[m.end():first]))
                    name = ",".join(names) if names else "?"
                else:
                    nm = re.match(r"\s*([A-Za-z_][\w.]*)", after)
                    name = nm.group(1).split(".")[-1] if nm else "?"
                if kw == "extension":
                    continue
                attrs = code[max(0, code.rfind("\n", 0, code.rfind("\n", 0, i) ) ):i]
                inlinable = "@inlinable" in attrs
                include_body = inlinable or kw == "protocol"
                sig_start = m.start(2)
                end = header_end(code, sig_start, include_body)
                signature = code[sig_start:end]
                if kw in TYPE_KEYWORDS:
                    signature = signature[len(kw):].lstrip()[len(name):] if not include_body else signature
                elif kw in ("func", "var", "let", "typealias"):
                    signature = signature.replace(name, " ", 1)
                info.decls.append(Decl(module, rel, line_of(i), name, kw, owner, signature,
                                       bool(re.search(r"\boverride\b", m.group(0))), owner_public))
            if c == "{":
                if i in pending:
                    kw, name, is_public = pending[i]
                    stack.append(Scope(kw, name, is_public, i))
                else:
                    stack.append(Scope(None, None, False, i))
            elif c == "}" and stack:
                scope = stack.pop()
                if scope.kind == "enum":
                    body = code[scope.start:i]
                    cases = " ".join(re.findall(r"\bcase\b[^\n]*", body))
                    info.extra_signatures.append((scope.name, cases))
    return info


def protocol_requirements(modules: list[str]) -> dict[str, set[str]]:
    reqs = {k: set(v) for k, v in STANDARD_REQUIREMENTS.items()}
    for path in swift_files(os.path.join(ROOT, "Sources")):
        code = blank(open(path, encoding="utf-8").read(), keep_strings=False)
        for m in re.finditer(r"\bprotocol\s+([A-Za-z_]\w*)[^{]*\{", code):
            end = header_end(code, m.start(), include_body=True)
            body = code[m.end():end]
            names = set(re.findall(r"\b(?:func|var|associatedtype)\s+([A-Za-z_]\w*|[-+*/%<>=!&|^~?.]+)", body))
            if re.search(r"\binit\b", body):
                names.add("init")
            if re.search(r"\bsubscript\b", body):
                names.add("subscript")
            inherited = re.match(r"\bprotocol\s+\w+\s*:\s*([^{]*)", code[m.start():m.end()])
            reqs.setdefault(m.group(1), set()).update(names)
            if inherited:
                for p in re.split(r"[,&]", inherited.group(1)):
                    p = p.strip()
                    if p and p != "AnyObject":
                        reqs[m.group(1)].update(STANDARD_REQUIREMENTS.get(p, set()))
    return reqs


_tokens_cache: dict[str, set[str]] = {}


def file_tokens(path: str) -> set[str]:
    if path not in _tokens_cache:
        text = blank(open(path, encoding="utf-8").read(), keep_strings=True)
        _tokens_cache[path] = set(IDENT.findall(text)) | set(OPERATOR_NAME.findall(text))
    return _tokens_cache[path]


def other_tokens(module: str) -> set[str]:
    own = os.path.join(ROOT, "Sources", module) + os.sep
    paths = [p for p in swift_files(os.path.join(ROOT, "Sources")) if not p.startswith(own)]
    paths += swift_files(os.path.join(ROOT, "Tests"))
    paths += swift_files(os.path.join(ROOT, "Benchmarks"))
    tokens: set[str] = set()
    for p in paths:
        tokens |= file_tokens(p)
    return tokens


def main() -> int:
    global ROOT
    if len(sys.argv) == 3 and sys.argv[1] == "--root":
        ROOT = os.path.abspath(sys.argv[2])
    elif len(sys.argv) != 1:
        print("usage: public_surface.py [--root PACKAGE_DIR]", file=sys.stderr)
        return 2
    _tokens_cache.clear()
    modules = library_modules()
    reqs = protocol_requirements(modules)
    unused: list[Decl] = []
    total = 0
    for module in modules:
        info = parse_module(module)
        tokens = other_tokens(module)
        decls = info.decls
        total += len(decls)
        types_in_module = set(info.type_access)

        def inside_internal_type(d: Decl) -> bool:
            if d.owner_public is not None:
                return not d.owner_public
            return info.type_access.get(d.owner or "", {True}) == {False}

        def witness(d: Decl) -> bool:
            for proto in info.conformances.get(d.owner or "", set()):
                if any(n in reqs.get(proto, set()) for n in d.name.split(",")):
                    return True
            return False

        for d in decls:
            is_operator = d.kind == "func" and not IDENT.fullmatch(d.name)
            if inside_internal_type(d):
                d.used = False  # `public` in an internal type is internal anyway: it only misleads
            elif d.is_override or witness(d):
                d.used = True
            elif d.kind in ("init", "subscript") or is_operator:
                # `init` and `==` are everywhere as words: these count through their type (rule 1).
                d.used = bool(d.owner) and (d.owner in tokens or d.owner not in types_in_module)
            elif any(n in tokens for n in d.name.split(",")):
                d.used = True
        # Signatures of what is used keep the names they mention (rule 4), until nothing changes.
        changed = True
        while changed:
            changed = False
            exposed: set[str] = set()
            used_types = set()
            for d in decls:
                if d.used:
                    exposed.update(IDENT.findall(d.signature))
                    if d.owner:
                        used_types.add(d.owner)
                    if d.kind in TYPE_KEYWORDS:
                        used_types.add(d.name)
            for owner, text in info.extra_signatures:
                if owner in used_types:
                    exposed.update(IDENT.findall(text))
            for d in decls:
                if d.used or inside_internal_type(d):
                    continue
                is_operator = d.kind == "func" and not IDENT.fullmatch(d.name)
                plain = not (d.kind in ("init", "subscript") or is_operator)
                if (plain and any(n in exposed for n in d.name.split(","))) or ((d.kind in ("init", "subscript") or is_operator) and d.owner in exposed):
                    d.used = True
                    changed = True
        unused += [d for d in decls if not d.used]
    for d in unused:
        print(f"{d.path}:{d.line} {d.name}")
    if unused:
        print(f"{len(unused)} of {total} public declarations in {len(modules)} library modules are used by no "
              f"other module or test: make them internal (see scripts/public_surface.py)", file=sys.stderr)
        return 1
    print(f"public surface: all {total} public declarations of {len(modules)} library modules "
          f"({', '.join(modules)}) are used outside their module")
    return 0


if __name__ == "__main__":
    sys.exit(main())
