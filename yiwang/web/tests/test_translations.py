"""The Simplified Chinese catalogue: complete, compiled, in step with the source, and used by the pages.

When a test here fails after a source change, refresh the catalogue from the repository root:

    yiwang makemessages --locale zh_Hans --no-location --no-obsolete \
        --ignore '.venv/*' --ignore 'var/*' --ignore 'bench/*' --ignore '*/tests/*'
    # translate the new entries in yiwang/locale/zh_Hans/LC_MESSAGES/django.po, then
    yiwang compilemessages --locale zh_Hans --ignore '.venv/*' --ignore 'var/*' --ignore 'bench/*'
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

from yiwang.identity.roles import AssuranceLevel, Role

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_FILE = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
SOURCE_DIR = Path(__file__).resolve().parents[2]  # the `yiwang` package
HAN = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # Han characters or full-width punctuation
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]")


# --- a small .po reader ---------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index -> text; 0 for a singular entry
    flags: set[str] = field(default_factory=set)


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")\s*$")


def _unquote(literal: str) -> str:
    value = ast.literal_eval(literal)
    assert isinstance(value, str), literal
    return value


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header included (msgid ""), obsolete (#~) entries left out."""
    entries: list[Entry] = []
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8").strip()):
        flags: set[str] = set()
        fields: dict[str, str] = {}
        plural_forms: dict[int, str] = {}
        current: tuple[str, int | None] | None = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := _KEYWORD.match(line):
                keyword, index, literal = match.group(1), match.group(2), match.group(3)
                current = (keyword, int(index) if index is not None else None)
                if keyword == "msgstr" and index is not None:
                    plural_forms[int(index)] = _unquote(literal)
                else:
                    fields[keyword] = _unquote(literal)
            elif line.startswith('"') and current is not None:
                keyword, maybe_index = current
                if keyword == "msgstr" and maybe_index is not None:
                    plural_forms[maybe_index] += _unquote(line)
                else:
                    fields[keyword] += _unquote(line)
            else:
                raise AssertionError(f"{path}: cannot read the line {line!r}")
        if "msgid" not in fields:
            continue  # a block of obsolete entries or comments only
        msgstr = plural_forms if plural_forms else {0: fields.get("msgstr", "")}
        entries.append(
            Entry(
                msgid=fields["msgid"],
                msgctxt=fields.get("msgctxt"),
                msgid_plural=fields.get("msgid_plural"),
                msgstr=msgstr,
                flags=flags,
            )
        )
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run makemessages (see this module's docstring)"
    return read_po(PO_FILE)


@pytest.fixture(scope="module")
def messages(catalogue: list[Entry]) -> dict[tuple[str | None, str], Entry]:
    return {(entry.msgctxt, entry.msgid): entry for entry in catalogue if entry.msgid}


# --- the catalogue itself -------------------------------------------------------------------------------


def test_the_header_declares_simplified_chinese_in_utf8(catalogue):
    header = next(entry for entry in catalogue if entry.msgid == "" and entry.msgctxt is None)
    assert "fuzzy" not in header.flags
    text = header.msgstr[0]
    assert "Language: zh_Hans\n" in text
    assert "Content-Type: text/plain; charset=UTF-8\n" in text
    assert "Plural-Forms: nplurals=1; plural=0;\n" in text
    assert "Project-Id-Version: Yiwang" in text


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    entries = [entry for entry in catalogue if entry.msgid]
    assert len(entries) > 300
    untranslated = [entry.msgid for entry in entries if not entry.msgstr.get(0)]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert not untranslated, f"untranslated entries: {untranslated}"
    assert not fuzzy, f"fuzzy entries: {fuzzy}"


def test_translations_keep_every_placeholder_and_are_chinese(catalogue):
    for entry in catalogue:
        if not entry.msgid:
            continue
        text = entry.msgstr[0]
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid
        assert HAN.search(text), f"{entry.msgid!r} is not translated into Chinese: {text!r}"


def test_msgfmt_accepts_the_catalogue_and_counts_no_untranslated_message(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(tmp_path / "check.mo"), str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
        env={"LC_ALL": "C", "PATH": str(Path(msgfmt).parent)},
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", result.stderr), result.stderr


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed: cannot recompile the .po file to compare")
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run compilemessages (see this module's docstring)"
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO_FILE)], check=True, capture_output=True)
    with fresh.open("rb") as handle:
        expected = vars(gettext.GNUTranslations(handle))["_catalog"]
    with MO_FILE.open("rb") as handle:
        committed = vars(gettext.GNUTranslations(handle))["_catalog"]
    assert committed == expected, "django.mo is older than django.po: run compilemessages"


# --- the catalogue against the source -------------------------------------------------------------------

_TEMPLATIZED_CALL = re.compile(
    r"\b(?P<function>npgettext|pgettext|ngettext|gettext)\("
    r"(?P<arguments>(?:\s*u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*,?)+)\s*(?:count)?\s*\)"
)
_LITERAL = re.compile(r"u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")


