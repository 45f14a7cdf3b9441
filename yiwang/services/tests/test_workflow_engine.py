"""The BPMN engine on its own (ADR 0018): the restricted conditions and scripts, the check of an uploaded process
(every problem with its line and element), and running the platform's processes and the example one."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from SpiffWorkflow.util.task import TaskState

from yiwang.services.workflow.engine import (
    ACCEPT,
    AGREE,
    DECIDE,
    DISAGREE,
    MAX_BYTES,
    REVIEW,
    Problem,
    ProcessRefused,
    Run,
    check_process,
    compile_process,
    default_process_text,
    example_process_text,
    step_kind,
)
from yiwang.services.workflow.scripting import (
    RestrictedEnvironment,
    ScriptRefused,
    assignments,
    check_expression,
    check_script,
    evaluate,
)

UTC = datetime.UTC
START = {"form": {}, "applicant_kind": "person", "handling_item": ""}


# --- restricted conditions and scripts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("__import__('os')", "__import__"),
        ("__import__('os').system('true')", "__import__"),
        ("().__class__", "__class__"),
        ("().__class__.__bases__[0].__subclasses__()", "__"),
        ("open('x')", "open"),
        ("eval('1')", "eval"),
        ("getattr(form, 'x')", "getattr"),
        ("(lambda: 1)()", "Lambda"),
        ("(y := 1)", "NamedExpr"),
        ("_secret", "_secret"),
        ("form._private", "_private"),
        ("form.get(", "syntax error"),
    ],
)
def test_a_condition_that_could_reach_the_platform_is_refused_by_the_check(expression: str, why: str) -> None:
    with pytest.raises(ScriptRefused) as refused:
        check_expression(expression)
    assert why in str(refused.value)


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os')",
        "().__class__",
        "open('x')",
        "(lambda: 1)()",
        "9 ** 9 ** 9",  # a power too large to compute
        "'a' * 10 ** 9",  # a string too long
        "[1] * 10 ** 8",
        "'{0.__class__}'.format(form)",  # format strings reach attributes
        "str.format('{0.__class__}', form)",
        "[x for x in 'a' * 5000 for y in 'a' * 5000]",  # a comprehension too large
    ],
)
def test_evaluation_itself_refuses_what_the_check_may_not_see(expression: str) -> None:
    """The environment does not rely on the check: evaluation refuses too (a process stored before a rule)."""
    with pytest.raises(ScriptRefused):
        evaluate(expression, {"form": {"a": 1}})


def test_huge_powers_pass_the_check_but_not_the_evaluation() -> None:
    check_expression("9 ** 9 ** 9")  # syntactically harmless…
    with pytest.raises(ScriptRefused, match="387420489"):
        evaluate("9 ** 9 ** 9", {})  # …but never computed
    assert evaluate("2 ** 10", {}) == 1024


@pytest.mark.parametrize(
    ("expression", "names", "value"),
    [
        ('form.get("a", 0) >= 5', {"form": {"a": 7}}, True),
        ('form.get("a", 0) >= 5', {"form": {}}, False),
        ('form["capital"] * 2', {"form": {"capital": 21}}, 42),
        ("len(x)", {"x": [1, 2, 3]}, 3),
        ("max(a, b) - min(a, b)", {"a": 3, "b": 10}, 7),
        ("not rejected and applicant_kind == 'enterprise'", {"rejected": False, "applicant_kind": "enterprise"}, True),
        ("'01' in ['01', '02']", {}, True),
        ("sum([1, 2, 3]) + abs(-1) + round(2.4)", {}, 9),
        ("int('12') + float('0.5')", {}, 12.5),
        ("str(3) + 'x'", {}, "3x"),
        ("any([False, True]) and all([True])", {}, True),
    ],
)
def test_allowed_expressions_are_evaluated(expression: str, names: dict[str, Any], value: Any) -> None:
    check_expression(expression)
    assert evaluate(expression, names) == value


@pytest.mark.parametrize(
    ("script", "line"),
    [
        ("import os", 1),
        ("x = 1\nimport os", 2),
        ("x = 1\nprint(x)", 2),
        ("x += 1", 1),
        ("a = b = 1", 1),
        ("form['a'] = 1", 1),
        ("form.a = 1", 1),
        ("_x = 1", 1),
        ("def f():\n    pass", 1),
        ("for i in [1]:\n    x = i", 1),
        ("with open('x') as f:\n    x = 1", 1),
    ],
)
def test_a_script_is_only_assignments(script: str, line: int) -> None:
    with pytest.raises(ScriptRefused, match=f"line {line}: only assignments"):
        check_script(script)


def test_a_script_is_checked_expression_by_expression() -> None:
    with pytest.raises(ScriptRefused, match="function open"):
        check_script("x = 1\ny = open('/etc/passwd')")
    with pytest.raises(ScriptRefused, match="__class__"):
        check_script("y = form.__class__")
    with pytest.raises(ScriptRefused, match="syntax error"):
        check_script("x = (")
    with pytest.raises(ScriptRefused, match="at most 50"):
        check_script("\n".join(f"x{n} = {n}" for n in range(51)))
    check_script("\n".join(f"x{n} = {n}" for n in range(50)))


def test_assignments_run_in_order_over_the_task_data() -> None:
    assert [name for name, _value in assignments("a = 1\nb = a + 1")] == ["a", "b"]
    context: dict[str, Any] = {"form": {"household_size": 4}}
    environment = RestrictedEnvironment()
    assert environment.execute("size = form['household_size']\nbig = size >= 4\nlabel = str(size) + '人'", context)
    assert context == {"form": {"household_size": 4}, "size": 4, "big": True, "label": "4人"}
    assert environment.evaluate("big and size == 4", context) is True
    with pytest.raises(ScriptRefused):
        environment.execute("x = __import__('os')", {})
    with pytest.raises(ScriptRefused, match="service tasks"):
        environment.call_service({}, operation_name="anything")


# --- checking a process ----------------------------------------------------------------------------------------

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:yiwang="https://yiwang.gov.cn/schema/bpmn"
                  id="defs" targetNamespace="https://example.gov.cn">
"""
DECIDE_TASK = """    <bpmn:userTask id="decide" name="决定">
      <bpmn:potentialOwner><bpmn:resourceAssignmentExpression>
        <bpmn:formalExpression>approver</bpmn:formalExpression>
      </bpmn:resourceAssignmentExpression></bpmn:potentialOwner>
    </bpmn:userTask>
"""


