"""E-licenses (issue 6): issuing and verifying licenses, each against raw SM2 (gmssl-pyx) measured in the same run.

    .venv/bin/python bench/licenses_bench.py [--quick] [--rounds 5] [--per-round 200] [--files 100000]
        [--database postgres://postgres@127.0.0.1:5432/yiwang_bench_licenses]

(`.venv/bin/python -m bench.licenses_bench …` is the same.) `--database` names a PostgreSQL database that is
dropped and created again, as in the other benchmarks; without it a throw-away SQLite file under /tmp is used.

Set-up, not measured: a freshly migrated database; the city's market regulator (明湖市市场监督管理局) with a seal made
by `seal_create` (SM2 key, certificate from the seal maker, picture, GB/T 38540 SESeal); the license type
个体工商户营业执照 (a person's license, three elements, five years) saved by `license_type_save`; an approver of the
department; one citizen per license to be issued (`citizens_bulk_create`), so that every license has its own holder.

1. Issuance: `license_issue_direct` by the approver, one license per call and transaction (the type, holder,
   department and seal read, the identifier drawn, the data built and hashed, the GB/T 38540 signature made, the
   license row written with the document and the holder's code SM4-encrypted, the audit event, the commit, and
   after it the exchange feed's task enqueued).
   Baseline: `gmssl_pyx.sm2_sign` with the seal's key over a message as long as a license's TBS_Sign (the DER
   the seal signs). The parts of an issuance are timed alone in the same rounds (see `_issuance_sides`).
2. Verification: online by identifier (`license_verify_identifier`: the row read, the document decrypted, the
   seal directory read, the file checked), online on rows already loaded (`license_verify_stored`), and offline
   (`verify_license_file` against `read_seal_directory(seal_directory_file())`, no database). Baseline:
   `gmssl_pyx.sm2_verify` of a TBS_Sign-sized message. One license's check makes three SM2 verifications (the
   maker's over the seal, the maker's over the signer's certificate, the seal's over the data), so the ratio is
   given per license (ours / raw) and per SM2 verification (3 × ours / raw). The parts of a check are timed
   alone in the same rounds (see `_verification_sides`).
3. Offline at scale: `--files` distinct license files (100,000; 5,000 with `--quick`), each with its own
   identifier, holder (name, ID number) and elements, signed in-process without the database by the functions
   `_issue` uses (`license_data`, `documents.data_digest`, `ses.sign` with the seal's key,
   `license_file_bytes`) by two worker processes, and written to a temporary directory, one file each (not part
   of the figure; its time is printed). Then every file is read and checked with `verify_license_file` by a pool
   of 2 worker processes (chunks of 500 paths; each worker parses the published seal directory once, as a bank's
   verifier would) — total wall time including the pool's start — and, on one core, in this process over three
   slices of the files, one before the pool and two after it (the median rate). The files were just written, so
   they are read from the page cache.
   Peak memory: `ru_maxrss` of this process and of the largest worker.

Each round runs every side (ours, the baseline, the parts) once, in an order that rotates from round to round;
figures are medians over the rounds, ratios are of the medians, and the per-round ratios' median and range are
printed too. What the parts leave of the whole is printed as "the rest".
"""

from __future__ import annotations

import argparse
import collections
import datetime
import functools
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `yiwang` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.audit_write import _setup

TYPE_CODE = "11100000000013338W001"
CHUNK = 500
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建国建华志强海燕文博子涵浩然雨轩梓萱"
SHOPS = ("小吃店", "便利店", "水果店", "理发店", "五金店", "早餐店", "面馆", "花店", "文具店", "烟酒店")
SCOPES = (
    "小吃服务；预包装食品销售",
    "日用百货零售；预包装食品销售",
    "新鲜水果零售",
    "理发服务；美容服务",
    "五金产品零售；电线电缆零售",
    "餐饮服务；食品销售",
)
ROADS = ("滨河路", "人民路", "解放大道", "建设路", "中山路", "文化路", "明湖大道", "清河街")
DISTRICTS = ("清河区", "东湖区")