@dataclass(frozen=True)
class SourceMessage:
    where: str
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None


def _message(function: str, arguments: list[str], where: str) -> SourceMessage:
    if function.startswith("np"):
        return SourceMessage(where, arguments[1], msgctxt=arguments[0], msgid_plural=arguments[2])
    if function.startswith("p"):
        return SourceMessage(where, arguments[1], msgctxt=arguments[0])
    if function.startswith("n"):
        return SourceMessage(where, arguments[0], msgid_plural=arguments[1])
    return SourceMessage(where, arguments[0])


def _source_files(*suffixes: str) -> list[Path]:
    return sorted(
        path
        for path in SOURCE_DIR.rglob("*")
        if path.suffix in suffixes
        and "tests" not in path.relative_to(SOURCE_DIR).parts
        and "migrations" not in path.relative_to(SOURCE_DIR).parts
    )


def template_messages() -> list[SourceMessage]:
    """Every {% translate %} and {% blocktranslate %} of the templates, as makemessages sees them."""
    found = []
    for path in _source_files(".html", ".txt"):
        if "templates" not in path.relative_to(SOURCE_DIR).parts:
            continue
        where = str(path.relative_to(SOURCE_DIR.parent))
        for match in _TEMPLATIZED_CALL.finditer(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
            arguments = [_unquote(literal) for literal in _LITERAL.findall(match.group("arguments"))]
            found.append(_message(match.group("function"), arguments, where))
    return found


_PYTHON_FUNCTIONS = {
    "_": "gettext",
    "gettext": "gettext",
    "gettext_lazy": "gettext",
    "gettext_noop": "gettext",
    "ngettext": "ngettext",
    "ngettext_lazy": "ngettext",
    "pgettext": "pgettext",
    "pgettext_lazy": "pgettext",
    "npgettext": "npgettext",
    "npgettext_lazy": "npgettext",
}


def python_messages() -> list[SourceMessage]:
    """Every gettext-family call with literal strings in the package's Python code (tests and migrations aside)."""
    found = []
    for path in _source_files(".py"):
        where = str(path.relative_to(SOURCE_DIR.parent))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            function = _PYTHON_FUNCTIONS.get(name or "")
            if function is None:
                continue
            wanted = {"gettext": 1, "ngettext": 2, "pgettext": 2, "npgettext": 3}[function]
            arguments = [
                arg.value for arg in node.args[:wanted] if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ]
            if len(arguments) == wanted:
                found.append(_message(function, arguments, f"{where}:{node.lineno}"))
    return found


def _missing(found: list[SourceMessage], messages: dict[tuple[str | None, str], Entry]) -> list[str]:
    problems = []
    for message in found:
        entry = messages.get((message.msgctxt, message.msgid))
        if entry is None:
            problems.append(f"{message.where}: {message.msgid!r} is not in django.po")
        elif message.msgid_plural is not None and entry.msgid_plural != message.msgid_plural:
            problems.append(f"{message.where}: the plural of {message.msgid!r} differs from django.po")
    return problems


def test_every_template_string_is_in_the_catalogue(messages):
    found = template_messages()
    assert any(message.msgid == "Log in" for message in found), "the template scan found nothing"
    assert any(message.msgid_plural for message in found), "the template scan misses blocktranslate count"
    problems = _missing(found, messages)
    assert not problems, "run makemessages and translate:\n" + "\n".join(problems)


def test_every_python_string_is_in_the_catalogue(messages):
    found = python_messages()
    assert any(message.msgid == "Window clerk" for message in found), "the Python scan found nothing"
    problems = _missing(found, messages)
    assert not problems, "run makemessages and translate:\n" + "\n".join(problems)


# --- the translations at work ---------------------------------------------------------------------------


def test_key_strings_are_chinese_in_chinese_and_english_in_english():
    with translation.override("zh-hans"):
        assert "登录" in translation.gettext("Log in")
        assert translation.gettext("Register") == "注册"
        assert translation.gettext("Large text") == "大字版"
        assert translation.gettext("Standard text") == "标准字号"
        assert str(Role.CLERK.label) == "窗口受理人员"
        assert str(Role.PLATFORM_ADMIN.label) == "平台管理员"
        assert "可信等级三级" in str(AssuranceLevel.REGISTRY_MATCHED.label)
        assert translation.gettext("Unified social credit code") == "统一社会信用代码"
        staff = translation.ngettext("%(counter)s staff member", "%(counter)s staff members", 3) % {"counter": 3}
        assert staff == "共3名工作人员"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
        assert str(Role.CLERK.label) == "Window clerk"
        staff = translation.ngettext("%(counter)s staff member", "%(counter)s staff members", 3) % {"counter": 3}
        assert staff == "3 staff members"


def test_the_home_page_is_chinese_by_default(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans"' in html
    assert "登录" in html
    assert "全市政务服务" in html
    assert "Log in" not in html


def test_the_home_page_is_english_with_the_language_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html
    assert "登录" not in html