def bpmn(body: str, *, decide: bool = True, process_attributes: str = 'isExecutable="true"') -> str:
    """A file with one process holding `body` (and, unless told, a decision step)."""
    return (
        HEAD
        + f'  <bpmn:process id="p" name="测试" {process_attributes}>\n'
        + '    <bpmn:startEvent id="start" />\n'
        + body
        + (DECIDE_TASK if decide else "")
        + "  </bpmn:process>\n</bpmn:definitions>\n"
    )


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of `text` containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the text")


def only(problems: list[Problem], element: str) -> Problem:
    found = [problem for problem in problems if problem.element == element]
    assert len(found) == 1, problems
    return found[0]


@pytest.mark.parametrize("name", ["immediate", "promised", "minimum_living_allowance"])
def test_the_platforms_processes_pass_their_own_check(name: str) -> None:
    assert check_process(example_process_text(name)) == []


def test_not_xml() -> None:
    problems = check_process("<bpmn:definitions>\n<unclosed>\n")
    assert len(problems) == 1
    assert problems[0].message.startswith("not well-formed XML")
    assert problems[0].line is not None


def test_xml_that_is_not_bpmn() -> None:
    problems = check_process('<?xml version="1.0"?>\n<definitions xmlns="urn:other"><process/></definitions>')
    assert problems == [Problem("not a BPMN 2.0 file: the root element must be bpmn:definitions", line=1)]
    with pytest.raises(ProcessRefused) as refused:
        compile_process(b"<html/>")
    assert "root element must be bpmn:definitions" in str(refused.value)