# --- timing --------------------------------------------------------------------------------------------------

Side = Callable[[int], float]  # given the round's number, runs its operations; returns seconds per operation


def _seconds_each(count: int, function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) / count


def _rounds(rounds: int, sides: dict[str, Side], label: str) -> dict[str, list[float]]:
    """Every side once per round, the order rotating from round to round; seconds per operation of each."""
    names = list(sides)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            seconds[name].append(sides[name](number))
        shown = ", ".join(f"{name} {1000 * seconds[name][-1]:.3f}" for name in names)
        print(f"  {label} round {number + 1} (ms each): {shown}", flush=True)
    return seconds


def _median_ms(seconds: dict[str, list[float]]) -> dict[str, float]:
    return {name: 1000 * statistics.median(values) for name, values in seconds.items()}


def _report(label: str, seconds: dict[str, list[float]], ours: str, *, verifications: int = 1) -> None:
    """Our rate and the raw SM2 rate (medians over the rounds), their ratio, and the per-round ratios."""
    ours_rate, raw_rate = 1 / statistics.median(seconds[ours]), 1 / statistics.median(seconds["raw"])
    ratios = [raw / mine for mine, raw in zip(seconds[ours], seconds["raw"], strict=True)]
    print(f"{label}:")
    print(f"  ours     {ours_rate:10,.1f} licenses/s ({1000 / ours_rate:7.3f} ms each)")
    print(f"  raw SM2  {raw_rate:10,.1f} /s          ({1000 / raw_rate:7.3f} ms each)")
    print(
        f"  ratio ours / raw {ours_rate / raw_rate:.3f} (per round: median {statistics.median(ratios):.3f}, "
        f"{min(ratios):.3f}–{max(ratios):.3f})"
    )
    if verifications > 1:
        print(
            f"  ratio per SM2 verification ({verifications} in a license's check) "
            f"{verifications * ours_rate / raw_rate:.3f}"
        )


def _task_backend() -> str:
    from django.conf import settings

    return str(settings.TASKS["default"]["BACKEND"]).rpartition(".")[2]


def _shares(what: str, total: float, parts: dict[str, float], rest: str) -> None:
    """Print where `total` milliseconds go: each part (timed alone in the same rounds), and what is left."""
    print(f"  where {what}'s {total:.3f} ms go (parts timed alone in the same rounds, median ms per license):")
    for label, milliseconds in {**parts, rest: total - sum(parts.values())}.items():
        print(f"    {label:<78} {milliseconds:7.3f} ms {100 * milliseconds / total:5.1f} %")


