"""scripts/public_surface.py (run by `make test`) on a tiny package written here: it must list a
public declaration nobody else names, and keep what the compiler needs public by its rules."""
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "public_surface.py"

PACKAGE = '''
let package = Package(name: "p", targets: [
    .target(name: "Lib"),
    .target(name: "Other", dependencies: ["Lib"]),
    .executableTarget(name: "tool", dependencies: ["Lib"]),
    .target(name: "TestRandom", path: "Tests/TestRandom"),
])
'''

LIB = '''
public protocol Classifying { var retryClass: Int { get } }

public struct Used: Equatable, CustomStringConvertible, Classifying {
    public let shown: Int
    /// Only inside Lib: must be listed.
    public let hidden: Int
    public init(shown: Int, _ h: Int) { self.shown = shown; self.hidden = h }
    public var description: String { "x" }       // witness of CustomStringConvertible
    public var retryClass: Int { 1 }              // witness of a protocol of this package
    public static func == (a: Used, b: Used) -> Bool { true }
    public func make() -> Exposed { Exposed() }   // Exposed is named by nobody but this signature
    // public func commentedOut() {}
}

public struct Exposed { public init() {} }

struct Internal {
    public var leftover = 0                       // public inside an internal type: listed
}

public enum OnlyHere { case a, b }               // named by nobody else: listed
public let first = 1, second = 2                 // second is used elsewhere: kept
'''

OTHER = '''
import Lib
// hidden OnlyHere   (comments are not uses)
func use() { let u = Used(shown: 1, 2); _ = u.shown; _ = u.make(); _ = second; _ = "\\(u)" }
'''


def run(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root)], capture_output=True, text=True)


def test_lists_unused_public_declarations_and_keeps_what_the_compiler_needs(tmp_path):
    (tmp_path / "Package.swift").write_text(PACKAGE)
    for name, text in {"Lib/Lib.swift": LIB, "Other/Other.swift": OTHER, "tool/main.swift": "import Lib\n"}.items():
        (tmp_path / "Sources" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "Sources" / name).write_text(text)
    result = run(tmp_path)
    listed = sorted(line.split(" ")[1] for line in result.stdout.splitlines())
    # Fails if a rule stops keeping a witness, init, operator or signature type (it would be
    # listed here), or if an unused declaration, a public member of an internal type or a name
    # only mentioned in a comment stops being listed.
    assert listed == ["OnlyHere", "hidden", "leftover"], result.stdout + result.stderr
    assert result.returncode == 1

    # A test naming the rest is a use too: now nothing is listed and the script exits 0.
    (tmp_path / "Tests" / "LibTests").mkdir(parents=True)
    (tmp_path / "Tests" / "LibTests" / "T.swift").write_text(
        "@testable import Lib\nlet x: OnlyHere = .a\nlet y = Used(shown: 1, 2).hidden\n"
        "var z = Internal()\n")
    (tmp_path / "Sources" / "Lib" / "Lib.swift").write_text(LIB.replace("    public var leftover", "    var leftover"))
    result = run(tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("public surface: all "), result.stdout + result.stderr


def test_this_repository_has_no_unused_public_declaration():
    result = run(ROOT)
    # Fails when a library module gains a public declaration no other module, test or benchmark uses.
    assert result.returncode == 0, result.stdout + result.stderr