def test_two_executable_processes() -> None:
    second = '  <bpmn:process id="q" isExecutable="true"><bpmn:startEvent id="s2" /></bpmn:process>\n'
    text = bpmn("").replace("</bpmn:definitions>", second + "</bpmn:definitions>")
    problems = check_process(text)
    assert [problem.message for problem in problems] == ["a file holds exactly one executable process (found 2)"]
    # A second process that is not executable (a pool drawn for documentation) is no problem.
    assert check_process(text.replace('id="q" isExecutable="true"', 'id="q" isExecutable="false"')) == []


def test_no_executable_process() -> None:
    problems = check_process(bpmn("", process_attributes='isExecutable="false"'))
    assert [problem.message for problem in problems] == ["a file holds exactly one executable process (found 0)"]


@pytest.mark.parametrize(
    ("body", "element", "words"),
    [
        ('    <bpmn:serviceTask id="call_api" name="调用接口" />\n', "call_api", "service tasks"),
        ('    <bpmn:sendTask id="send_mail" />\n', "send_mail", "send tasks"),
        ('    <bpmn:receiveTask id="wait_reply" />\n', "wait_reply", "receive tasks"),
        ('    <bpmn:businessRuleTask id="rules" />\n', "rules", "business-rule tasks"),
        ('    <bpmn:callActivity id="other_process" calledElement="x" />\n', "other_process", "call activities"),
        (
            '    <bpmn:intermediateCatchEvent id="wait_message">\n'
            '      <bpmn:messageEventDefinition id="message_definition" />\n'
            "    </bpmn:intermediateCatchEvent>\n",
            "message_definition",
            "message events",
        ),
        (
            '    <bpmn:intermediateCatchEvent id="wait_signal">\n'
            "      <bpmn:signalEventDefinition />\n"
            "    </bpmn:intermediateCatchEvent>\n",
            "wait_signal",  # the definition has no id: the element that holds it is named
            "signal events",
        ),
    ],
)
def test_what_the_platform_does_not_run_is_refused_with_line_and_element(body: str, element: str, words: str) -> None:
    text = bpmn(body)
    problem = only(check_process(text), element)
    assert problem.message.startswith("not supported: ") and words in problem.message
    needle = "EventDefinition" if "EventDefinition" in body else f'id="{element}"'
    assert problem.line == line_of(text, needle)
    assert str(problem) == f"line {problem.line}, {element}: {problem.message}"


def test_a_start_event_with_a_timer_is_refused() -> None:
    text = bpmn("").replace(
        '    <bpmn:startEvent id="start" />\n',
        '    <bpmn:startEvent id="start">\n'
        "      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>\n"
        "    </bpmn:startEvent>\n",
    )
    problem = only(check_process(text), "start")
    assert "no start trigger" in problem.message
    assert problem.line == line_of(text, '<bpmn:startEvent id="start">')


@pytest.mark.parametrize("literal", ["three days", "PXD", "'3 days'", "2025-13-45"])
def test_a_timer_that_is_not_iso_8601_is_refused(literal: str) -> None:
    text = bpmn(
        '    <bpmn:intermediateCatchEvent id="wait">\n'
        "      <bpmn:timerEventDefinition>\n"
        f"        <bpmn:timeDuration>{literal}</bpmn:timeDuration>\n"
        "      </bpmn:timerEventDefinition>\n"
        "    </bpmn:intermediateCatchEvent>\n"
    )
    problem = only(check_process(text), "wait")
    assert problem.message.startswith("timeDuration: not an ISO 8601 duration or date")
    assert problem.line == line_of(text, "<bpmn:timeDuration>")


@pytest.mark.parametrize("literal", ["P3D", "PT12H", '"P3D"', "'P1DT2H'", "2030-01-02T09:00:00+08:00"])
def test_iso_8601_timers_are_accepted_quoted_or_not(literal: str) -> None:
    text = bpmn(
        '    <bpmn:intermediateCatchEvent id="wait">\n'
        f"      <bpmn:timerEventDefinition><bpmn:timeDuration>{literal}</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition>\n"
        "    </bpmn:intermediateCatchEvent>\n"
    )
    assert check_process(text) == []