def _code_version() -> str:
    """Where the measured code was imported from, its commit, and whether it had uncommitted changes."""
    import yiwang

    root = Path(yiwang.__file__).resolve().parents[1]

    def git(*arguments: str) -> str:
        return subprocess.run(  # noqa: S603 - read-only git commands
            ["git", *arguments],  # noqa: S607 - git from PATH
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return f"{root} (not a git checkout)"
    changed = git("status", "--porcelain", "yiwang")
    return f"{root} at {head}{' with uncommitted changes under yiwang/' if changed else ''}"


# --- set-up ----------------------------------------------------------------------------------------------------


@dataclass
class World:
    approver: Any
    license_type: Any
    seal: Any
    issuer_name: str
    issuer_code: str
    holders: list[int]


def _people(count: int, *, first: int, rng: random.Random) -> Iterator[tuple[str, str]]:
    """`count` distinct (name, ID number) pairs; the `first`-th onwards, so that callers never repeat one."""
    from yiwang.core.identifiers import compose_id_number

    for index in range(first, first + count):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=index // 1000 % 20000)
        area = ("419802", "419803")[index // 20_000_000 % 2]
        yield name, compose_id_number(area, born, index % 1000)


def _elements(name: str, rng: random.Random) -> dict[str, str]:
    return {
        "shop_name": f"明湖市{name}{rng.choice(SHOPS)}",
        "scope": rng.choice(SCOPES),
        "address": f"明湖市{rng.choice(DISTRICTS)}{rng.choice(ROADS)}{rng.randrange(1, 400)}号",
    }


def _world(holders: int) -> World:
    from django.contrib.auth.hashers import make_password

    from yiwang.core.identifiers import compose_credit_code
    from yiwang.identity import services as identity_services
    from yiwang.identity.models import User
    from yiwang.identity.roles import Role
    from yiwang.licenses import services
    from yiwang.org import services as org_services
    from yiwang.org.services import DivisionRow

    org_services.division_bulk_create(
        actor=None,
        rows=[
            DivisionRow("410000", "河南省", "province", None),
            DivisionRow("419800", "明湖市", "city", "410000"),
            DivisionRow("419802", "清河区", "county", "419800"),
            DivisionRow("419803", "东湖区", "county", "419800"),
        ],
    )

    def department(name: str, body: str) -> Any:
        return org_services.department_create(
            actor=None,
            name=name,
            credit_code=compose_credit_code(body),
            kind="government_department",
            division_code="419800",
        )

    bureau = department("明湖市政务服务和大数据管理局", "11419800000000001")
    market = department("明湖市市场监督管理局", "11419800000000002")

    def staff(username: str, department_id: int, role: str, real_name: str) -> Any:
        return identity_services.staff_create(
            actor=None,
            details=identity_services.StaffDetails(
                username=username, real_name=real_name, department_id=department_id, roles=(role,),
                password="Bench-password-2026",
            ),
        )  # fmt: skip

    admin = staff("admin", bureau.id, Role.PLATFORM_ADMIN, "平台管理员")
    approver = staff("approver", market.id, Role.APPROVER, "审批丁")
    seal = services.seal_create(actor=admin, data=services.SealInput(department_id=market.id))
    license_type = services.license_type_save(
        actor=admin,
        data=services.LicenseTypeInput(
            code=TYPE_CODE,
            name="个体工商户营业执照",
            department_id=market.id,
            holder_kind="person",
            elements=(
                services.ElementInput("shop_name", "名称", required=True),
                services.ElementInput("scope", "经营范围", required=True),
                services.ElementInput("address", "经营场所"),
            ),
            validity_years=5,
        ),
    )
    rng = random.Random(2026)
    rows = (
        identity_services.CitizenRow(
            username=f"holder{index}", real_name=name, id_number=id_number, phone=f"199{index:08d}"
        )
        for index, (name, id_number) in enumerate(_people(holders, first=0, rng=rng))
    )
    identity_services.citizens_bulk_create(actor=None, rows=rows, password_hash=make_password(None))
    holder_ids = list(User.objects.filter(username__startswith="holder").order_by("pk").values_list("pk", flat=True))
    return World(
        approver=approver,
        license_type=license_type,
        seal=seal,
        issuer_name=market.name,
        issuer_code=market.credit_code,
        holders=holder_ids,
    )


# --- 1. issuance -----------------------------------------------------------------------------------------------


def _sign_raw(key: Any, message: bytes, count: int) -> None:
    import gmssl_pyx

    from yiwang.core.crypto import SM2_DEFAULT_SIGNER_ID

    for _ in range(count):
        gmssl_pyx.sm2_sign(key.private_key, key.public_key, message, signer_id=SM2_DEFAULT_SIGNER_ID)


def _verify_raw(public_key: bytes, message: bytes, signature: bytes, count: int) -> None:
    import gmssl_pyx

    from yiwang.core.crypto import SM2_DEFAULT_SIGNER_ID

    for _ in range(count):
        assert gmssl_pyx.sm2_verify(public_key, message, signature, signer_id=SM2_DEFAULT_SIGNER_ID)


def _tbs(document: str | bytes) -> bytes:
    """The DER a license's seal signed (TBS_Sign: the SESeal with its picture, the time, the data's hash)."""
    from yiwang.licenses import ses
    from yiwang.licenses.documents import read_license_file

    return ses.decode_signature(read_license_file(document).signature).tbs_der


def _issuance_sides(
    world: World, batches: Sequence[Sequence[int]], warm: Sequence[Any], issued: list[str]
) -> dict[str, Side]:
    """`issue`: `license_issue_direct` for each holder of the round's batch (identifiers appended to `issued`);
    `raw`: the baseline; then the parts of an issuance, each alone on as many values: `sign` (`ses.sign`: DER
    building + SM2), `data` (identifier, license data, canonical JSON + SM3, the file), `protect` (SM4 of the
    document and the holder's code, HMAC-SM3 holder index), `audit` (the event's statements, all in one
    transaction: an issuance's event shares the license's commit), `reads` (license type, the approver's role,
    holder, department, seal with its private key decrypted), `feed` (what runs after the commit: the exchange
    feed's task enqueued, for one of the `warm` licenses)."""
    from django.db import transaction
    from django.utils import timezone

    from yiwang.core.audit.services import record_event
    from yiwang.core.crypto import blind_index, encrypt_field
    from yiwang.identity.models import User
    from yiwang.identity.roles import Role
    from yiwang.licenses import services, ses
    from yiwang.licenses.documents import data_digest, license_file_bytes, read_license_file
    from yiwang.licenses.identifiers import compose_identifier, new_serial
    from yiwang.licenses.keys import seal_key
    from yiwang.licenses.models import License, LicenseType
    from yiwang.licenses.tasks import push_licenses_to_exchange
    from yiwang.org.selectors import department_get

    count = len(batches[0])
    seal = world.seal
    key = seal_key(seal)
    seal_der, certificate = bytes(seal.seal_der), bytes(seal.certificate)
    message = os.urandom(len(_tbs(warm[0].document)))
    signature = read_license_file(warm[0].document).signature
    documents = [warm[index % len(warm)].document for index in range(count)]
    holder = services.Holder("person", "王小明", "419802199001011234", None, None)
    elements = _elements("王小明", random.Random(1))
    digest = data_digest({"bench": "digest"})
    document_context = License._meta.get_field("document").encryption_context
    holder_context = License._meta.get_field("holder_code").encryption_context
    rng = random.Random(7)

    def issue(number: int) -> float:
        holders = batches[number]
        names = dict(User.objects.filter(pk__in=holders).values_list("pk", "real_name"))
        given = [_elements(names[pk], rng) for pk in holders]
        started = time.perf_counter()
        for pk, values in zip(holders, given, strict=True):
            made = services.license_issue_direct(
                actor=world.approver, type_code=TYPE_CODE, holder_user_id=pk, elements=values
            )
            issued.append(made.identifier)
        return (time.perf_counter() - started) / count

    def sign() -> None:
        now = timezone.now()
        for _ in range(count):
            ses.sign(
                seal_der=seal_der,
                data_hash=digest,
                property_info="1.2.156.3005.2.bench",
                signed_at=now,
                signer_certificate=certificate,
                signer_key=key,
            )

    def data() -> None:
        today = timezone.localdate()
        for _ in range(count):
            built = services.license_data(
                identifier=str(compose_identifier(TYPE_CODE, world.issuer_code, new_serial())),
                license_type=world.license_type,
                holder=holder,
                issuer_name=world.issuer_name,
                issuer_code=world.issuer_code,
                issued_on=today,
                valid_until=services._valid_until(world.license_type, today),
                elements=elements,
            )
            data_digest(built)
            license_file_bytes(built, signature)

    def protect() -> None:
        for document in documents:
            encrypt_field(document, context=document_context)
            encrypt_field(holder.code, context=holder_context)
            blind_index(holder.code, purpose=services.HOLDER_INDEX)

    def audit() -> None:
        with transaction.atomic():
            for index in range(count):
                record_event(
                    actor=world.approver,
                    action="licenses.license.issue",
                    object_type="licenses.License",
                    object_id=index,
                    changes={
                        "identifier": "1.2.156.3005.2.bench",
                        "type": TYPE_CODE,
                        "application_id": None,
                        "seal_id": seal.seal_id,
                        "data_sm3": digest.hex(),
                    },
                )

    def reads(number: int) -> None:
        now = timezone.now()
        for pk in batches[number]:
            license_type = LicenseType.objects.select_related("department").filter(code=TYPE_CODE).first()
            assert license_type is not None and world.approver.has_role(Role.APPROVER)
            services._holder(license_type, pk, None)
            department_get(department_id=license_type.department_id)
            seal_key(services._current_seal(license_type, now))

    def feed() -> None:
        for index in range(count):
            push_licenses_to_exchange.enqueue([warm[index % len(warm)].pk])

    return {
        "issue": issue,
        "raw": lambda _number: _seconds_each(count, lambda: _sign_raw(key, message, count)),
        "sign": lambda _number: _seconds_each(count, sign),
        "data": lambda _number: _seconds_each(count, data),
        "protect": lambda _number: _seconds_each(count, protect),
        "audit": lambda _number: _seconds_each(count, audit),
        "reads": lambda number: _seconds_each(count, lambda: reads(number)),
        "feed": lambda _number: _seconds_each(count, feed),
    }


# --- 2. verification -------------------------------------------------------------------------------------------


def _verification_sides(
    licenses: Sequence[Sequence[Any]], directory: Any, key: Any, message: bytes, signature: bytes
) -> dict[str, Side]:
    """Each round checks its own licenses (`licenses[number]`, rows loaded with their documents): `online` by
    identifier, `stored` (rows loaded), `offline` (the file against the published directory); `raw`: the
    baseline; then the parts, each alone on the round's licenses: `three` SM2 verifications on the real messages,
    `maker` (the maker's certificate parsed: `SealDirectory.maker_public_key` parses it at each use, twice per
    check), `certificate` (the signer's, parsed), `decode` (the DER signature with its seal), `read` (the file's
    JSON, canonical check, base64), `digest` (canonical JSON + SM3 of the data); online, besides: `row` (the
    license row read, document and holder's code decrypted), `directory` (the seal directory read), `identifier`
    (the identifier validated)."""
    from django.utils import timezone

    from yiwang.licenses import ses
    from yiwang.licenses.documents import data_digest, read_license_file, verify_license_file
    from yiwang.licenses.identifiers import validate_identifier
    from yiwang.licenses.models import License
    from yiwang.licenses.selectors import license_verify_identifier, license_verify_stored, seal_directory

    count = len(licenses[0])
    today = timezone.localdate()
    maker = directory.maker_public_key
    files = [[read_license_file(license.document) for license in chosen] for chosen in licenses]
    decoded = [[ses.decode_signature(file.signature) for file in chosen] for chosen in files]
    certificates = [[ses.read_certificate(item.signer_certificate) for item in chosen] for chosen in decoded]

    def each(function: Callable[[Any], object], items: Sequence[Sequence[Any]]) -> Side:
        def side(number: int) -> float:
            return _seconds_each(count, lambda: [function(item) for item in items[number]])

        return side

    def valid(verdict: Any) -> None:
        assert verdict.status == "valid", verdict.findings

    def three(pair: tuple[Any, Any]) -> None:
        signed, certificate = pair
        assert ses.seal_made_by(signed.seal, maker)
        assert ses.certificate_issued_by(certificate, maker)
        assert ses.signature_made_by(signed, certificate.public_key)

    pairs = [list(zip(first, second, strict=True)) for first, second in zip(decoded, certificates, strict=True)]
    return {
        "online": each(lambda license: valid(license_verify_identifier(license.identifier)), licenses),
        "stored": each(lambda license: valid(license_verify_stored(license)), licenses),
        "offline": each(lambda license: valid(verify_license_file(license.document, directory, today=today)), licenses),
        "raw": lambda _number: _seconds_each(count, lambda: _verify_raw(key.public_key, message, signature, count)),
        "three": each(three, pairs),
        "maker": each(lambda _license: (directory.maker_public_key, directory.maker_public_key), licenses),
        "certificate": each(lambda signed: ses.read_certificate(signed.signer_certificate), decoded),
        "decode": each(lambda file: ses.decode_signature(file.signature), files),
        "read": each(lambda license: read_license_file(license.document), licenses),
        "digest": each(lambda file: data_digest(file.data), files),
        "row": each(lambda license: License.objects.filter(identifier=license.identifier).first(), licenses),
        "directory": each(lambda _license: seal_directory(with_revoked_licenses=False), licenses),
        "identifier": each(lambda license: validate_identifier(license.identifier), licenses),
    }


# --- 3. offline at scale ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """What a generating worker needs (inherited through fork: the seal's key never leaves the machine)."""

    license_type: Any
    issuer_name: str
    issuer_code: str
    seal_der: bytes
    certificate: bytes
    key: Any
    out: Path


_SIGNER: Signer | None = None
_DIRECTORY: Any = None


def _file_path(out: Path, index: int) -> Path:
    return out / f"{index // 1000:03d}" / f"{index:06d}.json"


def _generate_chunk(bounds: tuple[int, int]) -> tuple[int, int, int]:
    """Sign and write the license files `bounds[0]` to `bounds[1] - 1`; return (files, bytes, peak KiB)."""
    from django.utils import timezone

    from yiwang.licenses import services, ses
    from yiwang.licenses.documents import data_digest, license_file_bytes
    from yiwang.licenses.identifiers import compose_identifier, new_serial

    signer = _SIGNER
    assert signer is not None
    first, last = bounds
    rng = random.Random(first)
    written = 0
    today = timezone.localdate()
    valid_until = services._valid_until(signer.license_type, today)
    for index, (name, id_number) in enumerate(_people(last - first, first=first, rng=rng), start=first):
        identifier = str(compose_identifier(TYPE_CODE, signer.issuer_code, new_serial()))
        data = services.license_data(
            identifier=identifier,
            license_type=signer.license_type,
            holder=services.Holder("person", name, id_number, None, None),
            issuer_name=signer.issuer_name,
            issuer_code=signer.issuer_code,
            issued_on=today,
            valid_until=valid_until,
            elements=_elements(name, rng),
        )
        signature = ses.sign(
            seal_der=signer.seal_der,
            data_hash=data_digest(data),
            property_info=identifier,
            signed_at=timezone.now(),
            signer_certificate=signer.certificate,
            signer_key=signer.key,
        )
        raw = license_file_bytes(data, signature)
        path = _file_path(signer.out, index)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(raw)
        written += len(raw)
    return last - first, written, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _verifier_start(directory_file: bytes) -> None:
    from yiwang.licenses.documents import read_seal_directory

    global _DIRECTORY
    _DIRECTORY = read_seal_directory(directory_file)


def _verify_chunk(paths: Sequence[Path]) -> tuple[dict[str, int], int]:
    """Read and check license files; return the count per verdict and this process's peak KiB."""
    from django.utils import timezone

    from yiwang.licenses.documents import verify_license_file

    today = timezone.localdate()
    counts: collections.Counter[str] = collections.Counter()
    for path in paths:
        counts[verify_license_file(path.read_bytes(), _DIRECTORY, today=today).status.value] += 1
    return dict(counts), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _at_scale(world: World, directory_file: bytes, files: int, workers: int, single_rounds: int) -> None:
    global _SIGNER
    from django.db import connections

    from yiwang.licenses.keys import seal_key

    out = Path(tempfile.mkdtemp(prefix="yiwang-bench-licenses-"))
    try:
        _SIGNER = Signer(
            license_type=world.license_type,
            issuer_name=world.issuer_name,
            issuer_code=world.issuer_code,
            seal_der=bytes(world.seal.seal_der),
            certificate=bytes(world.seal.certificate),
            key=seal_key(world.seal),
            out=out,
        )
        connections.close_all()  # the workers are forked: they must not share this process's connections
        context = multiprocessing.get_context("fork")
        chunks = [(first, min(first + CHUNK, files)) for first in range(0, files, CHUNK)]
        started = time.perf_counter()
        with context.Pool(workers) as pool:
            made = list(pool.imap_unordered(_generate_chunk, chunks))
        generation = time.perf_counter() - started
        size = sum(chunk[1] for chunk in made)
        print(
            f"generated {sum(chunk[0] for chunk in made):,} license files in {generation:.1f} s with {workers} "
            f"processes ({files / generation:,.0f}/s, not part of the figure); {size / 2**20:,.0f} MiB, "
            f"{size / files:,.0f} bytes each, in {out}; generating workers' peak "
            f"{max(chunk[2] for chunk in made) / 1024:.0f} MiB"
        )
        paths = [_file_path(out, index) for index in range(files)]
        slice_size = min(files // (single_rounds + 1), 3000)

        def one_core(number: int) -> float:
            chosen = paths[number * slice_size : (number + 1) * slice_size]
            return 1 / _seconds_each(len(chosen), functools.partial(_verify_chunk, chosen))

        _verifier_start(directory_file)
        single = [one_core(0)]  # one slice before the pool and the others after it: the load changes
        parent_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        load = os.getloadavg()[0]
        started = time.perf_counter()
        with context.Pool(workers, initializer=_verifier_start, initargs=(directory_file,)) as pool:
            results = list(
                pool.imap_unordered(_verify_chunk, [paths[first:last] for first, last in chunks], chunksize=1)
            )
        wall = time.perf_counter() - started
        print(f"  load average {load:.1f} before the pool, {os.getloadavg()[0]:.1f} after it")
        single += [one_core(number) for number in range(1, single_rounds)]
        verdicts: collections.Counter[str] = collections.Counter()
        for counts, _peak in results:
            verdicts.update(counts)
        worker_peak = max(peak for _counts, peak in results)
        rate = statistics.median(single)
        print(f"offline verification of {files:,} license files (verify_license_file, each file read from disk):")
        print(f"  verdicts: {dict(verdicts)}")
        print(f"  {workers} worker processes: {wall:.1f} s wall, {files / wall:,.0f} files/s (pool start included)")
        print(
            f"  one core (this process, median of {single_rounds} slices of {slice_size:,} files): {rate:,.0f} "
            f"files/s ({', '.join(f'{value:,.0f}' for value in single)}); speed-up with {workers} processes "
            f"{files / wall / rate:.2f}"
        )
        parent_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"  peak memory (ru_maxrss): this process {parent_peak / 1024:,.0f} MiB ({parent_before / 1024:,.0f} MiB "
            f"before verifying), largest verifying worker {worker_peak / 1024:,.0f} MiB"
        )
        assert verdicts == {"valid": files}, verdicts
    finally:
        shutil.rmtree(out, ignore_errors=True)


# --- main ------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 50, 5,000 files: a check that it runs")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 5; 3 with --quick)")
    parser.add_argument("--per-round", type=int, default=None, help="licenses per round (default 200; 50 quick)")
    parser.add_argument("--files", type=int, default=None, help="license files at scale (default 100,000; 5,000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", help="postgres://… (a database of that name is dropped and created)")
    options = parser.parse_args()
    rounds = options.rounds or (3 if options.quick else 5)
    per_round = options.per_round or (50 if options.quick else 200)
    files = options.files or (5_000 if options.quick else 100_000)
    _setup(options.database)
    import gmssl_pyx
    from django.db import connection

    from yiwang.core.crypto import SM2_DEFAULT_SIGNER_ID
    from yiwang.licenses.documents import read_seal_directory
    from yiwang.licenses.keys import seal_key
    from yiwang.licenses.models import License
    from yiwang.licenses.selectors import seal_directory_file
    from yiwang.licenses.services import license_issue_direct

    print(f"code: {_code_version()}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs", flush=True)
    started = time.perf_counter()
    warm = 20
    world = _world(warm + rounds * per_round)
    load = os.getloadavg()[0]
    print(
        f"database: {connection.vendor}; set-up (department, seal, type, {len(world.holders):,} holders) "
        f"{time.perf_counter() - started:.1f} s, not measured; load average {load:.1f}",
        flush=True,
    )
    warmed = [  # caches and first queries, not counted; they serve the parts that need a license
        license_issue_direct(
            actor=world.approver,
            type_code=TYPE_CODE,
            holder_user_id=pk,
            elements=_elements("王小明", random.Random(pk)),
        )
        for pk in world.holders[:warm]
    ]
    tbs = _tbs(warmed[0].document)
    key = seal_key(world.seal)
    message = os.urandom(len(tbs))
    signature = bytes(gmssl_pyx.sm2_sign(key.private_key, key.public_key, message, signer_id=SM2_DEFAULT_SIGNER_ID))
    print(
        f"a license file: {len(warmed[0].document.encode()):,} bytes; its TBS_Sign (what the seal signs) {len(tbs):,} "
        f"bytes: the raw SM2 baseline signs and verifies random messages of that length",
        flush=True,
    )

    print(f"1. issuance: {rounds} rounds of {per_round} licenses", flush=True)
    batches = [world.holders[warm + number * per_round : warm + (number + 1) * per_round] for number in range(rounds)]
    issued: list[str] = []
    issuing = _rounds(rounds, _issuance_sides(world, batches, warmed, issued), "issue")

    print(f"2. verification: {rounds} rounds of {per_round} licenses", flush=True)
    loaded = {license.identifier: license for license in License.objects.filter(identifier__in=issued)}
    licenses = [[loaded[identifier] for identifier in issued[number::rounds]] for number in range(rounds)]
    directory = read_seal_directory(seal_directory_file())
    checking = _rounds(rounds, _verification_sides(licenses, directory, key, message, signature), "verify")

    print()
    print(
        f"=== results ({connection.vendor}; medians of {rounds} rounds of {per_round}; load average "
        f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} now) ==="
    )
    _report("1. issuance (license_issue_direct)", issuing, "issue")
    ms = _median_ms(issuing)
    _shares(
        "an issuance",
        ms["issue"],
        {
            "SM2 signature (raw gmssl-pyx)": ms["raw"],
            "DER building (ses.sign without its SM2 signature)": ms["sign"] - ms["raw"],
            "license data, identifier, canonical JSON + SM3, the file": ms["data"],
            "SM4 of the document and the holder's code, HMAC-SM3 holder index": ms["protect"],
            "audit event (its statements; it shares the license's commit)": ms["audit"],
            "reads: type, approver's role, holder, department, seal (its key decrypted)": ms["reads"],
            f"after the commit: the exchange feed's task enqueued ({_task_backend()})": ms["feed"],
        },
        "the rest: the license INSERT, the commit, glue",
    )
    for side, label in (
        ("online", "online by identifier (license_verify_identifier)"),
        ("stored", "online, row loaded (license_verify_stored)"),
        ("offline", "offline (verify_license_file with the published seal directory)"),
    ):
        _report(f"2. verification {label}", checking, side, verifications=3)
    ms = _median_ms(checking)
    _shares(
        "an offline check",
        ms["offline"],
        {
            "three SM2 verifications (seal, certificate, data; the real messages)": ms["three"],
            "the maker's certificate parsed twice (SealDirectory.maker_public_key)": ms["maker"],
            "the signer's certificate parsed (ses.read_certificate)": ms["certificate"],
            "decoding the DER signature and its seal (asn1crypto)": ms["decode"],
            "reading the file (JSON, canonical check, base64)": ms["read"],
            "the data's digest (canonical JSON + SM3)": ms["digest"],
        },
        "the rest: identifier check, seal digest, comparisons, verdict",
    )
    _shares(
        "an online check by identifier",
        ms["online"],
        {
            "the offline check (verify_license_file)": ms["offline"],
            "the license row read, document and holder's code decrypted": ms["row"],
            "the seal directory read (seals with departments, seal maker)": ms["directory"],
            "the identifier validated (GB/T 36904, check character)": ms["identifier"],
        },
        "the rest: status, glue",
    )
    print(flush=True)
    print(f"3. offline at scale: {files:,} files", flush=True)
    _at_scale(world, seal_directory_file(), files, options.workers, 3)


if __name__ == "__main__":
    main()