def test_a_condition_with_bad_syntax_or_a_forbidden_name_is_refused() -> None:
    text = bpmn(
        '    <bpmn:exclusiveGateway id="route" />\n'
        '    <bpmn:sequenceFlow id="bad_syntax" sourceRef="route" targetRef="decide">\n'
        "      <bpmn:conditionExpression>form.get('a' &gt;= 5</bpmn:conditionExpression>\n"
        "    </bpmn:sequenceFlow>\n"
        '    <bpmn:sequenceFlow id="escape" sourceRef="route" targetRef="decide">\n'
        "      <bpmn:conditionExpression>().__class__</bpmn:conditionExpression>\n"
        "    </bpmn:sequenceFlow>\n"
    )
    problems = check_process(text)
    syntax = only(problems, "bad_syntax")
    assert syntax.message.startswith("conditionExpression: syntax error")
    assert syntax.line == line_of(text, "form.get('a'")
    escape = only(problems, "escape")
    assert escape.message == "conditionExpression: attribute __class__ is not allowed"
    assert escape.line == line_of(text, "().__class__")


def test_a_script_calling_an_unknown_function_is_refused() -> None:
    text = bpmn(
        '    <bpmn:scriptTask id="calc" name="计算">\n'
        "      <bpmn:script>total = 1\nsecret = open('/etc/passwd')</bpmn:script>\n"
        "    </bpmn:scriptTask>\n"
        '    <bpmn:scriptTask id="loud">\n'
        "      <bpmn:script>print('hello')</bpmn:script>\n"
        "    </bpmn:scriptTask>\n"
    )
    problems = check_process(text)
    calc = only(problems, "calc")
    assert calc.message == "script: function open is not available"
    assert calc.line == line_of(text, "<bpmn:script>total = 1")
    assert only(problems, "loud").message == "script: line 1: only assignments `name = expression` are allowed"


def test_user_tasks_need_a_known_role_and_a_decision_is_required() -> None:
    text = bpmn(
        '    <bpmn:userTask id="accept" name="受理" />\n'
        '    <bpmn:userTask id="check" name="审查">\n'
        "      <bpmn:potentialOwner><bpmn:resourceAssignmentExpression>\n"
        "        <bpmn:formalExpression>janitor</bpmn:formalExpression>\n"
        "      </bpmn:resourceAssignmentExpression></bpmn:potentialOwner>\n"
        "    </bpmn:userTask>\n",
        decide=False,
    )
    problems = check_process(text)
    nobody = only(problems, "accept")
    assert "the step says nobody does it" in nobody.message
    assert nobody.line == line_of(text, 'id="accept"')
    unknown = only(problems, "check")
    assert unknown.message.startswith("unknown role 'janitor'")
    assert unknown.line == line_of(text, 'id="check"')
    assert Problem("the process has no decision: one user task's id must start with 'decide'") in problems


@pytest.mark.parametrize(
    ("loop", "words"),
    [
        (
            '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
            "<bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>",
            "isSequential must be false",
        ),
        (
            "<bpmn:multiInstanceLoopCharacteristics>"
            "<bpmn:loopCardinality>members</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>",
            "loopCardinality 2 to 20",
        ),
        (
            "<bpmn:multiInstanceLoopCharacteristics>"
            "<bpmn:loopCardinality>1</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>",
            "loopCardinality 2 to 20",
        ),
        (
            "<bpmn:multiInstanceLoopCharacteristics>"
            "<bpmn:loopCardinality>21</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>",
            "loopCardinality 2 to 20",
        ),
        ("<bpmn:multiInstanceLoopCharacteristics />", "loopCardinality 2 to 20"),
    ],
)
def test_a_countersign_is_parallel_with_a_literal_cardinality(loop: str, words: str) -> None:
    text = bpmn(
        '    <bpmn:userTask id="sign" name="会签">\n'
        "      <bpmn:potentialOwner><bpmn:resourceAssignmentExpression>\n"
        "        <bpmn:formalExpression>approver</bpmn:formalExpression>\n"
        "      </bpmn:resourceAssignmentExpression></bpmn:potentialOwner>\n"
        f"      {loop}\n"
        "    </bpmn:userTask>\n"
    )
    problem = only(check_process(text), "sign")
    assert words in problem.message
    assert problem.line == line_of(text, 'id="sign"')


def test_a_decision_or_acceptance_is_not_a_countersign() -> None:
    loop = (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality>"
        "</bpmn:multiInstanceLoopCharacteristics>"
    )
    text = bpmn(DECIDE_TASK.replace("    </bpmn:userTask>", f"      {loop}\n    </bpmn:userTask>"), decide=False)
    problem = only(check_process(text), "decide")
    assert problem.message == "acceptance and decision are one person's act: not a countersign"


@pytest.mark.parametrize("days", ["0", "366", "-1", "2.5", "three", ""])
def test_limit_days_out_of_range(days: str) -> None:
    text = bpmn("").replace(
        '<bpmn:userTask id="decide" name="决定">', f'<bpmn:userTask id="decide" yiwang:limitDays="{days}">'
    )
    problem = only(check_process(text), "decide")
    assert problem.message == "limitDays must be a whole number of working days, 1 to 365"
    assert problem.line == line_of(text, "limitDays")


@pytest.mark.parametrize("days", ["1", "365"])
def test_limit_days_in_range(days: str) -> None:
    text = bpmn("").replace(
        '<bpmn:userTask id="decide" name="决定">', f'<bpmn:userTask id="decide" yiwang:limitDays="{days}">'
    )
    assert compile_process(text).steps["decide"].limit_days == int(days)


def test_every_problem_is_listed_at_once() -> None:
    text = bpmn(
        '    <bpmn:serviceTask id="call_api" />\n'
        '    <bpmn:userTask id="review" yiwang:limitDays="999" />\n'
        '    <bpmn:scriptTask id="calc"><bpmn:script>x = open(1)</bpmn:script></bpmn:scriptTask>\n',
        decide=False,
    )
    problems = check_process(text)
    assert {problem.element for problem in problems} >= {"call_api", "review", "calc"}
    assert len(problems) >= 5  # service task, script, nobody, limitDays, no decision
    with pytest.raises(ProcessRefused) as refused:
        compile_process(text)
    assert refused.value.problems == problems
    assert "call_api" in str(refused.value) and "limitDays" in str(refused.value)


def test_a_file_over_one_megabyte_is_refused_unread() -> None:
    filler = "<!--" + "x" * MAX_BYTES + "-->\n"
    text = bpmn("").replace("<bpmn:definitions", filler + "<bpmn:definitions", 1)
    assert len(text.encode()) > MAX_BYTES
    assert check_process(text) == [Problem("the file is larger than 1000 kB")]
    assert check_process(text.encode()) == [Problem("the file is larger than 1000 kB")]


def test_an_external_entity_is_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42", encoding="utf-8")
    text = bpmn(
        '    <bpmn:scriptTask id="leak"><bpmn:script>stolen = "&xxe;"</bpmn:script></bpmn:scriptTask>\n'
        '    <bpmn:scriptTask id="fetch"><bpmn:script>fetched = "&web;"</bpmn:script></bpmn:scriptTask>\n'
    ).replace(
        "<bpmn:definitions",
        f'<!DOCTYPE bpmn:definitions [\n  <!ENTITY xxe SYSTEM "file://{secret}">\n'
        '  <!ENTITY web SYSTEM "http://127.0.0.1:9/never">\n]>\n<bpmn:definitions',
        1,
    )
    problems = check_process(text)  # returns at once: no network, no file read
    assert "TOP-SECRET-42" not in json.dumps([str(problem) for problem in problems], ensure_ascii=False)
    try:
        process = compile_process(text)
    except ProcessRefused:
        return  # refusing the file is as good as not resolving it
    run = Run.start(process, START)
    data = json.dumps([task.data for task in run.workflow.get_tasks()], default=str, ensure_ascii=False)
    assert "TOP-SECRET-42" not in data


def test_department_references_are_checked_by_the_callers_function() -> None:
    text = example_process_text("minimum_living_allowance")
    asked: list[str] = []

    def known(reference: str) -> str | None:
        asked.append(reference)
        return None if reference == "人力资源和社会保障局" else "unknown"

    assert check_process(text, department_known=known) == []
    assert asked == ["人力资源和社会保障局"]
    problems = check_process(text, department_known=lambda reference: f"no department {reference}")
    assert problems == [
        Problem(
            "no department 人力资源和社会保障局",
            line=line_of(text, 'id="review_employment"'),
            element="review_employment",
        )
    ]


def test_what_the_platform_reads_of_the_example() -> None:
    process = compile_process(example_process_text("minimum_living_allowance"))
    assert (process.process_id, process.name) == ("minimum_living_allowance", "最低生活保障审核确认")
    read = {
        bpmn_id: (step.kind, step.role, step.department, step.limit_days, step.countersign)
        for bpmn_id, step in process.steps.items()
    }
    assert read == {
        "accept": (ACCEPT, "clerk", "", 5, 0),  # from its lane
        "review_income": (REVIEW, "reviewer", "", 10, 0),
        "review_employment": (REVIEW, "reviewer", "人力资源和社会保障局", 5, 0),  # potentialOwner over the lane
        "countersign": (REVIEW, "approver", "", 3, 3),
        "decide": (DECIDE, "approver", "", None, 0),
    }
    assert compile_process(example_process_text("minimum_living_allowance")) is process  # cached by digest


@pytest.mark.parametrize(("bpmn_id", "kind"), [("accept", ACCEPT), ("Accept_1", ACCEPT), ("decideFinal", DECIDE)])
def test_step_kind_by_id(bpmn_id: str, kind: str) -> None:
    assert step_kind(bpmn_id) == kind
    assert step_kind("review_" + bpmn_id) == REVIEW


CAMUNDA = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.20.0">
  <bpmn:process id="Process_camunda" name="Camunda 流程" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="accept_window" />
    <bpmn:userTask id="accept_window" name="受理" camunda:candidateGroups="窗口">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="accept_window" targetRef="decide_it" />
    <bpmn:userTask id="decide_it" name="决定" camunda:candidateGroups="approver, reviewer">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late" name="一日提醒" cancelActivity="false" attachedToRef="decide_it">
      <bpmn:outgoing>Flow_4</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerEventDefinition_1">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">P1D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="late" targetRef="late_end" />
    <bpmn:endEvent id="late_end"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="decide_it" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1">
      <bpmn:incoming>Flow_3</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Process_camunda" />
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_a_camunda_modeller_file_is_accepted_and_runs() -> None:
    assert check_process(CAMUNDA) == []
    process = compile_process(CAMUNDA.encode("utf-8"))
    assert process.process_id == "Process_camunda"
    assert {bpmn_id: (step.kind, step.role) for bpmn_id, step in process.steps.items()} == {
        "accept_window": (ACCEPT, "clerk"),  # 窗口
        "decide_it": (DECIDE, "approver"),  # the first of the candidate groups
    }
    with freeze_time("2026-03-02T01:00:00Z"):
        run = Run.start(process, START)
        run.complete(run.ready()[0].task_id)
        assert [ready.step.bpmn_id for ready in run.ready()] == ["decide_it"]
        assert run.waiting_timers() == [("一日提醒", datetime.datetime(2026, 3, 3, 1, 0, tzinfo=UTC))]
        run.complete(run.ready()[0].task_id)
    assert run.finished


# --- running ---------------------------------------------------------------------------------------------------


def ids(run: Run) -> list[str]:
    return [ready.step.bpmn_id for ready in run.ready()]


def test_the_default_promised_process_goes_accept_review_decide() -> None:
    assert "promised" in default_process_text("promised")
    assert default_process_text("something_else") == default_process_text("promised")
    run = Run.start(compile_process(default_process_text("promised")), START)
    seen = []
    while not run.finished:
        (ready,) = run.ready()
        seen.append((ready.step.bpmn_id, ready.step.kind, ready.step.role, ready.instance))
        run.complete(ready.task_id)
    assert seen == [
        ("accept", ACCEPT, "clerk", 0),
        ("review", REVIEW, "reviewer", 0),
        ("decide", DECIDE, "approver", 0),
    ]
    assert run.ready() == []
    assert run.next_timer() is None


def test_the_default_immediate_process_is_one_decision_by_the_clerk() -> None:
    process = compile_process(default_process_text("immediate"))
    run = Run.start(process, START)
    (ready,) = run.ready()
    assert (ready.step.bpmn_id, ready.step.kind, ready.step.role, ready.step.limit_days) == (
        "decide",
        DECIDE,
        "clerk",
        1,
    )
    run.complete(ready.task_id)
    assert run.finished


def test_a_task_that_is_not_ready_cannot_be_completed() -> None:
    run = Run.start(compile_process(default_process_text("promised")), START)
    (accept,) = run.ready()
    run.complete(accept.task_id)
    with pytest.raises(KeyError):
        run.complete(accept.task_id)  # done already
    with pytest.raises(KeyError):
        run.complete("00000000-0000-0000-0000-000000000000")  # no such task
    with pytest.raises(KeyError):
        run.complete("not-a-task-id")


ALLOWANCE = "minimum_living_allowance"


def allowance(form: dict[str, Any]) -> Run:
    return Run.start(compile_process(example_process_text(ALLOWANCE)), {**START, "form": form})


def through_reviews(run: Run, *, income: str = AGREE, employment: str = AGREE, employment_first: bool = False) -> Run:
    (accept,) = run.ready()
    run.complete(accept.task_id)
    ready = {item.step.bpmn_id: item.task_id for item in run.ready()}
    assert set(ready) == {"review_income", "review_employment"}  # in parallel
    order = [("review_income", income), ("review_employment", employment)]
    if employment_first:
        order.reverse()
    (first, first_verdict), (second, second_verdict) = order
    run.complete(ready[first], verdict=first_verdict)
    assert ids(run) == [second]  # the join waits for the other branch
    run.complete(ready[second], verdict=second_verdict)
    return run


def test_the_example_after_acceptance_reviews_both_in_parallel() -> None:
    run = allowance({"household_size": 3})
    assert ids(run) == ["accept"]
    (accept,) = run.ready()
    run.complete(accept.task_id)
    assert sorted(ids(run)) == ["review_employment", "review_income"]
    # The second review may be taken first.
    employment = next(item for item in run.ready() if item.step.bpmn_id == "review_employment")
    run.complete(employment.task_id)
    assert ids(run) == ["review_income"]


def test_a_big_household_goes_to_a_countersign_of_three() -> None:
    run = through_reviews(allowance({"household_size": 5}))
    ready = run.ready()
    assert [(item.step.bpmn_id, item.instance, item.step.countersign) for item in ready] == [
        ("countersign", 0, 3),
        ("countersign", 1, 3),
        ("countersign", 2, 3),
    ]
    assert len({item.task_id for item in ready}) == 3
    for signed, item in enumerate(ready, start=1):
        run.complete(item.task_id)
        assert ids(run) == (["countersign"] * (3 - signed) if signed < 3 else ["decide"])
    (decide,) = run.ready()
    run.complete(decide.task_id)
    assert run.finished
    assert run.waiting_timers() == []  # the reminder left with the countersign


def test_a_disabled_member_also_goes_to_the_countersign() -> None:
    run = through_reviews(allowance({"household_size": 1, "has_disabled_member": True}))
    assert ids(run) == ["countersign"] * 3


def test_a_small_household_goes_straight_to_the_decision() -> None:
    run = through_reviews(allowance({"household_size": 2}))
    assert ids(run) == ["decide"]
    run.complete(run.ready()[0].task_id)
    assert run.finished


def test_no_household_size_means_one_member() -> None:
    assert ids(through_reviews(allowance({}))) == ["decide"]


@pytest.mark.parametrize("employment_first", [False, True], ids=["income_first", "employment_first"])
@pytest.mark.parametrize(
    ("income", "employment"), [(DISAGREE, AGREE), (AGREE, DISAGREE), (DISAGREE, DISAGREE)], ids=str
)
def test_a_disagreeing_review_goes_to_the_decision_even_for_a_big_household(
    income: str, employment: str, employment_first: bool
) -> None:
    """Whichever review disagrees, and whichever is taken last (the join merges both branches' data)."""
    run = through_reviews(
        allowance({"household_size": 6}), income=income, employment=employment, employment_first=employment_first
    )
    assert ids(run) == ["decide"]
    data = run.workflow.get_tasks(state=TaskState.READY, manual=True)[0].data
    assert data["rejected"] is True
    assert (data["review_income"], data["review_employment"]) == (income, employment)
    assert data["form"] == {"household_size": 6}


def test_the_verdicts_are_in_the_data_the_gateway_reads() -> None:
    run = through_reviews(allowance({"household_size": 2}))
    data = run.workflow.get_tasks(state=TaskState.READY, manual=True)[0].data
    assert (data["review_income"], data["review_employment"], data["rejected"]) == (AGREE, AGREE, False)
    assert data["applicant_kind"] == "person"


def test_dump_and_load_keep_the_ready_steps_mid_way() -> None:
    process = compile_process(example_process_text(ALLOWANCE))
    run = Run.start(process, {**START, "form": {"household_size": 5}})
    run.complete(run.ready()[0].task_id)
    before = run.ready()
    state = run.dump()
    assert "spec" not in json.loads(state)  # the definition is kept once per item version, not per application
    loaded = Run.load(process, state)
    assert loaded.ready() == before
    income = next(item for item in before if item.step.bpmn_id == "review_income")
    loaded.complete(income.task_id, verdict=AGREE)
    again = Run.load(process, loaded.dump())
    assert ids(again) == ["review_employment"]
    again.complete(again.ready()[0].task_id)
    assert ids(again) == ["countersign"] * 3
    # The countersign, half signed, survives a round trip too.
    again.complete(again.ready()[0].task_id)
    third = Run.load(process, again.dump())
    assert [(item.step.bpmn_id, item.instance) for item in third.ready()] == [("countersign", 0), ("countersign", 1)]
    assert third.waiting_timers() == again.waiting_timers()
    for item in third.ready():
        third.complete(item.task_id)
    third.complete(third.ready()[0].task_id)
    assert third.finished
    assert Run.load(process, third.dump()).finished


def test_the_countersign_reminder_fires_after_two_days() -> None:
    with freeze_time("2026-03-02T01:00:00Z") as frozen:
        run = through_reviews(allowance({"household_size": 5}))
        due = datetime.datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
        assert run.waiting_timers() == [("两日未完成会签", due)]
        assert run.next_timer() == due
        frozen.tick(datetime.timedelta(days=1))
        assert run.fire_timers() == []  # not due yet
        assert ids(run) == ["countersign"] * 3
        frozen.tick(datetime.timedelta(days=1, seconds=1))
        # Through a round trip, as the platform stores the state between the steps and the worker's run.
        run = Run.load(run.process, run.dump())
        assert run.fire_timers() == ["两日未完成会签"]
        assert run.waiting_timers() == []
        assert run.fire_timers() == []  # once
    reminded = [task for task in run.workflow.get_tasks() if task.task_spec.bpmn_id == "remind"]
    assert len(reminded) == 1 and reminded[0].state == TaskState.COMPLETED
    assert reminded[0].data["countersign_reminded"] is True
    # Not an interrupting timer: the three signatures are still asked for, and the case goes on.
    assert ids(run) == ["countersign"] * 3
    for item in run.ready():
        run.complete(item.task_id)
    run.complete(run.ready()[0].task_id)
    assert run.finished


def test_cancel_ends_the_process() -> None:
    run = through_reviews(allowance({"household_size": 5}))
    run.cancel()
    assert run.ready() == []
    assert run.waiting_timers() == []
